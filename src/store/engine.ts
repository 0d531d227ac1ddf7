// The storage engine: every collection lives in memory; changes go to the
// journal (group commit) before they are acknowledged; compaction folds the
// journal into sharded lowdb documents in the background. See docs/storage.md.
import path from 'node:path';
import { Low } from 'lowdb';
import { DurableJSONFile, syncFolder, TEMP_SUFFIX, writeFileDurably } from './durable-file.ts';
import { errorCode, nodeFs, type StoreFs } from './file-system.ts';
import { DEFAULT_RETRY, Journal, JournalWriteError, readJournal, type Change, type RetryPolicy } from './journal.ts';
import { acquireLock, releaseLock } from './lock.ts';

export interface Manifest {
  version: 1 | 2;
  /** journals numbered >= generation hold changes not yet in the shards */
  generation: number;
  /** the shard files written so far (version 2): each must exist at start-up */
  shards?: string[];
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

/**
 * A compaction of a district writes 730,000 attempts: the field names are
 * gathered without a key array per record, and the rows are filled by plain
 * loops. That took the district's compaction from 2.0 to about 1 s of CPU
 * (mapping Object.keys over every record alone took a second).
 */
function toShardDoc(records: Iterable<unknown>): ShardDoc {
  const list = [...records] as Record<string, unknown>[];
  const fields: string[] = [];
  const seen = new Set<string>();
  for (const record of list) {
    for (const key in record) {
      // for-in walks the prototype too; only own keys are a record's fields.
      if (seen.has(key) || !Object.hasOwn(record, key)) continue;
      seen.add(key);
      fields.push(key);
    }
  }
  const rows = new Array<unknown[]>(list.length);
  for (let i = 0; i < list.length; i++) {
    const record = list[i];
    const row = new Array<unknown>(fields.length);
    for (let j = 0; j < fields.length; j++) row[j] = record[fields[j]] ?? null;
    rows[i] = row;
  }
  return { fields, rows };
}

/**
 * Turns a shard's rows back into records. A district loads a million of
 * them at start-up, so each shard's field list gets one function that builds
 * a record as a single object literal: the record is made in one allocation
 * with its final shape (instead of growing one property at a time), and
 * every shard of a collection shares the function, so V8 optimises it once
 * and learns to allocate these long-lived records straight in the old
 * generation. Field names are written into the function's source as JSON
 * string literals, which are valid JavaScript and cannot break out of it.
 */
type RecordMaker = (row: unknown[]) => Record<string, unknown>;

const recordMakers = new Map<string, RecordMaker>();

function recordMaker(fields: string[]): RecordMaker {
  const key = JSON.stringify(fields);
  let make = recordMakers.get(key);
  if (make) return make;
  make = compiledMaker(fields) ?? ((row) => {
    const record: Record<string, unknown> = {};
    for (let i = 0; i < fields.length; i++) record[fields[i]] = row[i];
    return record;
  });
  recordMakers.set(key, make);
  return make;
}

/** Null where a literal would not mean the same as assigning each field in turn. */
function compiledMaker(fields: string[]): RecordMaker | null {
  // "__proto__" in a literal sets the prototype; a repeated name would be written twice.
  if (fields.includes('__proto__') || new Set(fields).size !== fields.length) return null;
  try {
    return new Function('row', `return {${fields.map((field, i) => `${JSON.stringify(field)}: row[${i}]`).join(', ')}};`) as RecordMaker;
  } catch {
    return null; // code generation from strings is switched off in this process
  }
}

function fromShardDoc(doc: ShardDoc): Record<string, unknown>[] {
  const make = recordMaker(doc.fields);
  const { rows } = doc;
  const records = new Array<Record<string, unknown>>(rows.length);
  for (let i = 0; i < rows.length; i++) {
    records[i] = make(rows[i]);
  }
  return records;
}

/** Why a shard file cannot be loaded, or null when it has the shape of one. */
function shardProblem(doc: unknown): string | null {
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) return `holds ${JSON.stringify(doc)?.slice(0, 20)} instead of {"fields", "rows"}`;
  const { fields, rows } = doc as Partial<ShardDoc>;
  if (!Array.isArray(fields) || !fields.every((field) => typeof field === 'string')) return '"fields" is not a list of names';
  if (!Array.isArray(rows)) return '"rows" is not a list';
  const idAt = fields.indexOf('id');
  if (rows.length > 0 && idAt === -1) return 'its records have no "id"';
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i];
    if (!Array.isArray(row) || row.length !== fields.length) return `row ${i + 1} does not have one value per field`;
    if (typeof row[idAt] !== 'string' || row[idAt] === '') return `row ${i + 1} has no id`;
  }
  return null;
}

export interface EngineOptions {
  /** collection name -> number of shard files it is spread over */
  shards: Record<string, number>;
  /** compact when the journal grows past this many bytes */
  compactBytes: number;
  /** the file operations (tests pass a faulty one) */
  fs?: StoreFs;
  /** pauses before the disk is tried again after a refused write */
  retry?: RetryPolicy;
  /** pauses before a failed compaction is tried again */
  compactRetry?: RetryPolicy;
  /** where failures and recoveries are reported, once each */
  log?: (message: string) => void;
}

export type ApplyListener = (collection: string, id: string, before: unknown, after: unknown) => void;

/**
 * Told of the records of one shard file as it is loaded, all at once (a
 * district loads a million at start-up; one call per record would cost more
 * than the records). Changes replayed from the journal go to the
 * ApplyListener, one by one, as every later change does.
 */
export type LoadListener = (collection: string, records: readonly Record<string, unknown>[]) => void;

export interface EngineListeners {
  apply?: ApplyListener;
  load?: LoadListener;
}

export type Health = { ok: true } | { ok: false; reason: string; since: Date };

/** A write the disk refused: nothing of it was kept. Answered with 503, as a temporary condition. */
export class StoreUnavailableError extends Error {
  readonly status = 503;
  readonly expose = true;
  readonly code: string | undefined;
  constructor(
    message: string,
    readonly cause?: Error,
  ) {
    super(message);
    this.code = errorCode(cause);
  }
}

const DEFAULT_COMPACT_RETRY: RetryPolicy = { firstMs: 1000, maxMs: 30_000 };

export class Engine {
  private data = new Map<string, Map<string, unknown>[]>();
  /** shards holding durable changes that their file does not have yet */
  private dirty = new Set<string>();
  /**
   * Per record with changes not yet on disk: its value before each of them,
   * oldest first. The first is what the disk holds, which is what a shard
   * may be written with.
   */
  private pending = new Map<string, Map<string, unknown[]>>();
  /** shard files on disk (listed in the manifest) */
  private shardFiles = new Set<string>();
  private journal!: Journal;
  private journalNumber = 0;
  private generation = 0;
  private compacting: Promise<void> | null = null;
  private nextCompaction: Promise<void> | null = null;
  private compactFailure: Error | null = null;
  private compactDelay: number;
  private compactRetryAt = 0;
  private compactTimer: NodeJS.Timeout | null = null;
  private writeFailure: { error: Error; since: Date } | null = null;
  private listeners: ApplyListener[] = [];
  private loadListener: LoadListener | null = null;
  private closed = false;
  private lockToken = '';
  private readonly fs: StoreFs;
  private readonly log: (message: string) => void;

  private constructor(
    readonly dir: string,
    private readonly options: EngineOptions,
  ) {
    this.fs = options.fs ?? nodeFs;
    this.log = options.log ?? ((message) => console.error(message));
    this.compactDelay = (options.compactRetry ?? DEFAULT_COMPACT_RETRY).firstMs;
    for (const [collection, count] of Object.entries(options.shards)) {
      this.data.set(collection, Array.from({ length: count }, () => new Map()));
    }
  }

  /** Takes the folder's lock, loads the shards and replays the journals. */
  static async open(dir: string, options: EngineOptions, listeners: EngineListeners = {}): Promise<Engine> {
    const fs = options.fs ?? nodeFs;
    await fs.mkdir(path.join(dir, 'shards'), { recursive: true });
    const token = await acquireLock(dir, fs);
    const engine = new Engine(dir, options);
    engine.lockToken = token;
    if (listeners.apply) engine.listeners.push(listeners.apply);
    // Without a load listener, loaded records go to the apply listener one by one.
    engine.loadListener = listeners.load ?? (listeners.apply ? (collection, records) => {
      for (const record of records) engine.notify(collection, record.id as string, undefined, record);
    } : null);
    try {
      await engine.load();
    } catch (error) {
      await releaseLock(dir, token, fs);
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

  /** Whether writes reach the disk; when they do not, why and since when. */
  health(): Health {
    if (!this.writeFailure) return { ok: true };
    const { error, since } = this.writeFailure;
    return { ok: false, reason: `writes to the data folder are failing: ${describe(error)}`, since };
  }

  /**
   * Applies the changes in memory at once (so later reads see them and
   * checks-then-writes stay atomic) and resolves when they are on disk. If
   * the disk refuses them, they are taken back out of memory (with every
   * change applied after them) and the promise rejects.
   */
  commit(changes: Change[]): Promise<void> {
    if (this.closed) return Promise.reject(new Error('The store is closed'));
    const undo: { change: Change; before: unknown }[] = [];
    const records: [string, string][] = [];
    const seen = new Set<string>();
    for (const change of changes) {
      const before = this.apply(change);
      undo.push({ change, before });
      // One entry per record per commit: the value the disk holds until this commit is on it.
      const key = `${change.c}\u0000${change.id}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const waiting = this.pendingOf(change.c);
      let queue = waiting.get(change.id);
      if (!queue) waiting.set(change.id, (queue = []));
      queue.push(before);
      records.push([change.c, change.id]);
    }
    const written = this.journal.append(changes, {
      durable: () => {
        for (const [collection, id] of records) this.settle(collection, id, 'oldest');
        for (const change of changes) this.dirty.add(this.shardKey(change.c, change.id));
      },
      refused: () => {
        for (const [collection, id] of records) this.settle(collection, id, 'newest');
        for (let i = undo.length - 1; i >= 0; i--) this.set(undo[i].change.c, undo[i].change.id, undo[i].before);
      },
    });
    return written.then(
      () => {
        if (this.journal.bytes > this.options.compactBytes && !this.compacting && Date.now() >= this.compactRetryAt) {
          this.compact().catch(() => {}); // reported by runCompaction
        }
      },
      (error: Error) => {
        throw new StoreUnavailableError(
          'FrameCheck could not save this just now: the server’s disk refused it, so nothing was saved. Please try again in a minute.',
          error,
        );
      },
    );
  }

  /**
   * Folds the journal into the shards. Resolves once a compaction that
   * started after this call has finished, so whatever was committed before
   * the call (an erasure, say) is then in the shards and in no journal.
   */
  compact(): Promise<void> {
    if (this.closed) return Promise.reject(new Error('The store is closed'));
    if (!this.compacting) {
      this.compacting = this.runCompaction().finally(() => {
        this.compacting = null;
      });
      return this.compacting;
    }
    // The running one may have written the shards before the caller's changes: queue one more.
    this.nextCompaction ??= this.compacting
      .catch(() => {})
      .then(() => {
        this.nextCompaction = null;
        return this.compact();
      });
    return this.nextCompaction;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    while (this.compacting || this.nextCompaction) await (this.nextCompaction ?? this.compacting)!.catch(() => {});
    this.closed = true;
    if (this.compactTimer) clearTimeout(this.compactTimer);
    await this.journal.close();
    await releaseLock(this.dir, this.lockToken, this.fs);
  }

  private async load(): Promise<void> {
    await this.removeTempFiles();
    const manifest = await readManifest(this.dir, this.fs);
    this.generation = manifest.generation;
    const journals = await listJournals(this.dir, this.fs);
    // The shards hold everything before journal-<generation>, which a compaction
    // creates before it writes the manifest: if it is missing, journals were lost
    // or the manifest is not this folder's. Stop rather than delete anything.
    if (this.generation > 0 && !journals.includes(this.generation)) {
      throw new Error(
        `${path.join(this.dir, 'manifest.json')} says generation ${this.generation}, but ${path.basename(this.journalFile(this.generation))} is missing ` +
          `(journals present: ${journals.length ? journals.map((n) => `journal-${n}.jsonl`).join(', ') : 'none'}). ` +
          'Nothing was changed. Restore the folder from a backup, or check that this is the right DATA_DIR.',
      );
    }
    const onDisk = new Set((await this.fs.readdir(path.join(this.dir, 'shards'))).filter((name) => name.endsWith('.json')).map((name) => name.slice(0, -5)));
    for (const name of manifest.shards ?? []) {
      if (!onDisk.has(name)) {
        throw new Error(`${this.shardPath(name)} is missing, but manifest.json lists it. Nothing was changed. Restore the folder from a backup.`);
      }
    }
    const files = [...onDisk].sort().flatMap((name) => {
      const match = /^(.+)-(\d+)$/.exec(name);
      // Not a shard of a collection this version keeps: left alone.
      return match && this.data.has(match[1]) ? [{ name, collection: match[1], index: Number(match[2]) }] : [];
    });
    // Each file is read while the one before it is turned into records, so
    // the main thread does not sit idle waiting for a read after every file.
    const read = (name: string) => {
      const reading = new DurableJSONFile<unknown>(this.shardPath(name), this.fs).read();
      reading.catch(() => {}); // awaited below; not unhandled if the file before it stops the load first
      return reading;
    };
    let next = files.length > 0 ? read(files[0].name) : null;
    for (let i = 0; i < files.length; i++) {
      const doc = await next;
      next = i + 1 < files.length ? read(files[i + 1].name) : null;
      this.loadShard(files[i].name, files[i].collection, files[i].index, doc);
      this.shardFiles.add(files[i].name);
    }
    for (const number of journals) {
      if (number < this.generation) continue;
      for (const change of await readJournal(this.journalFile(number), this.fs)) {
        this.apply(change);
        this.dirty.add(this.shardKey(change.c, change.id));
      }
    }
    // Journals already folded into the shards by a compaction that stopped before deleting them.
    for (const number of journals) if (number < this.generation) await this.fs.unlink(this.journalFile(number));
    this.journalNumber = Math.max(this.generation, ...journals);
    this.journal = await Journal.open(this.journalFile(this.journalNumber), {
      fs: this.fs,
      retry: this.options.retry ?? DEFAULT_RETRY,
      onHealth: (failure) => this.onWriteHealth(failure),
    });
  }

  private loadShard(name: string, collection: string, index: number, doc: unknown): void {
    const file = this.shardPath(name);
    const problem = shardProblem(doc);
    if (problem) throw new Error(`${file} is not a FrameCheck shard: ${problem}. Nothing was changed. Restore the folder from a backup.`);
    const shards = this.collection(collection);
    const shard = shards[index];
    const records = fromShardDoc(doc as ShardDoc);
    if (shard && shard.size === 0 && records.every((record) => shardIndex(record.id as string, shards.length) === index)) {
      // The usual case: the file fills its own, empty shard.
      for (const record of records) shard.set(record.id as string, record);
      // An id written twice in one file keeps its last record, as a later change would.
      const kept = shard.size === records.length ? records : records.filter((record) => shard.get(record.id as string) === record);
      this.loadListener?.(collection, kept);
    } else {
      // The file was written when the collection was spread over a different
      // number of files: each record is placed by its id and replaces what it
      // finds there, like a change.
      for (const record of records) this.set(collection, record.id as string, record);
    }
  }

  /** Temp files of writes a crash interrupted: never read, and they may hold erased data. */
  private async removeTempFiles(): Promise<void> {
    for (const folder of [this.dir, path.join(this.dir, 'shards')]) {
      for (const name of await this.fs.readdir(folder)) {
        if (name.endsWith(TEMP_SUFFIX)) await this.fs.unlink(path.join(folder, name));
      }
    }
  }

  private async runCompaction(): Promise<void> {
    try {
      await this.foldJournal();
    } catch (error) {
      this.compactionFailed(error as Error);
      throw new StoreUnavailableError(
        'FrameCheck saved this, but could not finish tidying its files (the server’s disk refused it). It will try again by itself.',
        error as Error,
      );
    }
    if (this.compactFailure) this.log(`Compaction works again (it had failed: ${describe(this.compactFailure)}).`);
    this.compactFailure = null;
    this.compactDelay = (this.options.compactRetry ?? DEFAULT_COMPACT_RETRY).firstMs;
    this.compactRetryAt = 0;
  }

  /**
   * New changes go to a new journal; every shard with changes is written;
   * then the manifest moves to the new journal's number and the old journals
   * are deleted. A failure at any step leaves the manifest and the old
   * journals as they were, and the shards not written stay dirty.
   */
  private async foldJournal(): Promise<void> {
    const journalFailure = this.journal.failing;
    if (journalFailure) throw journalFailure;
    const next = Math.max(...(await listJournals(this.dir, this.fs)), this.generation, this.journalNumber) + 1;
    // Resolves once every change committed so far is on disk (or refused and undone).
    await this.journal.rotate(this.journalFile(next));
    this.journalNumber = next;
    for (const key of [...this.dirty]) {
      const [collection, index] = splitShardKey(key);
      // Taken in one go: changes that become durable from here on mark the shard dirty again.
      this.dirty.delete(key);
      const doc = toShardDoc(this.durableRecords(collection, index));
      const name = `${collection}-${index}`;
      try {
        const low = new Low<ShardDoc>(new DurableJSONFile(this.shardPath(name), this.fs), doc);
        await low.write();
      } catch (error) {
        this.dirty.add(key);
        throw error;
      }
      this.shardFiles.add(name);
    }
    const manifest: Manifest = { version: 2, generation: next, shards: [...this.shardFiles].sort() };
    await writeFileDurably(path.join(this.dir, 'manifest.json'), JSON.stringify(manifest), this.fs);
    this.generation = next;
    for (const number of await listJournals(this.dir, this.fs)) {
      if (number < next) await this.fs.unlink(this.journalFile(number));
    }
    await syncFolder(this.dir, this.fs);
  }

  private compactionFailed(error: Error): void {
    const policy = this.options.compactRetry ?? DEFAULT_COMPACT_RETRY;
    if (!this.compactFailure) this.log(`Compaction failed (${describe(error)}); the journal keeps every change, and it will be tried again.`);
    this.compactFailure = error;
    this.compactRetryAt = Date.now() + this.compactDelay;
    if (this.compactTimer) clearTimeout(this.compactTimer);
    this.compactTimer = setTimeout(() => {
      this.compactTimer = null;
      if (!this.closed && this.compactFailure) this.compact().catch(() => {});
    }, this.compactDelay);
    this.compactTimer.unref();
    this.compactDelay = Math.min(this.compactDelay * 2, policy.maxMs);
  }

  private onWriteHealth(failure: Error | null): void {
    if (failure) {
      this.writeFailure = { error: failure, since: new Date() };
      this.log(`Writes are failing: ${describe(failure)}. Changes are refused (nothing is acknowledged that is not on disk) until the disk takes them again.`);
      return;
    }
    const since = this.writeFailure?.since;
    this.writeFailure = null;
    this.log(`Writes work again${since ? ` after ${((Date.now() - since.getTime()) / 1000).toFixed(1)} s` : ''}.`);
  }

  /** The records of a shard as the disk has them: changes still being written are left out. */
  private *durableRecords(collection: string, index: number): Iterable<unknown> {
    const waiting = this.pending.get(collection);
    const shard = this.collection(collection)[index];
    for (const [id, value] of shard) {
      const queue = waiting?.get(id);
      if (!queue) yield value;
      else if (queue[0] !== undefined) yield queue[0];
    }
    if (!waiting) return;
    const count = this.collection(collection).length;
    for (const [id, queue] of waiting) {
      if (queue[0] !== undefined && !shard.has(id) && shardIndex(id, count) === index) yield queue[0];
    }
  }

  private pendingOf(collection: string): Map<string, unknown[]> {
    let waiting = this.pending.get(collection);
    if (!waiting) this.pending.set(collection, (waiting = new Map()));
    return waiting;
  }

  /** A commit is on disk (its entries are the oldest) or refused (they are the newest). */
  private settle(collection: string, id: string, which: 'oldest' | 'newest'): void {
    const waiting = this.pending.get(collection)!;
    const queue = waiting.get(id)!;
    if (which === 'oldest') queue.shift();
    else queue.pop();
    if (queue.length === 0) waiting.delete(id);
  }

  /** Applies a change in memory; returns the record as it was. */
  private apply(change: Change): unknown {
    return this.set(change.c, change.id, change.v);
  }

  private set(collection: string, id: string, value: unknown): unknown {
    const shard = this.shardMap(collection, id);
    const before = shard.get(id);
    if (value === undefined) shard.delete(id);
    else shard.set(id, value);
    this.notify(collection, id, before, value);
    return before;
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

  private shardKey(collection: string, id: string): string {
    return `${collection}#${shardIndex(id, this.collection(collection).length)}`;
  }

  private shardPath(name: string): string {
    return path.join(this.dir, 'shards', `${name}.json`);
  }

  private journalFile(number: number): string {
    return path.join(this.dir, `journal-${number}.jsonl`);
  }
}

function describe(error: Error): string {
  const cause = error instanceof JournalWriteError || error instanceof StoreUnavailableError ? (error.cause ?? error) : error;
  const code = errorCode(cause);
  return code && !cause.message.includes(code) ? `${code}: ${cause.message}` : cause.message;
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

export async function readManifest(dir: string, fs: StoreFs = nodeFs): Promise<Manifest> {
  const file = path.join(dir, 'manifest.json');
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return { version: 2, generation: 0, shards: [] };
    throw error;
  }
  let manifest: Manifest;
  try {
    manifest = JSON.parse(text) as Manifest;
  } catch (error) {
    throw new Error(`${file} is not valid JSON: ${(error as Error).message}`);
  }
  const valid =
    typeof manifest === 'object' &&
    manifest !== null &&
    Number.isInteger(manifest.generation) &&
    manifest.generation >= 0 &&
    (manifest.version === 1 || (manifest.version === 2 && Array.isArray(manifest.shards) && manifest.shards.every((name) => typeof name === 'string')));
  if (!valid) throw new Error(`${file} is not a FrameCheck manifest. Nothing was changed. Restore the folder from a backup.`);
  return manifest;
}

export async function listJournals(dir: string, fs: StoreFs = nodeFs): Promise<number[]> {
  const names = await fs.readdir(dir);
  return names
    .map((name) => /^journal-(\d+)\.jsonl$/.exec(name))
    .filter((match): match is RegExpExecArray => match !== null)
    .map((match) => Number(match[1]))
    .sort((a, b) => a - b);
}
