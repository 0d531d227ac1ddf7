// The file operations the store uses, in one seam. The server passes the real
// node:fs; tests pass a wrapper that fails, cuts writes short or runs out of
// space on cue (tests/faulty-fs.ts), so every failure path can be exercised.
import { isAscii } from 'node:buffer';
import * as fs from 'node:fs/promises';

export interface StoreFileHandle {
  write(buffer: Uint8Array, offset: number, length: number): Promise<{ bytesWritten: number }>;
  /** fdatasync: the data and the size, not every timestamp */
  datasync(): Promise<void>;
  sync(): Promise<void>;
  truncate(length: number): Promise<void>;
  stat(): Promise<{ size: number }>;
  close(): Promise<void>;
}

export interface StoreFs {
  /** `flags` as fs.open takes them: a string ('a', 'w'), or numbers or-ed together (the journal's O_DSYNC) */
  open(file: string, flags: string | number): Promise<StoreFileHandle>;
  readFile(file: string, encoding: 'utf8'): Promise<string>;
  readdir(folder: string): Promise<string[]>;
  rename(from: string, to: string): Promise<void>;
  unlink(file: string): Promise<void>;
  mkdir(folder: string, options: { recursive: true }): Promise<unknown>;
  truncate(file: string, length: number): Promise<void>;
  stat(file: string): Promise<{ size: number; mtimeMs: number }>;
}

export const nodeFs: StoreFs = {
  open: (file, flags) => fs.open(file, flags),
  readFile: async (file) => textOf(await fs.readFile(file)),
  readdir: (folder) => fs.readdir(folder),
  rename: fs.rename,
  unlink: fs.unlink,
  mkdir: fs.mkdir,
  truncate: fs.truncate,
  stat: fs.stat,
};

/**
 * UTF-8 text of a file read whole. fs.readFile(file, 'utf8') decodes in
 * chunks through a StringDecoder and joins them; decoding the whole buffer
 * at once is quicker and leaves less garbage (a district reads 110 MB of
 * shards at start-up). ASCII, which shards almost always are, is the same
 * in Latin-1, whose decoder is a plain copy.
 */
export function textOf(buffer: Buffer): string {
  return buffer.toString(isAscii(buffer) ? 'latin1' : 'utf8');
}

/**
 * Writes every byte or throws. write(2) may write less than asked (a disk
 * that fills up mid-write does exactly that): the rest is written by the
 * next call, which then reports the real error (ENOSPC) if there is one.
 */
export async function writeAll(handle: StoreFileHandle, data: Uint8Array): Promise<void> {
  let offset = 0;
  while (offset < data.length) {
    const { bytesWritten } = await handle.write(data, offset, data.length - offset);
    if (bytesWritten <= 0) throw Object.assign(new Error('The disk accepted no bytes'), { code: 'EIO' });
    offset += bytesWritten;
  }
}

export function errorCode(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException | undefined)?.code;
}
