// Files that survive kill -9 and power loss: write to a temp file, fsync it,
// rename over the target, fsync the folder. lowdb's own JSONFile renames
// without fsync, so the shards use this adapter instead.
import path from 'node:path';
import type { Adapter } from 'lowdb';
import { errorCode, nodeFs, writeAll, type StoreFs } from './file-system.ts';

/** Temp files end with this; whatever a crash leaves behind is removed at start-up. */
export const TEMP_SUFFIX = '.tmp';

export class DurableJSONFile<T> implements Adapter<T> {
  constructor(
    private readonly file: string,
    private readonly fs: StoreFs = nodeFs,
  ) {}

  async read(): Promise<T | null> {
    let text: string;
    try {
      text = await this.fs.readFile(this.file, 'utf8');
    } catch (error) {
      if (errorCode(error) === 'ENOENT') return null;
      throw error;
    }
    try {
      return JSON.parse(text) as T;
    } catch (error) {
      throw new Error(`${this.file} is not valid JSON: ${(error as Error).message}`);
    }
  }

  /** Serialises at once (so the caller's later changes are not included), then writes durably. */
  write(data: T): Promise<void> {
    return writeFileDurably(this.file, JSON.stringify(data), this.fs);
  }
}

/**
 * Replaces `file` with `text` so that a crash leaves either the old or the
 * new content, never a mix. On any failure the temp file is removed and the
 * old content stays.
 */
export async function writeFileDurably(file: string, text: string, fs: StoreFs = nodeFs): Promise<void> {
  const temp = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}${TEMP_SUFFIX}`;
  try {
    const handle = await fs.open(temp, 'w');
    try {
      await writeAll(handle, Buffer.from(text));
      await handle.sync();
    } finally {
      await handle.close();
    }
    await fs.rename(temp, file);
  } catch (error) {
    await fs.unlink(temp).catch(() => {});
    throw error;
  }
  await syncFolder(path.dirname(file), fs);
}

export async function syncFolder(folder: string, fs: StoreFs = nodeFs): Promise<void> {
  const handle = await fs.open(folder, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
