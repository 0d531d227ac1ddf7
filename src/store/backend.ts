// The one async store door. Features and scripts read and write through a
// StoreBackend and never know whether the embedded store (embedded.ts) or
// PostgreSQL (postgres/) is behind it.
import type { RateLimiterAbstract } from 'rate-limiter-flexible';
import type { Attempt, CollectionName, Collections, SessionRecord, User } from './types.ts';
import type { IndexedField, UniqueKeyName } from './schema.ts';

/** Whether writes currently succeed (for /healthz): a full disk, or a database that refuses them. */
export type Health = { ok: true } | { ok: false; reason: string; since: Date };

export type * from './types.ts';
export type { IndexedField, UniqueKeyName } from './schema.ts';

/**
 * One change in a commit. `put` stores the whole record (insert or replace);
 * `insert` fails with a conflict when the id exists; `remove` deletes if
 * present; `take` deletes and fails with a conflict when it is already gone
 * (a one-time code redeemed twice).
 */
export interface StoreChange {
  c: CollectionName;
  id: string;
  v?: unknown;
  mode?: 'insert' | 'take';
}

export function put<C extends CollectionName>(collection: C, record: Collections[C]): StoreChange {
  return { c: collection, id: record.id, v: record };
}

export function insert<C extends CollectionName>(collection: C, record: Collections[C]): StoreChange {
  return { c: collection, id: record.id, v: record, mode: 'insert' };
}

export function remove(collection: CollectionName, id: string): StoreChange {
  return { c: collection, id };
}

export function take(collection: CollectionName, id: string): StoreChange {
  return { c: collection, id, mode: 'take' };
}

/**
 * A commit refused because it would break a unique key (`users.username`),
 * insert an id that exists, or take a record that is gone (`parentCodes.id`).
 * Nothing of the commit was applied.
 */
export class StoreConflict extends Error {
  constructor(
    /** a name from UNIQUE_KEYS, or `${collection}.id` */
    readonly key: UniqueKeyName | `${CollectionName}.id`,
  ) {
    super(`Store conflict on ${key}`);
    this.name = 'StoreConflict';
  }
}

export function isConflict(error: unknown, ...keys: string[]): error is StoreConflict {
  return error instanceof StoreConflict && (keys.length === 0 || keys.includes(error.key));
}

export interface RateLimiterOptions {
  keyPrefix: string;
  points: number;
  duration: number;
}

/** A session and the account signed in with it, as every request reads them. */
export interface SessionAndUser {
  session: SessionRecord | undefined;
  user: User | undefined;
}

/** One student's attempts at one lesson, summed up: what progress pages show. */
export interface AttemptTotal {
  studentId: string;
  lessonId: string;
  attempts: number;
  bestPercent: number;
  /** whether any attempt passed */
  passed: boolean;
  lastAttemptAt: string;
}

/** Sums attempts up per student and lesson (the embedded store's attemptTotals, and the meaning of PostgreSQL's). */
export function totalAttempts(attempts: Iterable<Attempt>): AttemptTotal[] {
  const all: AttemptTotal[] = [];
  // studentId -> lessonId -> total: no key text built per attempt (a student's home sums up all their attempts).
  const byStudent = new Map<string, Map<string, AttemptTotal>>();
  for (const attempt of attempts) {
    let totals = byStudent.get(attempt.studentId);
    if (!totals) byStudent.set(attempt.studentId, (totals = new Map()));
    const total = totals.get(attempt.lessonId);
    if (!total) {
      const first = { studentId: attempt.studentId, lessonId: attempt.lessonId, attempts: 1, bestPercent: attempt.percent, passed: attempt.passed, lastAttemptAt: attempt.at };
      totals.set(attempt.lessonId, first);
      all.push(first);
      continue;
    }
    total.attempts += 1;
    if (attempt.percent > total.bestPercent) total.bestPercent = attempt.percent;
    if (attempt.passed) total.passed = true;
    if (attempt.at > total.lastAttemptAt) total.lastAttemptAt = attempt.at;
  }
  return all;
}

/** Told when pages built from some version counters may be stale; 'all' after a reconnect. */
export type InvalidationListener = (keys: string[] | 'all') => void;

export interface StoreBackend {
  readonly kind: 'embedded' | 'postgres';
  /** signs session cookies; the same for every instance of one deployment */
  readonly secret: string;
  get<C extends CollectionName>(collection: C, id: string): Promise<Collections[C] | undefined>;
  /**
   * A session and the user signed in with it, read together (one round trip
   * on PostgreSQL): every request starts with this read. The user is
   * undefined for an anonymous session or an account that is gone.
   */
  sessionAndUser(sessionId: string): Promise<SessionAndUser>;
  /**
   * These students' attempts summed up per lesson (in no particular order):
   * a class page needs 35 x 12 totals, not every attempt of a year of retakes.
   */
  attemptTotals(studentIds: string[]): Promise<AttemptTotal[]>;
  /** the records with these ids that exist, in no particular order */
  getMany<C extends CollectionName>(collection: C, ids: string[]): Promise<Collections[C][]>;
  /** records whose indexed field equals value (usernames without regard to case) */
  find<C extends CollectionName>(collection: C, field: IndexedField<C>, value: string): Promise<Collections[C][]>;
  /** records whose indexed field equals any of the values (one round trip for a whole class) */
  findAny<C extends CollectionName>(collection: C, field: IndexedField<C>, values: string[]): Promise<Collections[C][]>;
  list<C extends CollectionName>(collection: C): Promise<Collections[C][]>;
  count(collection: CollectionName): Promise<number>;
  /** all or nothing; resolves once durable; rejects with StoreConflict on a unique key */
  commit(changes: StoreChange[]): Promise<void>;
  /**
   * Removes the student's account and every record about them, from every
   * file or table, and scrubs their name from audit events about them
   * (schema.ts scrubbedEvent); `also` is committed with it, all or nothing
   * (the audit event that records the erasure).
   */
  eraseStudent(studentId: string, also?: StoreChange[]): Promise<void>;
  /** page version counters (see schema.ts versionKeysOf); 0 for a key never bumped */
  versions(keys: string[]): Promise<number[]>;
  onInvalidate(listener: InvalidationListener): void;
  /** whether writes currently succeed; turns good again by itself once they do */
  health(): Health;
  /** a rate limiter whose counts every instance of the deployment shares */
  rateLimiter(options: RateLimiterOptions): RateLimiterAbstract;
  close(): Promise<void>;
}
