// The storage engine: every collection lives in memory; changes go to the
// journal (group commit) before they are acknowledged; compaction folds the
// journal into sharded lowdb documents in the background. See docs/storage.md.
import { mkdir, readdir, unlink, readFile, open } from 'node:fs/promises';
import path from 'node:path';
import { Low } from 'lowdb';
import { DurableJSONFile, writeFileDurably } from './durable-file.ts';
import { Journal, readJournal, type Change } from './journal.ts';

export interface Manifest {
  version: 1;
  /** journals numbered >= generation hold changes not yet in the shards */
  generation: number;
}

/**
 * A shard on disk: the field names once, then one row of values per record.
 * Column form keeps key names out of every record, which makes a district's
 * files a third smaller and quicker to parse at start-up.
 */
interface ShardDoc {
  fields: string[];
  rows: unknown[][];
}

function toShardDoc(records: Iterable<unknown>): ShardDoc {
  const list = [...records] as Record<string, unknown>[];
  const fields = [...new Set(list.flatMap((record) => Object.keys(record)))];
  return { fields, rows: list.map((record) => fields.map((field) => record[field] ?? null)) };
}

function fromShardDoc(doc: ShardDoc): Record<string, unknown>[] {
  const { fields, rows } = doc;
  return rows.map((row) => {
    const record: Record<string, unknown> = {};
    for (let i = 0; i < fields.length; i++) record[fields[i]] = row[i];
    return record;
  });
}

export interface EngineOptions {
  /** collection name -> number of shard files it is spread over */
  shards: Record<string, number>;
  /** compact when the journal grows past this many bytes */
  compactBytes: number;
}

export type ApplyListener = (collection: string, id: string, before: unknown, after: unknown) => void;

export class Engine {
  private data = new Map<string, Map<string, unknown>[]>();
  private dirty = new Set<string>();
  private journal!: Journal;
  private generation = 0;
  private compacting: Promise<void> | null = null;
  private listeners: ApplyListener[] = [];
  private closed = false;

  private constructor(
    readonly dir: string,
    private readonly options: EngineOptions,
  ) {
    for (const [collection, count] of Object.entries(options.shards)) {
      this.data.set(collection, Array.from({ length: count }, () => new Map()));
    }
  }

  /** Takes the folder's lock, loads the shards and replays the journals. */
  static async open(dir: string, options: EngineOptions, onApply?: ApplyListener): Promise<Engine> {
    await mkdir(path.join(dir, 'shards'), { recursive: true });
    await acquireLock(dir);
    const engine = new Engine(dir, options);
    if (onApply) engine.listeners.push(onApply);
    try {
      await engine.load();
    } catch (error) {
      await releaseLock(dir);
      throw error;
    }
    return engine;
  }

  get(collection: string, id: string): unknown {
    return this.shardMap(collection, id).get(id);
  }

  *all(collection: string): Iterable<unknown> {
    for (const shard of this.collection(collection)) yield* shard.values();
  }

  count(collection: string): number {
    let total = 0;
    for (const shard of this.collection(collection)) total += shard.size;
    return total;
  }

  /**
   * Applies the changes in memory at once (so later reads see them and
   * checks-then-writes stay atomic) and resolves when they are on disk.
   */
  commit(changes: Change[]): Promise<void> {
    if (this.closed) return Promise.reject(new Error('The store is closed'));
    for (const change of changes) this.apply(change);
    const written = this.journal.append(changes);
    return written.then(() => {
      if (this.journal.bytes > this.options.compactBytes && !this.compacting) {
        this.compact().catch((error) => console.error('Compaction failed:', error));
      }
    });
  }

  /** Folds the journal into the shards. Safe to call at any time; runs once at a time. */
  compact(): Promise<void> {
    if (!this.compacting) {
      this.compacting = this.runCompaction().finally(() => {
        this.compacting = null;
      });
    }
    return this.compacting;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    await this.compacting;
    this.closed = true;
    await this.journal.close();
    await releaseLock(this.dir);
  }

  private async load(): Promise<void> {
    const manifest = await readManifest(this.dir);
    this.generation = manifest.generation;
    for (const [collection, shards] of this.data) {
      for (let index = 0; index < shards.length; index++) {
        const low = new Low<ShardDoc>(new DurableJSONFile(this.shardFile(collection, index)), { fields: [], rows: [] });
        await low.read();
        const shard = shards[index];
        for (const record of fromShardDoc(low.data)) {
          const id = record.id as string;
          shard.set(id, record);
          this.notify(collection, id, undefined, record);
        }
      }
    }
    const journals = await listJournals(this.dir);
    for (const number of journals) {
      const file = this.journalFile(number);
      if (number < this.generation) {
        // Already folded into the shards by a compaction that stopped before deleting it.
        await unlink(file);
        continue;
      }
      for (const change of await readJournal(file)) this.apply(change);
    }
    const newest = Math.max(this.generation, ...journals);
    this.journal = await Journal.open(this.journalFile(newest));
  }

  private async runCompaction(): Promise<void> {
    const previous = this.journal;
    const next = Math.max(...(await listJournals(this.dir)), this.generation) + 1;
    // From here on new changes go to the next journal; the shards written
    // below may contain some of them too, which replay makes harmless since
    // every change is a whole record or a deletion.
    this.journal = await Journal.open(this.journalFile(next));
    await previous.close();
    const toWrite = [...this.dirty];
    this.dirty.clear();
    for (const key of toWrite) {
      const [collection, index] = splitShardKey(key);
      const low = new Low<ShardDoc>(new DurableJSONFile(this.shardFile(collection, index)), { fields: [], rows: [] });
      low.data = toShardDoc(this.collection(collection)[index].values());
      await low.write();
    }
    await writeFileDurably(path.join(this.dir, 'manifest.json'), JSON.stringify({ version: 1, generation: next }));
    this.generation = next;
    for (const number of await listJournals(this.dir)) {
      if (number < next) await unlink(this.journalFile(number));
    }
  }

  private apply(change: Change): void {
    const shard = this.shardMap(change.c, change.id);
    const before = shard.get(change.id);
    if (change.v === undefined) shard.delete(change.id);
    else shard.set(change.id, change.v);
    this.dirty.add(`${change.c}#${shardIndex(change.id, this.collection(change.c).length)}`);
    this.notify(change.c, change.id, before, change.v);
  }

  private notify(collection: string, id: string, before: unknown, after: unknown): void {
    for (const listener of this.listeners) listener(collection, id, before, after);
  }

  private collection(name: string): Map<string, unknown>[] {
    const shards = this.data.get(name);
    if (!shards) throw new Error(`Unknown collection "${name}"`);
    return shards;
  }

  private shardMap(collection: string, id: string): Map<string, unknown> {
    const shards = this.collection(collection);
    return shards[shardIndex(id, shards.length)];
  }

  private shardFile(collection: string, index: number): string {
    return path.join(this.dir, 'shards', `${collection}-${index}.json`);
  }

  private journalFile(number: number): string {
    return path.join(this.dir, `journal-${number}.jsonl`);
  }
}

function splitShardKey(key: string): [string, number] {
  const at = key.lastIndexOf('#');
  return [key.slice(0, at), Number(key.slice(at + 1))];
}

/** FNV-1a: a stable, fast spread of ids over shard files. */
export function shardIndex(id: string, count: number): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < id.length; i++) {
    hash ^= id.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0) % count;
}

export async function readManifest(dir: string): Promise<Manifest> {
  try {
    return JSON.parse(await readFile(path.join(dir, 'manifest.json'), 'utf8')) as Manifest;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { version: 1, generation: 0 };
    throw error;
  }
}

export async function listJournals(dir: string): Promise<number[]> {
  const names = await readdir(dir);
  return names
    .map((name) => /^journal-(\d+)\.jsonl$/.exec(name))
    .filter((match): match is RegExpExecArray => match !== null)
    .map((match) => Number(match[1]))
    .sort((a, b) => a - b);
}

const LOCK = 'LOCK';

/**
 * One process owns a data folder: lowdb files must have one writer. A lock
 * left by a process that has died is taken over.
 */
async function acquireLock(dir: string): Promise<void> {
  const file = path.join(dir, LOCK);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const handle = await open(file, 'wx');
      await handle.writeFile(String(process.pid));
      await handle.sync();
      await handle.close();
      return;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const owner = Number((await readFile(file, 'utf8').catch(() => '')).trim());
    if (owner && owner !== process.pid && isAlive(owner)) {
      throw new Error(
        `The data folder ${dir} is in use by another FrameCheck server (process ${owner}). ` +
          'Stop that server first, or give this one another DATA_DIR.',
      );
    }
    await unlink(file).catch(() => {});
  }
  throw new Error(`Could not take the lock on ${dir}`);
}

async function releaseLock(dir: string): Promise<void> {
  const file = path.join(dir, LOCK);
  const owner = Number((await readFile(file, 'utf8').catch(() => '')).trim());
  if (owner === process.pid) await unlink(file).catch(() => {});
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

