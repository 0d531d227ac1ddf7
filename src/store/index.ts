// The only door to storage. Features read typed records from memory through
// indexes and write by committing changes, which resolve once on disk.
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { Engine, type Health } from './engine.ts';
import { writeFileDurably } from './durable-file.ts';
import { errorCode, nodeFs, type StoreFs } from './file-system.ts';
import type { Change, RetryPolicy } from './journal.ts';
import type { CollectionName, Collections } from './types.ts';
import { INDEXED } from './schema.ts';
import { FieldIndex } from './field-index.ts';

export type * from './types.ts';
export type { Change } from './journal.ts';
export type { Health } from './engine.ts';
export { StoreUnavailableError } from './engine.ts';

/** Secondary indexes: collection -> the fields it is looked up by (declared once, for both backends). */
const INDEXES = INDEXED;

/** How many lowdb documents each collection is spread over (write cost of a compaction). */
const SHARDS: Record<CollectionName, number> = {
  schools: 1,
  classTeachers: 8,
  invites: 2,
  setupTokens: 1,
  auditEvents: 8,
  rosterBatches: 1,
  rosterSlips: 2,
  users: 16,
  sessions: 16,
  classes: 8,
  memberships: 16,
  assignments: 8,
  attempts: 64,
  lessonOpens: 16,
  parentCodes: 2,
  parentLinks: 4,
  checkups: 4,
  checkupResponses: 32,
  checkupSittings: 8,
  researchIds: 8,
  quizShapes: 1,
  scenarioRuns: 16,
  boosterResults: 16,
  practiceSettings: 2,
  ltiKeys: 1,
  ltiPlatforms: 1,
  ltiRegistrations: 1,
  ltiLogins: 4,
  ltiNonces: 4,
  ltiIdentities: 8,
  ltiContexts: 2,
  ltiResourceLinks: 2,
  ltiGrades: 8,
  ltiGradeClaims: 2,
};

export interface StoreOptions {
  compactBytes?: number;
  /** the file operations; tests pass a faulty one */
  fs?: StoreFs;
  /** pauses before the disk is tried again after a refused write */
  retry?: RetryPolicy;
  /** pauses before a failed compaction is tried again */
  compactRetry?: RetryPolicy;
  /** where write failures and recoveries are reported (once each); console.error by default */
  log?: (message: string) => void;
}

/** Only usernames are case-folded (unique without regard to case); ids are compared as they are. */
const FOLDED = new Set(['users.username']);

function indexKey(value: unknown, folded: boolean): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string') return folded ? value.toLowerCase() : value;
  return String(value);
}

/**
 * Fields that repeat the same few values across hundreds of thousands of
 * records (a lesson id in every attempt): one shared string each saves memory.
 */
const INTERNED: Partial<Record<CollectionName, string[]>> = {
  attempts: ['studentId', 'lessonId'],
  lessonOpens: ['studentId', 'lessonId'],
  checkupResponses: ['checkupId', 'studentId'],
  memberships: ['classId', 'studentId'],
  assignments: ['classId', 'lessonId'],
};

/** How each collection's records are indexed and interned, worked out once. */
interface Plan {
  /** fields interned through the `strings` table: those no index gives a shared copy of */
  intern: string[];
  indexes: { field: string; folded: boolean; index: FieldIndex; interned: boolean }[];
}

export class Store {
  private indexes = new Map<string, FieldIndex>();
  private listeners: ((collection: CollectionName, before: unknown, after: unknown) => void)[] = [];

  private constructor(
    private engine: Engine,
    /** signs session cookies; made once per data folder so sessions survive a restart */
    readonly secret: string,
  ) {}

  static async open(dataDir: string, options: StoreOptions = {}): Promise<Store> {
    const indexes = new Map<string, FieldIndex>();
    const strings = new Map<string, string>();
    const intern = (value: string) => {
      const known = strings.get(value);
      if (known !== undefined) return known;
      strings.set(value, value);
      return value;
    };
    let listeners: ((collection: CollectionName, before: unknown, after: unknown) => void)[] = [];
    // This runs for every record at start-up (a million in a district), so it stays lean:
    // an interned field that is also indexed takes the index's copy of its value
    // (one lookup instead of two).
    const plans = new Map<string, Plan>();
    for (const collection of Object.keys(INDEXES) as CollectionName[]) {
      const interned = INTERNED[collection] ?? [];
      const planIndexes = (INDEXES[collection] as readonly string[]).map((field) => {
        const name = `${collection}.${field}`;
        const index = new FieldIndex();
        indexes.set(name, index);
        const folded = FOLDED.has(name);
        return { field, folded, index, interned: !folded && interned.includes(field) };
      });
      plans.set(collection, {
        intern: interned.filter((field) => !planIndexes.some((entry) => entry.interned && entry.field === field)),
        indexes: planIndexes,
      });
    }
    const onApply = (collection: string, id: string, before: unknown, after: unknown) => {
      for (const listener of listeners) listener(collection as CollectionName, before, after);
      const record = after as Record<string, unknown> | undefined;
      const plan = plans.get(collection)!;
      if (record) {
        for (const field of plan.intern) {
          const value = record[field];
          if (typeof value === 'string') record[field] = intern(value);
        }
      }
      for (const { field, folded, index, interned } of plan.indexes) {
        const oldKey = before ? indexKey((before as Record<string, unknown>)[field], folded) : null;
        const value = record?.[field];
        const newKey = record ? indexKey(value, folded) : null;
        if (oldKey === newKey && before && record) {
          const shared = interned && typeof value === 'string' ? index.sharedKey(value) : undefined;
          if (shared !== undefined) record[field] = shared;
          continue;
        }
        if (oldKey !== null) index.remove(oldKey, id);
        if (newKey !== null) {
          const shared = index.add(newKey, id);
          if (interned && typeof value === 'string') record![field] = shared;
        }
      }
    };
    // The records of a shard file at start-up: each is new (the engine sends a
    // record whose id was already loaded to onApply instead), and no listener is
    // registered yet. One field at a time over the whole shard.
    const onLoad = (collection: string, records: readonly Record<string, unknown>[]) => {
      const plan = plans.get(collection)!;
      for (const field of plan.intern) {
        for (const record of records) {
          const value = record[field];
          if (typeof value === 'string') record[field] = intern(value);
        }
      }
      for (const { field, folded, index, interned } of plan.indexes) {
        for (const record of records) {
          const value = record[field];
          const key = indexKey(value, folded);
          if (key === null) continue;
          const shared = index.add(key, record.id as string);
          if (interned && typeof value === 'string') record[field] = shared;
        }
      }
    };
    const { compactBytes = 32 * 1024 * 1024, ...engineOptions } = options;
    const engine = await Engine.open(dataDir, { shards: SHARDS, compactBytes, ...engineOptions }, { apply: onApply, load: onLoad });
    let secret: string;
    try {
      secret = await readOrCreateSecret(dataDir, options.fs ?? nodeFs);
    } catch (error) {
      await engine.close();
      throw error;
    }
    const store = new Store(engine, secret);
    store.indexes = indexes;
    listeners = store.listeners;
    return store;
  }

  get<C extends CollectionName>(collection: C, id: string): Collections[C] | undefined {
    return this.engine.get(collection, id) as Collections[C] | undefined;
  }

  /** Records whose indexed `field` equals `value` (usernames without regard to case). */
  find<C extends CollectionName>(
    collection: C,
    field: (typeof INDEXES)[C][number],
    value: string,
  ): Collections[C][] {
    const name = `${collection}.${field}`;
    const index = this.indexes.get(name);
    if (!index) return [];
    const records: Collections[C][] = [];
    for (const id of index.ids(FOLDED.has(name) ? value.toLowerCase() : value)) {
      const record = this.get(collection, id);
      if (record) records.push(record);
    }
    return records;
  }

  all<C extends CollectionName>(collection: C): Iterable<Collections[C]> {
    return this.engine.all(collection) as Iterable<Collections[C]>;
  }

  count(collection: CollectionName): number {
    return this.engine.count(collection);
  }

  /** Calls `listener` with every change applied from now on (caches use it to know when to forget). */
  onChange(listener: (collection: CollectionName, before: unknown, after: unknown) => void): void {
    this.listeners.push(listener);
  }

  /**
   * Resolves once every change is on disk; reads see them at once. If the
   * disk refuses them, rejects with a StoreUnavailableError and the changes
   * are taken back out of memory.
   */
  commit(changes: Change[]): Promise<void> {
    return this.engine.commit(changes);
  }

  /** Whether writes currently reach the disk (for /healthz). */
  health(): Health {
    return this.engine.health();
  }

  compact(): Promise<void> {
    return this.engine.compact();
  }

  close(): Promise<void> {
    return this.engine.close();
  }
}

/** A change that stores the whole record. */
export function put<C extends CollectionName>(collection: C, record: Collections[C]): Change {
  return { c: collection, id: record.id, v: record };
}

/** A change that deletes the record. */
export function remove(collection: CollectionName, id: string): Change {
  return { c: collection, id };
}

async function readOrCreateSecret(dataDir: string, fs: StoreFs): Promise<string> {
  const file = path.join(dataDir, 'session-secret');
  try {
    const existing = (await fs.readFile(file, 'utf8')).trim();
    if (existing.length >= 32) return existing;
  } catch (error) {
    if (errorCode(error) !== 'ENOENT') throw error;
  }
  const secret = randomBytes(32).toString('hex');
  await writeFileDurably(file, secret, fs);
  return secret;
}
