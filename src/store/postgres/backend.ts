// The PostgreSQL backend: any number of FrameCheck instances share one
// database. Records are rows of `records` (see migrations/); a commit is one
// transaction that also bumps the page version counters; after it commits,
// a NOTIFY tells the other instances which pages to forget.
import { randomBytes, randomUUID } from 'node:crypto';
import pg from 'pg';
import { RateLimiterPostgres } from 'rate-limiter-flexible';
import { StoreConflict, type AttemptTotal, type Health, type SessionAndUser, type InvalidationListener, type RateLimiterOptions, type StoreBackend, type StoreChange } from '../backend.ts';
import { INDEXED, STUDENT_RECORDS, UNIQUE_KEYS, isFolded, scrubbedEvent, uniqueIndexName, versionKey, versionKeysOf, type IndexedField, type UniqueKeyName } from '../schema.ts';
import type { CollectionName, Collections } from '../types.ts';
import { migrate, quoteIdent } from './migrate.ts';
import { ChangeListener } from './listener.ts';
import { SessionCache, sessionDigest } from './session-cache.ts';
import { GroupedWrites } from './grouped-writes.ts';

export interface PostgresOptions {
  url: string;
  /** the schema holding FrameCheck's tables; tests give each app its own */
  schema?: string;
  /** connections in the pool */
  poolSize?: number;
}

const CONSTRAINT_KEYS = new Map<string, UniqueKeyName>(
  (Object.keys(UNIQUE_KEYS) as UniqueKeyName[]).map((name) => [uniqueIndexName(name), name]),
);

/** Collection and field names go into SQL text (so partial and expression indexes apply); only these shapes are allowed. */
function literal(name: string): string {
  if (!/^[A-Za-z][A-Za-z0-9]*$/.test(name)) throw new Error(`Not a collection or field name: "${name}"`);
  return `'${name}'`;
}

/**
 * Every statement goes as a named prepared statement: PostgreSQL parses and
 * plans each text once per connection instead of on every request. The texts
 * are few (built from collection and field names), so the names stay few.
 */
const statementNames = new Map<string, string>();
function statement(text: string, values?: unknown[]): pg.QueryConfig {
  let name = statementNames.get(text);
  if (!name) statementNames.set(text, (name = `framecheck_${statementNames.size}`));
  return { name, text, values };
}

function fieldMatch(collection: string, field: string): string {
  if (!(INDEXED as Record<string, readonly string[]>)[collection]?.includes(field)) {
    throw new Error(`${collection}.${field} is not an indexed field (store/schema.ts INDEXED)`);
  }
  return isFolded(collection, field) ? `lower(data->>${literal(field)})` : `data->>${literal(field)}`;
}

export class PostgresBackend implements StoreBackend {
  readonly kind = 'postgres';
  private listeners: InvalidationListener[] = [];
  private readonly instance = randomUUID();
  private closed = false;
  /** set while writes fail for a reason other than a conflict (the database is down or refuses) */
  private failure: { reason: string; since: Date } | null = null;
  private probe: NodeJS.Timeout | null = null;
  /** version keys changed here and not yet announced to the other instances */
  private unannounced = new Set<string>();
  private announcing: NodeJS.Timeout | null = null;
  /** signed-in sessions read lately (session-cache.ts says why a kept one never outlives its end) */
  private readonly sessionCache = new SessionCache();
  /** plain-put commits that arrive while others are being written go together (grouped-writes.ts) */
  private readonly puts = new GroupedWrites<StoreChange[]>(PUT_STATEMENTS_AT_ONCE, (commits) => this.writePuts(commits.flat()));

  private constructor(
    private readonly pool: pg.Pool,
    private readonly channel: string,
    private readonly listener: ChangeListener,
    readonly secret: string,
  ) {}

  static async open(options: PostgresOptions): Promise<PostgresBackend> {
    const schema = options.schema ?? 'public';
    const connection = { connectionString: options.url, options: `-c search_path=${quoteIdent(schema)}` };
    const setup = new pg.Client({ connectionString: options.url });
    await setup.connect();
    try {
      await migrate(setup, schema);
    } finally {
      await setup.end();
    }
    // Named after FrameCheck and its schema, so that an operator (or a test) can tell its connections apart in pg_stat_activity.
    const pool = new pg.Pool({ ...connection, application_name: `framecheck:${schema}`.slice(0, 63), max: options.poolSize ?? 20, idleTimeoutMillis: IDLE_CONNECTION_MS });
    // An idle connection the server dropped must not take the process down.
    pool.on('error', (error) => console.error('PostgreSQL pool:', error.message));
    const secret = await sessionSecret(pool);
    const channel = `framecheck_changes_${schema}`.toLowerCase().replace(/[^a-z0-9_]/g, '_').slice(0, 63);
    let backend: PostgresBackend | undefined;
    const listener = new ChangeListener({ ...connection, application_name: 'framecheck-listener' }, channel, (payload) => backend?.received(payload));
    backend = new PostgresBackend(pool, channel, listener, secret);
    await listener.start();
    return backend;
  }

  /** A NOTIFY from an instance, or 'all' when the listening connection was lost and is back. */
  private received(payload: string | 'all'): void {
    if (payload === 'all') {
      this.sessionCache.clear();
      return this.invalidate('all');
    }
    const message = JSON.parse(payload) as AnnouncementMessage | AccountMessage;
    if (message.from === this.instance) return;
    if ('accounts' in message) {
      if (message.accounts === 'all') this.sessionCache.clear();
      else this.sessionCache.forget({ accounts: message.accounts, digests: message.digests });
    }
    if (message.keys === 'all' || message.keys.length) this.invalidate(message.keys);
  }

  private invalidate(keys: string[] | 'all'): void {
    for (const listener of this.listeners) listener(keys);
  }

  async get<C extends CollectionName>(collection: C, id: string): Promise<Collections[C] | undefined> {
    const result = await this.pool.query(statement(`select data from records where collection = ${literal(collection)} and id = $1`, [id]));
    return result.rows[0]?.data;
  }

  async sessionAndUser(sessionId: string): Promise<SessionAndUser> {
    // Served from memory only while the listening connection is up: notifications are how a kept session learns it ended.
    const kept = this.listener.listening ? this.sessionCache.get(sessionId) : undefined;
    if (kept) return kept;
    const readSince = this.sessionCache.begin();
    const found = await this.readSessionAndUser(sessionId);
    if (this.listener.listening) this.sessionCache.keep(sessionId, found, readSince);
    return found;
  }

  private async readSessionAndUser(sessionId: string): Promise<SessionAndUser> {
    const result = await this.pool.query(
      statement(
        `select s.data as session, u.data as "user" from records s
         left join records u on u.collection = 'users' and u.id = s.data->>'userId'
         where s.collection = 'sessions' and s.id = $1`,
        [sessionId],
      ),
    );
    const row = result.rows[0];
    return { session: row?.session, user: row?.user ?? undefined };
  }

  async attemptTotals(studentIds: string[]): Promise<AttemptTotal[]> {
    if (!studentIds.length) return [];
    // Summed up in the database: the rows sent are one per student and lesson, not one per attempt.
    // The times are ISO texts, compared byte by byte whatever the database's collation.
    const result = await this.pool.query(
      statement(
        `select data->>'studentId' as "studentId", data->>'lessonId' as "lessonId", count(*)::int as attempts,
           max((data->>'percent')::float8) as "bestPercent", bool_or((data->>'passed')::boolean) as passed, max(data->>'at' collate "C") as "lastAttemptAt"
         from records where collection = 'attempts' and ${fieldMatch('attempts', 'studentId')} = any($1)
         group by 1, 2`,
        [studentIds],
      ),
    );
    return result.rows;
  }

  async getMany<C extends CollectionName>(collection: C, ids: string[]): Promise<Collections[C][]> {
    if (!ids.length) return [];
    const result = await this.pool.query(statement(`select data from records where collection = ${literal(collection)} and id = any($1) order by seq`, [ids]));
    return result.rows.map((row) => row.data);
  }

  async find<C extends CollectionName>(collection: C, field: IndexedField<C>, value: string): Promise<Collections[C][]> {
    const match = fieldMatch(collection, field);
    const result = await this.pool.query(
      statement(`select data from records where collection = ${literal(collection)} and ${match} = ${isFolded(collection, field) ? 'lower($1)' : '$1'} order by seq`, [value]),
    );
    return result.rows.map((row) => row.data);
  }

  async findAny<C extends CollectionName>(collection: C, field: IndexedField<C>, values: string[]): Promise<Collections[C][]> {
    if (!values.length) return [];
    const folded = isFolded(collection, field);
    const result = await this.pool.query(
      statement(`select data from records where collection = ${literal(collection)} and ${fieldMatch(collection, field)} = any($1) order by seq`, [
        folded ? values.map((value) => value.toLowerCase()) : values,
      ]),
    );
    return result.rows.map((row) => row.data);
  }

  async list<C extends CollectionName>(collection: C): Promise<Collections[C][]> {
    const result = await this.pool.query(`select data from records where collection = ${literal(collection)} order by seq`);
    return result.rows.map((row) => row.data);
  }

  async count(collection: CollectionName): Promise<number> {
    const result = await this.pool.query(`select count(*)::int as n from records where collection = ${literal(collection)}`);
    return result.rows[0].n;
  }

  health(): Health {
    return this.failure ? { ok: false, ...this.failure } : { ok: true };
  }

  /**
   * Health follows writes: a refused write (not a conflict) marks the store
   * failing, logged once; a successful write or a probe every 2 s while failing
   * turns it good again, logged once.
   */
  private async tracked<T>(work: () => Promise<T>): Promise<T> {
    try {
      const result = await work();
      this.recovered();
      return result;
    } catch (error) {
      if (!(error instanceof StoreConflict) && !this.closed && !this.failure) {
        this.failure = { reason: `the database refused a write: ${(error as Error).message}`, since: new Date() };
        console.error(`Writes are failing: ${this.failure.reason}`);
        this.probe = setInterval(() => {
          this.pool.query('select 1').then(() => this.recovered(), () => {});
        }, 2000);
        this.probe.unref();
      }
      throw error;
    }
  }

  private recovered(): void {
    if (!this.failure) return;
    this.failure = null;
    if (this.probe) clearInterval(this.probe);
    this.probe = null;
    console.log('Writes work again');
  }

  commit(changes: StoreChange[]): Promise<void> {
    return this.tracked(() => this.commitChanges(changes));
  }

  private async commitChanges(changes: StoreChange[]): Promise<void> {
    if (!changes.length) return;
    const accounts = accountsTouched(changes);
    if (!accounts && changes.every((change) => change.v !== undefined && !change.mode)) return this.commitPuts(changes);
    // Forgotten before the write is sent and again once it is committed (a read in between may have kept the old row).
    if (accounts) this.sessionCache.forget(accounts);
    try {
      await this.commitInTransaction(changes, accounts);
    } finally {
      if (accounts) this.sessionCache.forget(accounts);
    }
  }

  private async commitInTransaction(changes: StoreChange[], accounts: AccountsTouched | null): Promise<void> {
    const bumped = await this.transaction(async (client) => {
      const keys = new Set<string>();
      for (let at = 0; at < changes.length; ) {
        const change = changes[at];
        if (change.v !== undefined && !change.mode) {
          // A run of plain puts goes in one statement (a quiz answer, or 5,000 records of a copy).
          let end = at;
          while (end < changes.length && changes[end].v !== undefined && !changes[end].mode) end++;
          const run = new Map<string, StoreChange>();
          for (const put of changes.slice(at, end)) {
            literal(put.c);
            run.set(`${put.c}\u0000${put.id}`, put);
            for (const key of versionKeysOf(put.c, put.v as Record<string, unknown>)) keys.add(key);
          }
          const rows = [...run.values()];
          await client.query(
            `insert into records (collection, id, data) select * from unnest($1::text[], $2::text[], $3::jsonb[])
             on conflict (collection, id) do update set data = excluded.data`,
            [rows.map((row) => row.c), rows.map((row) => row.id), rows.map((row) => JSON.stringify(row.v))],
          );
          at = end;
          continue;
        }
        at++;
        await applyChange(client, change, keys);
      }
      await bump(client, [...keys]);
      if (accounts) await this.notifyAccounts(client, accounts);
      return [...keys];
    }, changes);
    this.announce(bumped);
  }

  /**
   * Tells the other instances which accounts and sessions changed, from inside
   * the transaction: PostgreSQL delivers it as the transaction commits (and
   * never if it does not), so no instance serves a session after its end has
   * committed. Only sign-ins, sign-outs and account changes pay for this.
   */
  private async notifyAccounts(client: pg.PoolClient, touched: AccountsTouched): Promise<void> {
    const message: AccountMessage = { from: this.instance, keys: [], accounts: touched.accounts, digests: touched.sessions.map(sessionDigest) };
    let payload = JSON.stringify(message);
    if (payload.length > 7000) payload = JSON.stringify({ from: this.instance, keys: [], accounts: 'all' } satisfies AccountMessage);
    await client.query(statement('select pg_notify($1, $2)', [this.channel, payload]));
  }

  /**
   * The common commit (a quiz answer, a copy of many records): only
   * whole-record puts, written with their counters in one statement, which is
   * one round trip and its own transaction, shared with the commits that
   * arrived while the slots were busy.
   */
  private async commitPuts(changes: StoreChange[]): Promise<void> {
    if (this.closed) throw new Error('The store is closed');
    return this.puts.submit(changes);
  }

  /** Puts from one or more commits in one statement; of two puts of one record, the later commit's wins, as if one after the other. */
  private async writePuts(changes: StoreChange[]): Promise<void> {
    const rows = new Map<string, StoreChange>();
    const keys = new Set<string>();
    for (const change of changes) {
      literal(change.c);
      rows.set(`${change.c}\u0000${change.id}`, change);
      for (const key of versionKeysOf(change.c, change.v as Record<string, unknown>)) keys.add(key);
    }
    // In a fixed order, so two statements writing the same records (from two instances) cannot deadlock.
    const list = [...rows.values()].sort((a, b) => (a.c === b.c ? (a.id < b.id ? -1 : 1) : a.c < b.c ? -1 : 1));
    try {
      await this.pool.query(
        statement(
          `with written as (
             insert into records (collection, id, data) select * from unnest($1::text[], $2::text[], $3::jsonb[])
             on conflict (collection, id) do update set data = excluded.data
             returning 1
           )
           insert into versions (key, n) select unnest($4::text[]), 1 where (select count(*) from written) >= 0
           on conflict (key) do update set n = versions.n + 1`,
          [list.map((row) => row.c), list.map((row) => row.id), list.map((row) => JSON.stringify(row.v)), [...keys].sort()],
        ),
      );
    } catch (error) {
      throw asConflict(error);
    }
    this.announce([...keys]);
  }

  eraseStudent(studentId: string, also: StoreChange[] = []): Promise<void> {
    return this.tracked(() => this.eraseStudentRecords(studentId, also));
  }

  private async eraseStudentRecords(studentId: string, also: StoreChange[]): Promise<void> {
    // The student's sessions go with them (STUDENT_RECORDS): forgetting the account forgets those too.
    const alsoTouched = accountsTouched(also);
    const accounts: AccountsTouched = { accounts: [studentId, ...(alsoTouched?.accounts ?? [])], sessions: alsoTouched?.sessions ?? [] };
    this.sessionCache.forget(accounts);
    try {
      await this.eraseInTransaction(studentId, also, accounts);
    } finally {
      this.sessionCache.forget(accounts);
    }
  }

  private async eraseInTransaction(studentId: string, also: StoreChange[], accounts: AccountsTouched): Promise<void> {
    const bumped = await this.transaction(async (client) => {
      const keys = new Set<string>();
      // What is committed with the erasure (its audit event) goes first, so the scrub below covers it too.
      for (const change of also) await applyChange(client, change, keys);
      const scrubbed = scrubbedEvent({ target: '', targetUserId: studentId });
      await client.query(
        `update records set data = data || jsonb_build_object('target', $2::text, 'targetUserId', null)
         where collection = 'auditEvents' and ${fieldMatch('auditEvents', 'targetUserId')} = $1`,
        [studentId, scrubbed.target],
      );
      const gone: { collection: string; data: Record<string, unknown> }[] = [];
      const users = await client.query(`delete from records where collection = 'users' and id = $1 returning collection, data`, [studentId]);
      gone.push(...users.rows);
      for (const [collection, field] of STUDENT_RECORDS) {
        const result = await client.query(`delete from records where collection = ${literal(collection)} and ${fieldMatch(collection, field)} = $1 returning collection, data`, [studentId]);
        gone.push(...result.rows);
      }
      for (const { collection, data } of gone) for (const key of versionKeysOf(collection, data)) keys.add(key);
      const own = versionKey.student(studentId);
      keys.delete(own);
      await bump(client, [...keys]);
      // The student's own counter names them: it goes too.
      await client.query('delete from versions where key = $1', [own]);
      await this.notifyAccounts(client, accounts);
      return [...keys, own];
    });
    this.announce(bumped);
  }

  async versions(keys: string[]): Promise<number[]> {
    if (!keys.length) return [];
    const result = await this.pool.query<{ key: string; n: string }>(statement('select key, n from versions where key = any($1)', [keys]));
    const known = new Map(result.rows.map((row) => [row.key, Number(row.n)]));
    return keys.map((key) => known.get(key) ?? 0);
  }

  onInvalidate(listener: InvalidationListener): void {
    this.listeners.push(listener);
  }

  rateLimiter(options: RateLimiterOptions): RateLimiterPostgres {
    return new RateLimiterPostgres({ ...options, storeClient: this.pool, storeType: 'pool', tableName: 'rate_limits', tableCreated: true });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.probe) clearInterval(this.probe);
    if (this.announcing) clearTimeout(this.announcing);
    await this.sendAnnouncement();
    await this.listener.stop();
    await this.pool.end();
  }

  /** Runs `work` in one transaction; a unique violation becomes a StoreConflict and nothing is kept. */
  private async transaction<T>(work: (client: pg.PoolClient) => Promise<T>, _changes?: StoreChange[]): Promise<T> {
    if (this.closed) throw new Error('The store is closed');
    const client = await this.pool.connect();
    try {
      await client.query('begin');
      const result = await work(client);
      await client.query('commit');
      return result;
    } catch (error) {
      await client.query('rollback').catch(() => {});
      throw asConflict(error);
    } finally {
      client.release();
    }
  }

  /**
   * After the commit, never inside it: NOTIFY in a transaction serialises
   * every commit. Announcements are gathered for some milliseconds and sent
   * as one NOTIFY, so a burst of answers costs one statement instead of one
   * each. Nothing waits on them: other instances read the version counters
   * on every request, and a notification only frees their stale pages early.
   */
  private announce(keys: string[]): void {
    // A commit that finished while the store closed: the pool is gone, and the counters tell the rest.
    if (!keys.length || this.closed) return;
    for (const key of keys) this.unannounced.add(key);
    this.announcing ??= setTimeout(() => void this.sendAnnouncement(), ANNOUNCE_DELAY_MS);
  }

  private async sendAnnouncement(): Promise<void> {
    this.announcing = null;
    if (!this.unannounced.size) return;
    let payload = JSON.stringify({ from: this.instance, keys: [...this.unannounced] });
    this.unannounced.clear();
    if (payload.length > 7000) payload = JSON.stringify({ from: this.instance, keys: 'all' });
    await this.pool.query(statement('select pg_notify($1, $2)', [this.channel, payload])).catch((error) => console.error('PostgreSQL notify:', error.message));
  }
}

/**
 * How long a pooled connection may sit unused before it is closed. node-postgres
 * closes them after 10 s by default, so a class that answers a quiz after a
 * quiet spell found the pool empty: up to 20 connections opened at once per
 * instance (a PostgreSQL backend started for each, every statement prepared
 * again), and the first second's answers waited for them. Quiz answers after
 * 12 s of quiet, 50 connections over 2 instances: p99 234-288 ms and up to
 * 1 s, against 84-88 ms without the pause (docs/performance-notes.md).
 * A school's lessons go quiet for minutes, not hours; ten minutes keeps the
 * connections through a lesson and still lets an idle deployment give them back.
 */
const IDLE_CONNECTION_MS = 10 * 60 * 1000;

/**
 * How many statements of grouped puts an instance has under way at once. With
 * one, a class's answers share the most transactions: quiz answers on two
 * instances (scripts/quiz-ab.ts, load 3.6-4.3) gave 2,470-3,210 answers/s
 * and a p99 of 54-70 ms with one, 1,940-2,280 and 88-96 ms with two, and
 * four was no better than two (docs/performance-notes.md).
 */
const PUT_STATEMENTS_AT_ONCE = 1;

/**
 * How long announcements are gathered before one NOTIFY goes out. Each NOTIFY
 * is a transaction of its own (a commit record PostgreSQL must flush) and
 * wakes every instance: at 5 ms, a busy instance could send 200 a second.
 * Nothing is served stale meanwhile (pages check the
 * counters), so 50 ms only keeps a superseded page in memory a little longer.
 */
const ANNOUNCE_DELAY_MS = 50;

/** What the page caches are told: the version counters a commit bumped ('all' when there were too many to name). */
interface AnnouncementMessage {
  from: string;
  keys: string[] | 'all';
}

/** What the session caches are told, inside the transaction that changed accounts or sessions (keys stay empty). */
interface AccountMessage {
  from: string;
  keys: [];
  accounts: string[] | 'all';
  digests?: string[];
}

interface AccountsTouched {
  /** ids of users written or deleted */
  accounts: string[];
  /** ids of sessions written or deleted */
  sessions: string[];
}

/** The accounts and sessions a commit writes or deletes, or null when it touches none (a quiz answer). */
function accountsTouched(changes: StoreChange[]): AccountsTouched | null {
  const touched: AccountsTouched = { accounts: [], sessions: [] };
  for (const change of changes) {
    if (change.c === 'users') touched.accounts.push(change.id);
    else if (change.c === 'sessions') touched.sessions.push(change.id);
  }
  return touched.accounts.length || touched.sessions.length ? touched : null;
}

/** One change inside a transaction, adding the counters it bumps to `keys`. */
async function applyChange(client: pg.PoolClient, change: StoreChange, keys: Set<string>): Promise<void> {
  const collection = literal(change.c);
  if (change.v !== undefined) {
    const upsert = change.mode === 'insert' ? '' : ' on conflict (collection, id) do update set data = excluded.data';
    await client.query(`insert into records (collection, id, data) values (${collection}, $1, $2)${upsert}`, [change.id, change.v]);
    for (const key of versionKeysOf(change.c, change.v as Record<string, unknown>)) keys.add(key);
  } else {
    const result = await client.query(`delete from records where collection = ${collection} and id = $1 returning data`, [change.id]);
    if (change.mode === 'take' && result.rowCount === 0) throw new StoreConflict(`${change.c}.id`);
    for (const key of versionKeysOf(change.c, result.rows[0]?.data)) keys.add(key);
  }
}

/** Counters in a fixed order, so two commits bumping the same keys cannot deadlock. */
async function bump(client: pg.PoolClient, keys: string[]): Promise<void> {
  if (!keys.length) return;
  await client.query('insert into versions (key, n) select unnest($1::text[]), 1 on conflict (key) do update set n = versions.n + 1', [[...keys].sort()]);
}

function asConflict(error: unknown): unknown {
  const pgError = error as { code?: string; constraint?: string; table?: string; detail?: string };
  if (pgError?.code !== '23505') return error;
  const key = pgError.constraint ? CONSTRAINT_KEYS.get(pgError.constraint) : undefined;
  if (key) return new StoreConflict(key);
  if (pgError.constraint === 'records_pkey') {
    const collection = /\(collection, id\)=\(([^,]+),/.exec(pgError.detail ?? '')?.[1] ?? 'records';
    return new StoreConflict(`${collection as CollectionName}.id`);
  }
  return error;
}

/** One secret for the whole deployment: the first instance to start makes it. */
async function sessionSecret(pool: pg.Pool): Promise<string> {
  await pool.query(`insert into settings (name, value) values ('session_secret', $1) on conflict (name) do nothing`, [randomBytes(32).toString('hex')]);
  const result = await pool.query(`select value from settings where name = 'session_secret'`);
  return result.rows[0].value;
}
