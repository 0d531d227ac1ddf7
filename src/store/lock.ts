// One process owns a data folder: lowdb files must have one writer. The LOCK
// file says who: a pid alone is not enough, because pids are reused (after a
// container restart the old server's pid 1 is alive again, as some other
// process). So the lock also records a random token, the owner's process
// start time and the machine's boot id; a live pid whose start time or boot
// differs is another process, and its lock is stale.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { errorCode, nodeFs, writeAll, type StoreFs } from './file-system.ts';

const LOCK = 'LOCK';

interface LockRecord {
  pid: number;
  token?: string;
  /** the process's start time in clock ticks after boot (/proc/<pid>/stat, field 22) */
  processStart?: number | null;
  bootId?: string | null;
  startedAt?: string;
}

/** Tokens of the locks this process holds, so a second open in the same process is refused too. */
const held = new Set<string>();

export async function acquireLock(dir: string, fs: StoreFs = nodeFs): Promise<string> {
  const file = path.join(dir, LOCK);
  const token = randomBytes(16).toString('hex');
  const record: LockRecord = {
    pid: process.pid,
    token,
    processStart: processStartTicks(process.pid),
    bootId: bootId(),
    startedAt: new Date().toISOString(),
  };
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const handle = await fs.open(file, 'wx');
      try {
        await writeAll(handle, Buffer.from(JSON.stringify(record) + '\n'));
        await handle.sync();
      } finally {
        await handle.close();
      }
      held.add(token);
      return token;
    } catch (error) {
      if (errorCode(error) !== 'EEXIST') throw error;
    }
    const owner = await readLock(file, fs);
    if (owner && isLive(owner)) {
      throw new Error(
        `The data folder ${dir} is in use by another FrameCheck server (process ${owner.record.pid}). ` +
          'Stop that server first, or give this one another DATA_DIR.',
      );
    }
    await fs.unlink(file).catch(() => {});
  }
  throw new Error(`Could not take the lock on ${dir}`);
}

export async function releaseLock(dir: string, token: string, fs: StoreFs = nodeFs): Promise<void> {
  held.delete(token);
  const file = path.join(dir, LOCK);
  const owner = await readLock(file, fs);
  if (owner?.record.token === token) await fs.unlink(file).catch(() => {});
}

interface LockOnDisk {
  record: LockRecord;
  /** when the lock file was written */
  writtenMs: number;
}

async function readLock(file: string, fs: StoreFs): Promise<LockOnDisk | null> {
  let text: string;
  let writtenMs: number;
  try {
    text = await fs.readFile(file, 'utf8');
    writtenMs = (await fs.stat(file)).mtimeMs;
  } catch {
    return null;
  }
  const trimmed = text.trim();
  // Before the lock recorded more, it held the bare pid.
  if (/^\d+$/.test(trimmed)) return { record: { pid: Number(trimmed) }, writtenMs };
  try {
    const record = JSON.parse(trimmed) as LockRecord;
    return Number.isInteger(record?.pid) && record.pid > 0 ? { record, writtenMs } : null;
  } catch {
    return null;
  }
}

/** Whether the process that wrote the lock still runs. */
function isLive({ record, writtenMs }: LockOnDisk): boolean {
  const { pid } = record;
  if (!isAlive(pid)) return false;
  if (pid === process.pid) return record.token !== undefined && held.has(record.token);
  const start = processStartTicks(pid);
  if (start === null) return true; // no /proc to ask: a live pid is taken at its word
  if (record.processStart != null && record.bootId != null) {
    return record.processStart === start && record.bootId === bootId();
  }
  // A lock without a start time: a process that started after the lock was written did not write it.
  const startedMs = processStartMs(start);
  return startedMs === null || startedMs <= writtenMs + 2000;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return errorCode(error) === 'EPERM';
  }
}

/** Field 22 of /proc/<pid>/stat: start time in clock ticks after boot; null without /proc. */
function processStartTicks(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces and parentheses: count from the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[19]);
    return Number.isFinite(ticks) ? ticks : null;
  } catch {
    return null;
  }
}

function bootId(): string | null {
  try {
    return readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
  } catch {
    return null;
  }
}

/** Wall-clock start of a process from its start ticks (USER_HZ is 100 on Linux). */
function processStartMs(ticks: number): number | null {
  try {
    const btime = /^btime (\d+)$/m.exec(readFileSync('/proc/stat', 'utf8'));
    return btime ? Number(btime[1]) * 1000 + ticks * 10 : null;
  } catch {
    return null;
  }
}
