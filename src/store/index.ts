// The only door to storage. Features read typed records from memory through
// indexes and write by committing changes, which resolve once on disk.
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { Engine } from './engine.ts';
import { writeFileDurably } from './durable-file.ts';
import type { Change } from './journal.ts';
import type { CollectionName, Collections } from './types.ts';

export type * from './types.ts';
export type { Change } from './journal.ts';

/** Secondary indexes: collection -> index name -> the field it groups by. */
const INDEXES: { [C in CollectionName]: (keyof Collections[C] & string)[] } = {
  users: ['username'],
  sessions: ['userId'],
  classes: ['teacherId', 'joinCode'],
  memberships: ['classId', 'studentId'],
  assignments: ['classId'],
  attempts: ['studentId'],
  lessonOpens: ['studentId'],
  parentCodes: ['studentId'],
  parentLinks: ['parentId', 'studentId'],
  checkups: ['classId'],
  checkupResponses: ['checkupId', 'studentId'],
  checkupSittings: ['checkupId', 'studentId'],
  researchIds: ['classId', 'studentId'],
};

/** How many lowdb documents each collection is spread over (write cost of a compaction). */
const SHARDS: Record<CollectionName, number> = {
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
};

export interface StoreOptions {
  compactBytes?: number;
}

/** Index keys are case-folded so that usernames are unique without regard to case. */
function indexKey(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  return String(value).toLowerCase();
}

export class Store {
  private indexes = new Map<string, Map<string, Set<string>>>();

  private constructor(
    private engine: Engine,
    /** signs session cookies; made once per data folder so sessions survive a restart */
    readonly secret: string,
  ) {}

  static async open(dataDir: string, options: StoreOptions = {}): Promise<Store> {
    const indexes = new Map<string, Map<string, Set<string>>>();
    const onApply = (collection: string, id: string, before: unknown, after: unknown) => {
      for (const field of INDEXES[collection as CollectionName] as string[]) {
        const index = indexes.get(`${collection}.${field}`) ?? new Map<string, Set<string>>();
        indexes.set(`${collection}.${field}`, index);
        const oldKey = before ? indexKey((before as Record<string, unknown>)[field]) : null;
        const newKey = after ? indexKey((after as Record<string, unknown>)[field]) : null;
        if (oldKey === newKey && before && after) continue;
        if (oldKey !== null) {
          const ids = index.get(oldKey);
          ids?.delete(id);
          if (ids && ids.size === 0) index.delete(oldKey);
        }
        if (newKey !== null) {
          let ids = index.get(newKey);
          if (!ids) index.set(newKey, (ids = new Set()));
          ids.add(id);
        }
      }
    };
    const engine = await Engine.open(
      dataDir,
      { shards: SHARDS, compactBytes: options.compactBytes ?? 32 * 1024 * 1024 },
      onApply,
    );
    const store = new Store(engine, await readOrCreateSecret(dataDir));
    store.indexes = indexes;
    return store;
  }

  get<C extends CollectionName>(collection: C, id: string): Collections[C] | undefined {
    return this.engine.get(collection, id) as Collections[C] | undefined;
  }

  /** Records whose indexed `field` equals `value` (case-insensitive). */
  find<C extends CollectionName>(
    collection: C,
    field: (typeof INDEXES)[C][number],
    value: string,
  ): Collections[C][] {
    const ids = this.indexes.get(`${collection}.${field}`)?.get(value.toLowerCase());
    if (!ids) return [];
    const records: Collections[C][] = [];
    for (const id of ids) {
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

  /** Resolves once every change is on disk; reads see them at once. */
  commit(changes: Change[]): Promise<void> {
    return this.engine.commit(changes);
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

async function readOrCreateSecret(dataDir: string): Promise<string> {
  const file = path.join(dataDir, 'session-secret');
  try {
    const existing = (await readFile(file, 'utf8')).trim();
    if (existing.length >= 32) return existing;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const secret = randomBytes(32).toString('hex');
  await writeFileDurably(file, secret);
  return secret;
}
