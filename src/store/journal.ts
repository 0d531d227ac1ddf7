// An append-only log of record changes with group commit: every change that
// arrives while one fsync is in flight is written by the next single
// write+fsync, so the cost of a write does not depend on the data's size and
// fifty concurrent submissions share a handful of fsyncs.
import { open, readFile, truncate, type FileHandle } from 'node:fs/promises';

export interface Change {
  /** collection */
  c: string;
  id: string;
  /** the whole new record; absent means the record was deleted */
  v?: unknown;
}

interface Pending {
  text: string;
  resolve: () => void;
  reject: (error: Error) => void;
}

export class Journal {
  private queue: Pending[] = [];
  private flushing: Promise<void> | null = null;
  private failed: Error | null = null;

  private constructor(
    readonly file: string,
    private handle: FileHandle,
    public bytes: number,
  ) {}

  static async open(file: string): Promise<Journal> {
    const handle = await open(file, 'a');
    const { size } = await handle.stat();
    return new Journal(file, handle, size);
  }

  /** Resolves once the changes are on disk (written and fdatasynced). */
  append(changes: Change[]): Promise<void> {
    if (this.failed) return Promise.reject(this.failed);
    const text = changes.map((change) => JSON.stringify(change) + '\n').join('');
    return new Promise((resolve, reject) => {
      this.queue.push({ text, resolve, reject });
      if (!this.flushing) this.flushing = this.flushLoop();
    });
  }

  /** Waits for everything appended so far to be on disk. */
  async drain(): Promise<void> {
    while (this.flushing) await this.flushing;
  }

  async close(): Promise<void> {
    await this.drain();
    await this.handle.close();
  }

  private async flushLoop(): Promise<void> {
    while (this.queue.length > 0) {
      const batch = this.queue;
      this.queue = [];
      const text = batch.map((pending) => pending.text).join('');
      try {
        await this.handle.write(text);
        await this.handle.datasync();
        this.bytes += Buffer.byteLength(text);
        for (const pending of batch) pending.resolve();
      } catch (error) {
        // After a failed write the file's tail is unknown: refuse every later
        // write rather than acknowledge something that may not be there.
        this.failed = error as Error;
        for (const pending of [...batch, ...this.queue]) pending.reject(this.failed);
        this.queue = [];
      }
    }
    this.flushing = null;
  }
}

/**
 * Reads a journal's changes. A last line without its newline is a write that
 * was cut off by a crash and never acknowledged: it is ignored, and the file is
 * truncated to its last whole line so that later appends start clean. Damage
 * anywhere else is real corruption and stops the load with the line number.
 */
export async function readJournal(file: string): Promise<Change[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  const end = text.lastIndexOf('\n') + 1;
  if (end < text.length) await truncate(file, Buffer.byteLength(text.slice(0, end)));
  const changes: Change[] = [];
  const lines = text.slice(0, end).split('\n');
  lines.pop();
  lines.forEach((line, index) => {
    try {
      changes.push(JSON.parse(line) as Change);
    } catch {
      throw new Error(`${file}, line ${index + 1}: not a valid journal record`);
    }
  });
  return changes;
}
