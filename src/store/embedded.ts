// The embedded backend: the lowdb + journal Store (index.ts) behind the async
// door. Reads stay in memory; commit checks the unique keys of schema.ts
// before handing the batch to the Store, which applies it at once, so a
// check-then-write cannot interleave with another request.
import { RateLimiterMemory } from 'rate-limiter-flexible';
import { Store, type StoreOptions } from './index.ts';
import { StoreConflict, put, totalAttempts, type AttemptTotal, type Health, type SessionAndUser, type InvalidationListener, type RateLimiterOptions, type StoreBackend, type StoreChange } from './backend.ts';
import { FieldIndex } from './field-index.ts';
import { STUDENT_RECORDS, UNIQUE_KEYS, scrubbedEvent, uniqueKeysOf, uniqueValue, versionKeysOf, type IndexedField, type UniqueKey, type UniqueKeyName } from './schema.ts';
import type { AuditEvent, CollectionName, Collections } from './types.ts';

type Row = Record<string, unknown>;

/** Looked up on every change: worked out once. */
const uniqueKeysByCollection = new Map<string, [UniqueKeyName, UniqueKey][]>(
  (Object.keys(UNIQUE_KEYS) as UniqueKeyName[]).map((name) => [UNIQUE_KEYS[name].collection, uniqueKeysOf(UNIQUE_KEYS[name].collection)]),
);

export class EmbeddedBackend implements StoreBackend {
  readonly kind = 'embedded';
  /** unique key -> value -> ids holding it (one id, unless a commit is being undone) */
  private owners = new Map<UniqueKeyName, FieldIndex>();
  private counters = new Map<string, number>();
  private counter = 0;

  private constructor(readonly store: Store) {}

  static async open(dataDir: string, options: StoreOptions = {}): Promise<EmbeddedBackend> {
    const backend = new EmbeddedBackend(await Store.open(dataDir, options));
    backend.indexUniqueKeys();
    return backend;
  }

  get secret(): string {
    return this.store.secret;
  }

  private indexUniqueKeys(): void {
    for (const name of Object.keys(UNIQUE_KEYS) as UniqueKeyName[]) {
      const key = UNIQUE_KEYS[name];
      const owners = new FieldIndex();
      this.owners.set(name, owners);
      for (const record of this.store.all(key.collection)) {
        const value = uniqueValue(key, record as unknown as Row);
        if (value !== null) owners.add(value, (record as { id: string }).id);
      }
    }
    this.store.onChange((collection, before, after) => {
      const record = (after ?? before) as Row | undefined;
      if (!record) return;
      const id = String(record.id);
      for (const [name, key] of uniqueKeysByCollection.get(collection) ?? []) {
        const owners = this.owners.get(name)!;
        const old = before ? uniqueValue(key, before as Row) : null;
        if (old !== null) owners.remove(old, id);
        const value = after ? uniqueValue(key, after as Row) : null;
        if (value !== null) owners.add(value, id);
      }
      for (const versionKey of versionKeysOf(collection, record)) this.counters.set(versionKey, ++this.counter);
    });
  }

  health(): Health {
    return this.store.health();
  }

  async get<C extends CollectionName>(collection: C, id: string): Promise<Collections[C] | undefined> {
    return this.store.get(collection, id);
  }

  async sessionAndUser(sessionId: string): Promise<SessionAndUser> {
    const session = this.store.get('sessions', sessionId);
    return { session, user: session?.userId ? this.store.get('users', session.userId) : undefined };
  }

  async attemptTotals(studentIds: string[]): Promise<AttemptTotal[]> {
    return totalAttempts([...new Set(studentIds)].flatMap((studentId) => this.store.find('attempts', 'studentId', studentId)));
  }

  async getMany<C extends CollectionName>(collection: C, ids: string[]): Promise<Collections[C][]> {
    const records: Collections[C][] = [];
    for (const id of ids) {
      const record = this.store.get(collection, id);
      if (record) records.push(record);
    }
    return records;
  }

  async find<C extends CollectionName>(collection: C, field: IndexedField<C>, value: string): Promise<Collections[C][]> {
    return this.store.find(collection, field as never, value);
  }

  async findAny<C extends CollectionName>(collection: C, field: IndexedField<C>, values: string[]): Promise<Collections[C][]> {
    return [...new Set(values)].flatMap((value) => this.store.find(collection, field as never, value));
  }

  async list<C extends CollectionName>(collection: C): Promise<Collections[C][]> {
    return [...this.store.all(collection)];
  }

  async count(collection: CollectionName): Promise<number> {
    return this.store.count(collection);
  }

  commit(changes: StoreChange[]): Promise<void> {
    try {
      this.check(changes);
    } catch (error) {
      return Promise.reject(error);
    }
    return this.store.commit(changes.map(({ c, id, v }) => (v === undefined ? { c, id } : { c, id, v })));
  }

  /** Throws StoreConflict if applying the changes in order would break a key. Runs synchronously with the apply. */
  private check(changes: StoreChange[]): void {
    const batch = new Map<string, Row | undefined>();
    const slot = (c: string, id: string) => `${c}\u0000${id}`;
    const current = (c: CollectionName, id: string): Row | undefined => {
      const k = slot(c, id);
      return batch.has(k) ? batch.get(k) : (this.store.get(c, id) as Row | undefined);
    };
    const claimed = new Map<string, Set<string>>();
    for (const change of changes) {
      const existing = current(change.c, change.id);
      if (change.mode === 'insert' && existing) throw new StoreConflict(`${change.c}.id`);
      if (change.mode === 'take' && !existing) throw new StoreConflict(`${change.c}.id`);
      const record = change.v as Row | undefined;
      if (record) {
        for (const [name, key] of uniqueKeysByCollection.get(change.c) ?? []) {
          const value = uniqueValue(key, record);
          if (value === null) continue;
          const candidates = new Set([...this.owners.get(name)!.ids(value), ...(claimed.get(`${name}\u0000${value}`) ?? [])]);
          for (const ownerId of candidates) {
            if (ownerId === change.id) continue;
            const owner = current(change.c, ownerId);
            if (owner && uniqueValue(key, owner) === value) throw new StoreConflict(name);
          }
          const claim = `${name}\u0000${value}`;
          if (!claimed.has(claim)) claimed.set(claim, new Set());
          claimed.get(claim)!.add(change.id);
        }
      }
      batch.set(slot(change.c, change.id), record);
    }
  }

  async eraseStudent(studentId: string, also: StoreChange[] = []): Promise<void> {
    const changes: StoreChange[] = [{ c: 'users', id: studentId }];
    for (const [collection, field] of STUDENT_RECORDS) {
      for (const record of this.store.find(collection, field as never, studentId)) changes.push({ c: collection, id: (record as { id: string }).id });
    }
    for (const event of this.store.find('auditEvents', 'targetUserId', studentId)) changes.push(put('auditEvents', scrubbedEvent(event)));
    // An event committed with the erasure must not name the student either.
    for (const change of also) {
      const event = change.c === 'auditEvents' ? (change.v as AuditEvent | undefined) : undefined;
      changes.push(event?.targetUserId === studentId ? { ...change, v: scrubbedEvent(event) } : change);
    }
    await this.commit(changes);
    // Fold the journal now, so the erased data leaves the files without waiting.
    await this.store.compact();
  }

  async versions(keys: string[]): Promise<number[]> {
    return keys.map((key) => this.counters.get(key) ?? 0);
  }

  /** One process holds all the data: nothing changes behind this instance's back. */
  onInvalidate(_listener: InvalidationListener): void {}

  rateLimiter(options: RateLimiterOptions): RateLimiterMemory {
    return new RateLimiterMemory(options);
  }

  /** Folds the journal into the shard files (tests and the backup script use it). */
  compact(): Promise<void> {
    return this.store.compact();
  }

  close(): Promise<void> {
    return this.store.close();
  }
}
