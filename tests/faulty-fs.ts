// A fault-injection layer for the store's file operations: the real node:fs
// underneath, with failures, short writes, a disk that fills up after N
// bytes, and gates that hold an operation until the test lets it go.
import { constants } from 'node:fs';
import * as fs from 'node:fs/promises';
import { nodeFs, type StoreFileHandle, type StoreFs } from '../src/store/file-system.ts';

export type Op = 'open' | 'write' | 'datasync' | 'sync' | 'truncate' | 'close' | 'rename' | 'unlink' | 'readFile' | 'readdir' | 'stat';
type Match = string | RegExp;

interface FailRule {
  op: Op;
  match: Match;
  code: string;
  /** how many matching calls succeed before the failures start */
  skip: number;
  /** how many more times it fails */
  times: number;
}

interface Gate {
  op: Op;
  match: Match;
  reached: () => void;
  opened: Promise<void>;
}

function matches(match: Match, file: string): boolean {
  return typeof match === 'string' ? file.includes(match) : match.test(file);
}

export function fsError(code: string, op: string, file: string): NodeJS.ErrnoException {
  const messages: Record<string, string> = { ENOSPC: 'no space left on device', EIO: 'i/o error' };
  return Object.assign(new Error(`${code}: ${messages[code] ?? 'simulated failure'}, ${op} '${file}'`), { code, syscall: op, path: file });
}

export class FaultyFs implements StoreFs {
  /** bytes the disk still takes before it answers ENOSPC */
  space = Number.POSITIVE_INFINITY;
  /** the most one write call writes (write(2) may write less than asked) */
  maxWrite = Number.POSITIVE_INFINITY;
  /** how often each operation ran, for assertions */
  readonly calls = new Map<Op, number>();
  private rules: FailRule[] = [];
  private gates: Gate[] = [];

  /** `op` on files matching `match` fails with `code`, `times` times (always by default), after `skip` successes. */
  fail(op: Op, match: Match, code = 'EIO', times = Number.POSITIVE_INFINITY, skip = 0): this {
    this.rules.push({ op, match, code, times, skip });
    return this;
  }

  /** The disk takes `bytes` more bytes: a write that crosses the limit is cut short, the next one fails with ENOSPC. */
  diskFullAfter(bytes: number): this {
    this.space = bytes;
    return this;
  }

  /** Every write call writes at most `bytes` bytes and reports so. */
  shortWrites(bytes: number): this {
    this.maxWrite = bytes;
    return this;
  }

  /**
   * Holds the next `op` on a matching file until `release()`; `reached`
   * resolves when something is waiting at the gate.
   */
  hold(op: Op, match: Match): { reached: Promise<void>; release: () => void } {
    let release!: () => void;
    let reached!: () => void;
    const opened = new Promise<void>((resolve) => (release = resolve));
    const reachedPromise = new Promise<void>((resolve) => (reached = resolve));
    this.gates.push({ op, match, reached, opened });
    return { reached: reachedPromise, release };
  }

  /** Space again, no failures, no short writes. */
  heal(): this {
    this.rules = [];
    this.space = Number.POSITIVE_INFINITY;
    this.maxWrite = Number.POSITIVE_INFINITY;
    return this;
  }

  private async check(op: Op, file: string): Promise<void> {
    this.calls.set(op, (this.calls.get(op) ?? 0) + 1);
    const gateAt = this.gates.findIndex((gate) => gate.op === op && matches(gate.match, file));
    if (gateAt !== -1) {
      const [gate] = this.gates.splice(gateAt, 1);
      gate.reached();
      await gate.opened;
    }
    const rule = this.rules.find((candidate) => candidate.op === op && candidate.times > 0 && matches(candidate.match, file));
    if (rule && rule.skip > 0) rule.skip--;
    else if (rule) {
      rule.times--;
      throw fsError(rule.code, op, file);
    }
  }

  async open(file: string, flags: string | number): Promise<StoreFileHandle> {
    await this.check('open', file);
    const handle = await fs.open(file, flags);
    const syncsEachWrite = typeof flags === 'number' && constants.O_DSYNC !== undefined && (flags & constants.O_DSYNC) !== 0;
    return this.wrap(handle, file, syncsEachWrite);
  }

  private wrap(handle: fs.FileHandle, file: string, syncsEachWrite: boolean): StoreFileHandle {
    return {
      write: async (buffer, offset, length) => {
        await this.check('write', file);
        if (this.space <= 0) throw fsError('ENOSPC', 'write', file);
        const take = Math.min(length, this.space, this.maxWrite);
        const { bytesWritten } = await handle.write(buffer, offset, take);
        this.space -= bytesWritten;
        // With O_DSYNC the write itself syncs, and a failed sync is the write's
        // error, with its bytes already in the file: 'datasync' faults and gates
        // act there, so tests of a refused sync hold for both kinds of handle.
        if (syncsEachWrite) await this.check('datasync', file);
        return { bytesWritten };
      },
      datasync: async () => {
        await this.check('datasync', file);
        await handle.datasync();
      },
      sync: async () => {
        await this.check('sync', file);
        await handle.sync();
      },
      truncate: async (length) => {
        await this.check('truncate', file);
        await handle.truncate(length);
      },
      stat: async () => {
        await this.check('stat', file);
        return handle.stat();
      },
      close: async () => {
        await this.check('close', file);
        await handle.close();
      },
    };
  }

  async readFile(file: string, encoding: 'utf8'): Promise<string> {
    await this.check('readFile', file);
    return nodeFs.readFile(file, encoding);
  }

  async readdir(folder: string): Promise<string[]> {
    await this.check('readdir', folder);
    return nodeFs.readdir(folder);
  }

  async rename(from: string, to: string): Promise<void> {
    await this.check('rename', to);
    return nodeFs.rename(from, to);
  }

  async unlink(file: string): Promise<void> {
    await this.check('unlink', file);
    return nodeFs.unlink(file);
  }

  mkdir(folder: string, options: { recursive: true }): Promise<unknown> {
    return nodeFs.mkdir(folder, options);
  }

  async truncate(file: string, length: number): Promise<void> {
    await this.check('truncate', file);
    return nodeFs.truncate(file, length);
  }

  async stat(file: string): Promise<{ size: number; mtimeMs: number }> {
    await this.check('stat', file);
    return nodeFs.stat(file);
  }
}
