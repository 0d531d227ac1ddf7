// The store door's contract, run against whichever backend the suite runs on
// (FRAMECHECK_STORE): both must give the same answers, refuse the same
// conflicts and erase the same records.
import { test, describe, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import pg from 'pg';
import { insert, isConflict, put, remove, take, StoreConflict, type StoreBackend, type User } from '../src/store/backend.ts';
import { INDEXED, UNIQUE_KEYS, uniqueIndexName, versionKey } from '../src/store/schema.ts';
import { keys } from '../src/store/keys.ts';
import { ChangeListener } from '../src/store/postgres/listener.ts';
import { openTestStore, STORE, tempDir } from './helpers.ts';

const user = (id: string, username: string, role: User['role'] = 'student'): User => ({
  id,
  role,
  schoolId: 's1',
  username,
  displayName: username,
  passwordHash: 'x',
  mustChangePassword: false,
  createdAt: '2027-01-01T00:00:00.000Z',
});

describe(`store contract (${STORE.kind})`, () => {
  let store: StoreBackend;
  let dataDir: string;
  let schema: string | undefined;
  let drop: () => Promise<void>;

  beforeEach(async () => {
    dataDir = tempDir();
    ({ store, schema, drop } = await openTestStore(dataDir));
  });
  afterEach(async () => {
    await store.close();
    await drop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  test('reads what was committed: by id, by index, many, list and count', async () => {
    await store.commit([put('users', user('u1', 'Alice')), put('users', user('u2', 'bob')), put('classes', { id: 'c1', schoolId: 's1', teacherId: 't1', name: 'A', joinCode: 'ABC123', createdAt: 'x' })]);
    assert.equal((await store.get('users', 'u1'))?.username, 'Alice');
    assert.equal(await store.get('users', 'nobody'), undefined);
    assert.deepEqual((await store.find('users', 'username', 'ALICE')).map((u) => u.id), ['u1']);
    assert.deepEqual((await store.find('classes', 'joinCode', 'ABC123')).map((c) => c.id), ['c1']);
    assert.deepEqual((await store.getMany('users', ['u2', 'missing', 'u1'])).map((u) => u.id).sort(), ['u1', 'u2']);
    assert.deepEqual((await store.findAny('users', 'username', ['alice', 'BOB', 'carol'])).map((u) => u.id).sort(), ['u1', 'u2']);
    assert.equal((await store.list('users')).length, 2);
    assert.equal(await store.count('users'), 2);
    assert.equal(await store.count('classes'), 1);
  });

  test('a session comes with its user in one read; the read sees a sign-out and a removed account', async () => {
    const session = (id: string, userId: string | null) => ({ id, userId, data: { userId }, expiresAt: '2099-01-01T00:00:00.000Z' });
    await store.commit([put('users', user('u1', 'alice')), put('sessions', session('s1', 'u1')), put('sessions', session('s2', null))]);
    const signedIn = await store.sessionAndUser('s1');
    assert.equal(signedIn.session?.id, 's1');
    assert.equal(signedIn.user?.username, 'alice');
    const anonymous = await store.sessionAndUser('s2');
    assert.equal(anonymous.session?.id, 's2');
    assert.equal(anonymous.user, undefined);
    assert.deepEqual(await store.sessionAndUser('nope'), { session: undefined, user: undefined });
    await store.commit([remove('users', 'u1')]);
    assert.equal((await store.sessionAndUser('s1')).user, undefined);
    await store.commit([remove('sessions', 's1')]);
    assert.equal((await store.sessionAndUser('s1')).session, undefined);
  });

  test('every indexed field can be looked up', async () => {
    const record: Record<string, string> = { id: 'r1' };
    for (const collection of Object.keys(INDEXED) as (keyof typeof INDEXED)[]) {
      for (const field of INDEXED[collection]) {
        await store.commit([{ c: collection, id: `${collection}-${field}`, v: { ...record, id: `${collection}-${field}`, [field]: `value-${field}` } }]);
        const found = await store.find(collection, field as never, `value-${field}`);
        assert.ok(found.some((r) => (r as { id: string }).id === `${collection}-${field}`), `${collection}.${field}`);
      }
    }
  });

  test('a put replaces the whole record and a remove deletes it', async () => {
    await store.commit([put('users', user('u1', 'alice'))]);
    await store.commit([put('users', { ...user('u1', 'alicia'), displayName: 'Alicia' })]);
    assert.equal((await store.get('users', 'u1'))?.displayName, 'Alicia');
    assert.deepEqual(await store.find('users', 'username', 'alice'), []);
    await store.commit([remove('users', 'u1'), remove('users', 'never-there')]);
    assert.equal(await store.get('users', 'u1'), undefined);
    assert.equal(await store.count('users'), 0);
  });

  test('usernames are unique without regard to case, and a refused commit changes nothing', async () => {
    await store.commit([put('users', user('u1', 'Sam'))]);
    await assert.rejects(store.commit([put('classes', { id: 'c1', schoolId: 's1', teacherId: 't', name: 'A', joinCode: 'J1', createdAt: 'x' }), put('users', user('u2', 'sAM'))]), (error) => isConflict(error, 'users.username'));
    assert.equal(await store.get('classes', 'c1'), undefined, 'the rest of the batch was not applied');
    assert.equal(await store.count('users'), 1);
    // Renaming a record to its own name, or taking a freed name, is fine.
    await store.commit([put('users', { ...user('u1', 'SAM') })]);
    await store.commit([put('users', user('u1', 'other')), put('users', user('u2', 'sam'))]);
    assert.equal((await store.find('users', 'username', 'Sam'))[0].id, 'u2');
  });

  test('every declared unique key is refused on both backends', async () => {
    const cases: [string, () => ReturnType<typeof put>[], () => ReturnType<typeof put>][] = [
      ['classes.joinCode', () => [put('classes', { id: 'c1', schoolId: 's1', teacherId: 't', name: 'A', joinCode: 'SAME', createdAt: 'x' })], () => put('classes', { id: 'c2', schoolId: 's1', teacherId: 't', name: 'B', joinCode: 'SAME', createdAt: 'x' })],
      ['assignments.classLesson', () => [put('assignments', { id: 'a1', classId: 'c1', lessonId: 'l1', due: null, createdAt: 'x' })], () => put('assignments', { id: 'a2', classId: 'c1', lessonId: 'l1', due: null, createdAt: 'x' })],
      ['checkups.classPhase', () => [put('checkups', { id: 'k1', classId: 'c1', phase: 'before', due: null, createdAt: 'x' })], () => put('checkups', { id: 'k2', classId: 'c1', phase: 'before', due: null, createdAt: 'x' })],
      ['checkupSittings.checkupStudent', () => [put('checkupSittings', { id: 's1', checkupId: 'k1', studentId: 'u1', form: 'A', itemIds: [], startedAt: 'x' })], () => put('checkupSittings', { id: 's2', checkupId: 'k1', studentId: 'u1', form: 'A', itemIds: [], startedAt: 'x' })],
      ['users.invite', () => [put('users', { ...user('t1', 'teacher-one', 'teacher'), inviteId: 'hash1' })], () => put('users', { ...user('t2', 'teacher-two', 'teacher'), inviteId: 'hash1' })],
      ['checkupResponses.item', () => [put('checkupResponses', { id: 'r1', checkupId: 'k1', studentId: 'u1', itemId: 'i1', manipulative: 1, confidence: 1, at: 'x' })], () => put('checkupResponses', { id: 'r2', checkupId: 'k1', studentId: 'u1', itemId: 'i1', manipulative: 2, confidence: 2, at: 'x' })],
    ];
    for (const [name, first, second] of cases) {
      await store.commit(first());
      await assert.rejects(store.commit([second()]), (error) => error instanceof StoreConflict && error.key === name, name);
    }
  });

  test('insert refuses an existing id; take refuses a record already gone (a code redeemed twice)', async () => {
    await store.commit([insert('lessonOpens', { id: keys.lessonOpen('u1', 'l1'), studentId: 'u1', lessonId: 'l1', at: 'x' })]);
    await assert.rejects(store.commit([insert('lessonOpens', { id: keys.lessonOpen('u1', 'l1'), studentId: 'u1', lessonId: 'l1', at: 'y' })]), (error) => isConflict(error, 'lessonOpens.id'));
    await store.commit([put('parentCodes', { id: 'CODE1234', studentId: 'u1', expiresAt: 'x' })]);
    const redeem = (parentId: string) => store.commit([take('parentCodes', 'CODE1234'), put('parentLinks', { id: keys.parentLink(parentId, 'u1'), parentId, studentId: 'u1', createdAt: 'x' })]);
    const results = await Promise.allSettled([redeem('p1'), redeem('p2')]);
    assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1);
    assert.ok(results.some((r) => r.status === 'rejected' && isConflict(r.reason, 'parentCodes.id')));
    assert.equal(await store.count('parentLinks'), 1);
  });

  test('two commits racing for one username: exactly one wins', async () => {
    const results = await Promise.allSettled(Array.from({ length: 5 }, (_, i) => store.commit([insert('users', user(`u${i}`, 'Racer'))])));
    assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1);
    assert.equal(await store.count('users'), 1);
  });

  test('version counters grow with every change to what a page shows', async () => {
    const [before] = await store.versions([versionKey.student('u1')]);
    await store.commit([put('attempts', { id: 'a1', studentId: 'u1', lessonId: 'l1', at: 'x', score: 1, max: 1, percent: 100, passed: true, answers: '' })]);
    const [after] = await store.versions([versionKey.student('u1')]);
    assert.ok(after > before);
    const [classBefore] = await store.versions([versionKey.class('c1')]);
    await store.commit([put('memberships', { id: keys.membership('c1', 'u1'), classId: 'c1', studentId: 'u1', joinedAt: 'x' })]);
    const [classAfter, studentAfter] = await store.versions([versionKey.class('c1'), versionKey.student('u1')]);
    assert.ok(classAfter > classBefore && studentAfter > after);
  });

  test('the session secret is long and stays the same when the store is opened again', async () => {
    assert.ok(store.secret.length >= 32);
    const secret = store.secret;
    await store.close();
    ({ store } = await openTestStore(dataDir, schema));
    assert.equal(store.secret, secret);
  });

  test('erasing a student removes the account and every record about them, and nothing of anyone else', async () => {
    const studentId = 'student-to-erase';
    const username = 'erase-me-please';
    await store.commit([
      put('users', user(studentId, username)),
      put('users', user('other', 'other-student')),
      put('users', user('parent1', 'a-parent', 'parent')),
      put('memberships', { id: keys.membership('c1', studentId), classId: 'c1', studentId, joinedAt: 'x' }),
      put('memberships', { id: keys.membership('c1', 'other'), classId: 'c1', studentId: 'other', joinedAt: 'x' }),
      put('attempts', { id: 'a1', studentId, lessonId: 'l1', at: 'x', score: 1, max: 1, percent: 100, passed: true, answers: '' }),
      put('lessonOpens', { id: keys.lessonOpen(studentId, 'l1'), studentId, lessonId: 'l1', at: 'x' }),
      put('parentCodes', { id: 'PCODE123', studentId, expiresAt: 'x' }),
      put('parentLinks', { id: keys.parentLink('parent1', studentId), parentId: 'parent1', studentId, createdAt: 'x' }),
      put('checkupSittings', { id: keys.sitting('k1', studentId), checkupId: 'k1', studentId, form: 'A', itemIds: ['i1'], startedAt: 'x' }),
      put('checkupResponses', { id: keys.checkupResponse('k1', studentId, 'i1'), checkupId: 'k1', studentId, itemId: 'i1', manipulative: 3, confidence: 3, at: 'x' }),
      put('researchIds', { id: keys.researchId('c1', studentId), classId: 'c1', studentId, token: 'p-abc' }),
      put('sessions', { id: 'sess1', userId: studentId, data: { userId: studentId }, expiresAt: 'x' }),
    ]);
    const limiter = store.rateLimiter({ keyPrefix: 'login-name', points: 10, duration: 60 });
    await limiter.penalty(username, 1);
    const [classBefore] = await store.versions([versionKey.class('c1')]);
    await store.eraseStudent(studentId);
    await limiter.delete(username); // what the login guard's forget does
    assert.equal(await store.get('users', studentId), undefined);
    assert.ok(await store.get('users', 'other'));
    assert.equal((await store.find('memberships', 'classId', 'c1')).length, 1);
    const [classAfter] = await store.versions([versionKey.class('c1')]);
    assert.ok(classAfter > classBefore, 'the class page changes when a member is erased');
    for (const collection of Object.keys(INDEXED) as (keyof typeof INDEXED)[]) {
      for (const record of await store.list(collection)) {
        const text = JSON.stringify(record);
        assert.ok(!text.includes(studentId) && !text.includes(username), `${collection} still holds ${text}`);
      }
    }
    if (STORE.kind === 'postgres') {
      // Every table, not only the records: counters, settings, throttles, migrations.
      const client = new pg.Client({ connectionString: STORE.url });
      await client.connect();
      try {
        const tables = await client.query<{ table_name: string }>('select table_name from information_schema.tables where table_schema = $1', [schema]);
        assert.ok(tables.rows.length >= 5);
        for (const { table_name } of tables.rows) {
          const found = await client.query(`select count(*)::int as n from "${schema}"."${table_name}" t where t::text like $1 or t::text like $2`, [`%${studentId}%`, `%${username}%`]);
          assert.equal(found.rows[0].n, 0, `table ${table_name} still mentions the student`);
        }
      } finally {
        await client.end();
      }
    }
  });

  test('another instance hears of every change after commit, and after losing its listening connection it drops everything and listens again', { skip: STORE.kind !== 'postgres' && 'runs on PostgreSQL' }, async () => {
    const other = (await openTestStore(dataDir, schema)).store;
    const heard: (string[] | 'all')[] = [];
    other.onInvalidate((keys) => heard.push(keys));
    const until = async (check: () => boolean, what: string) => {
      const since = Date.now();
      while (!check()) {
        if (Date.now() - since > 5000) assert.fail(`waited 5 s for ${what}; heard ${JSON.stringify(heard)}`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    };
    try {
      await store.commit([put('attempts', { id: 'a1', studentId: 'u1', lessonId: 'l1', at: 'x', score: 1, max: 1, percent: 100, passed: true, answers: '' })]);
      await until(() => heard.some((keys) => Array.isArray(keys) && keys.includes(versionKey.student('u1'))), 'the first notice');
      const client = new pg.Client({ connectionString: (STORE as { url: string }).url });
      await client.connect();
      try {
        const killed = await client.query(`select pg_terminate_backend(pid) from pg_stat_activity where application_name = 'framecheck-listener' and query like $1`, [`listen %${schema}%`]);
        assert.ok(killed.rowCount! >= 1, 'found the listening connections');
      } finally {
        await client.end();
      }
      await until(() => heard.includes('all'), "'all' after the connection was lost");
      // Listening again: a later change is heard.
      const before = heard.length;
      const since = Date.now();
      while (!heard.slice(before).some((keys) => Array.isArray(keys) && keys.includes(versionKey.student('u2')))) {
        if (Date.now() - since > 8000) assert.fail(`no notice after the reconnect; heard ${JSON.stringify(heard)}`);
        await store.commit([put('attempts', { id: `a-${Date.now()}`, studentId: 'u2', lessonId: 'l1', at: 'x', score: 1, max: 1, percent: 100, passed: true, answers: '' })]);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    } finally {
      await other.close();
    }
  });

  test("attempt totals: per student and lesson, the count, the best percent, whether any passed and the latest time", async () => {
    const attempt = (id: string, studentId: string, lessonId: string, at: string, percent: number, passed: boolean) =>
      put('attempts', { id, studentId, lessonId, at, score: percent, max: 100, percent, passed, answers: '' });
    await store.commit([
      attempt('a1', 'u1', 'l1', '2027-01-02T10:00:00.000Z', 40, false),
      attempt('a2', 'u1', 'l1', '2027-01-03T09:00:00.000Z', 90, true),
      attempt('a3', 'u1', 'l1', '2027-01-04T08:00:00.000Z', 70, false),
      attempt('a4', 'u1', 'l2', '2027-01-01T00:00:00.000Z', 55, false),
      attempt('a5', 'u2', 'l1', '2027-01-05T00:00:00.000Z', 100, true),
      attempt('a6', 'u3', 'l1', '2027-01-05T00:00:00.000Z', 100, true),
    ]);
    const totals = (await store.attemptTotals(['u1', 'u2', 'u1', 'nobody'])).sort((a, b) => `${a.studentId}${a.lessonId}`.localeCompare(`${b.studentId}${b.lessonId}`));
    assert.deepEqual(totals, [
      { studentId: 'u1', lessonId: 'l1', attempts: 3, bestPercent: 90, passed: true, lastAttemptAt: '2027-01-04T08:00:00.000Z' },
      { studentId: 'u1', lessonId: 'l2', attempts: 1, bestPercent: 55, passed: false, lastAttemptAt: '2027-01-01T00:00:00.000Z' },
      { studentId: 'u2', lessonId: 'l1', attempts: 1, bestPercent: 100, passed: true, lastAttemptAt: '2027-01-05T00:00:00.000Z' },
    ]);
    assert.deepEqual(await store.attemptTotals([]), []);
  });

  test('commits made at once are each kept or refused on their own: a conflict refuses only its own commit', async () => {
    // On PostgreSQL the first goes alone and the rest wait for it and go together, conflicting pair included.
    const attempt = (n: number) => put('attempts', { id: `at${n}`, studentId: `u${n}`, lessonId: 'l1', at: 'x', score: 1, max: 1, percent: 100, passed: true, answers: '' });
    const commits = [
      [attempt(0)],
      [attempt(1), put('assignments', { id: 'as1', classId: 'c1', lessonId: 'l1', due: null, createdAt: 'x' })],
      [attempt(2)],
      [attempt(3), put('assignments', { id: 'as2', classId: 'c1', lessonId: 'l1', due: null, createdAt: 'x' })],
      ...Array.from({ length: 12 }, (_, i) => [attempt(4 + i)]),
    ];
    const outcomes = await Promise.all(commits.map((changes) => store.commit(changes).then(() => 'kept', (error: unknown) => (isConflict(error) ? error.key : String(error)))));
    assert.deepEqual(outcomes.filter((outcome) => outcome !== 'kept'), ['assignments.classLesson'], 'exactly one conflict');
    const refused = outcomes.indexOf('assignments.classLesson');
    assert.ok(refused === 1 || refused === 3);
    const kept = new Set((await store.list('attempts')).map((one) => one.id));
    assert.equal(kept.size, 15, 'every attempt of a kept commit, and none of the refused one');
    assert.ok(!kept.has(refused === 1 ? 'at1' : 'at3'), "the refused commit's attempt went with it");
    assert.equal((await store.list('assignments')).length, 1);
  });

  test('a session read with its user is never read after it ends: sign-out, an account change or erasure, here or on another instance', async () => {
    const session = (id: string, userId: string) => ({ id, userId, data: { userId }, expiresAt: '2099-01-01T00:00:00.000Z' });
    await store.commit([put('users', user('u1', 'first')), put('users', user('u2', 'second')), put('sessions', session('s1', 'u1')), put('sessions', session('s2', 'u1')), put('sessions', session('s3', 'u2'))]);
    // Read twice: the second read may be served from what the first kept.
    for (let i = 0; i < 2; i++) assert.equal((await store.sessionAndUser('s1')).user?.username, 'first');
    await store.commit([remove('sessions', 's1')]);
    assert.deepEqual(await store.sessionAndUser('s1'), { session: undefined, user: undefined }, 'signed out');
    for (let i = 0; i < 2; i++) await store.sessionAndUser('s2');
    await store.commit([put('users', { ...user('u1', 'first'), displayName: 'Renamed' })]);
    assert.equal((await store.sessionAndUser('s2')).user?.displayName, 'Renamed', 'the account as it is now');
    for (let i = 0; i < 2; i++) await store.sessionAndUser('s3');
    await store.eraseStudent('u2');
    assert.deepEqual(await store.sessionAndUser('s3'), { session: undefined, user: undefined }, 'erased');
    if (STORE.kind !== 'postgres') return;
    // The same on another instance, which hears of it as the other's transaction commits.
    const other = (await openTestStore(dataDir, schema)).store;
    const soon = async (check: () => Promise<boolean>, what: string) => {
      const since = Date.now();
      while (!(await check())) {
        if (Date.now() - since > 2000) assert.fail(`the other instance still served ${what} after 2 s`);
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    };
    try {
      await store.commit([put('users', user('u3', 'third')), put('sessions', session('s4', 'u3')), put('sessions', session('s5', 'u3'))]);
      for (let i = 0; i < 2; i++) assert.equal((await other.sessionAndUser('s4')).user?.username, 'third');
      await store.commit([remove('sessions', 's4')]);
      await soon(async () => (await other.sessionAndUser('s4')).session === undefined, 'an ended session');
      for (let i = 0; i < 2; i++) await other.sessionAndUser('s5');
      await store.commit([put('users', { ...user('u3', 'third'), displayName: 'Renamed' })]);
      await soon(async () => (await other.sessionAndUser('s5')).user?.displayName === 'Renamed', 'an account as it was');
      await store.eraseStudent('u3');
      await soon(async () => (await other.sessionAndUser('s5')).session === undefined, 'an erased student');
    } finally {
      await other.close();
    }
  });

  test('while its listening connection is down, an instance reads every session from the database', { skip: STORE.kind !== 'postgres' && 'runs on PostgreSQL' }, async () => {
    await store.commit([put('users', user('u1', 'first')), put('sessions', { id: 's1', userId: 'u1', data: { userId: 'u1' }, expiresAt: '2099-01-01T00:00:00.000Z' })]);
    for (let i = 0; i < 2; i++) assert.equal((await store.sessionAndUser('s1')).user?.username, 'first');
    const lost = new Promise<void>((resolve) => store.onInvalidate((keys) => keys === 'all' && resolve()));
    const client = new pg.Client({ connectionString: (STORE as { url: string }).url });
    await client.connect();
    try {
      await client.query(`select pg_terminate_backend(pid) from pg_stat_activity where application_name = 'framecheck-listener' and query like $1`, [`listen %${schema}%`]);
      await lost;
      // Read again while it is down (it reconnects after 100 ms), then ended behind FrameCheck's back: no notification, so only a read from the database can know.
      for (let i = 0; i < 2; i++) assert.equal((await store.sessionAndUser('s1')).user?.username, 'first');
      await client.query(`delete from "${schema}".records where collection = 'sessions' and id = 's1'`);
      assert.equal((await store.sessionAndUser('s1')).session, undefined);
    } finally {
      await client.end();
    }
  });

  test('a listener stopped while it reconnects leaves no connection open behind it', { skip: STORE.kind !== 'postgres' && 'runs on PostgreSQL' }, async () => {
    // A store closed just after its listening connection dropped: the reconnect was under way. A
    // connection it then made and kept would hold the process open (a suite once hung on it).
    const url = (STORE as { url: string }).url;
    const name = `framecheck-listener-test-${process.pid}`;
    let release = () => {};
    const held = new Promise<void>((resolve) => (release = resolve));
    let reconnecting = () => {};
    const reconnectStarted = new Promise<void>((resolve) => (reconnecting = resolve));
    let made = 0;
    let reconnected: Promise<unknown> = Promise.resolve();
    const listener = new ChangeListener({ connectionString: url, application_name: name }, 'framecheck_listener_test', () => {}, (config) => {
      const client = new pg.Client(config);
      if (++made > 1) {
        // The reconnect, held back until the listener has been told to stop.
        const connect = client.connect.bind(client);
        client.connect = (async () => {
          reconnecting();
          await held;
          reconnected = connect();
          return reconnected;
        }) as typeof client.connect;
      }
      return client;
    });
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    const open = async () => (await admin.query('select pid from pg_stat_activity where application_name = $1', [name])).rowCount;
    try {
      await listener.start();
      assert.equal(await open(), 1);
      await admin.query('select pg_terminate_backend(pid) from pg_stat_activity where application_name = $1', [name]);
      await reconnectStarted;
      const stopped = listener.stop();
      release();
      await stopped;
      await reconnected.catch(() => {});
      assert.equal(listener.listening, false);
      // A backend leaves pg_stat_activity a moment after its connection ends.
      for (let i = 0; i < 100 && (await open()) !== 0; i++) await new Promise((resolve) => setTimeout(resolve, 20));
      assert.equal(await open(), 0, 'the connection made during stop() was ended');
    } finally {
      release();
      await listener.stop();
      await admin.end();
    }
  });

  test('pooled connections outlast a quiet spell, so the next burst of answers does not wait for new ones', { skip: STORE.kind !== 'postgres' && 'runs on PostgreSQL', timeout: 30_000 }, async () => {
    const client = new pg.Client({ connectionString: (STORE as { url: string }).url });
    await client.connect();
    const connections = async () =>
      (await client.query<{ pid: number }>('select pid from pg_stat_activity where application_name = $1 order by pid', [`framecheck:${schema}`])).rows.map((row) => row.pid);
    try {
      // A burst: several reads at once open several connections.
      await Promise.all(Array.from({ length: 8 }, (_, i) => store.get('users', `nobody-${i}`)));
      const opened = await connections();
      assert.ok(opened.length >= 2, `the burst opened connections (${opened.length})`);
      // node-postgres closes a connection after 10 s unused, unless told otherwise.
      await new Promise((resolve) => setTimeout(resolve, 11_000));
      assert.deepEqual(await connections(), opened, 'the same connections are still open');
    } finally {
      await client.end();
    }
  });

  test('the unique keys of schema.ts are the unique indexes of the PostgreSQL migrations', { skip: STORE.kind !== 'postgres' && 'runs on PostgreSQL' }, async () => {
    const client = new pg.Client({ connectionString: (STORE as { url: string }).url });
    await client.connect();
    try {
      const indexes = await client.query<{ indexname: string }>(`select indexname from pg_indexes where schemaname = $1 and indexname like 'u\\_%'`, [schema]);
      assert.deepEqual(indexes.rows.map((row) => row.indexname).sort(), Object.keys(UNIQUE_KEYS).map(uniqueIndexName).sort());
    } finally {
      await client.end();
    }
  });

  test('a lookup index holds only records that have its field, and every lookup by an indexed field uses an index', { skip: STORE.kind !== 'postgres' && 'runs on PostgreSQL' }, async () => {
    // A quiz answer then writes two index entries (its id and its studentId), not one in every lookup index.
    await store.commit([put('attempts', { id: 'a1', studentId: 'u1', lessonId: 'l1', at: 'x', score: 1, max: 1, percent: 100, passed: true, answers: '' })]);
    const client = new pg.Client({ connectionString: (STORE as { url: string }).url });
    await client.connect();
    try {
      await client.query(`set search_path to "${schema}"`);
      const lookups = await client.query<{ indexname: string; indexdef: string }>(`select indexname, indexdef from pg_indexes where schemaname = $1 and indexname like 'records\_by\_%'`, [schema]);
      assert.ok(lookups.rows.length >= 12);
      for (const { indexname, indexdef } of lookups.rows) {
        const field = /\(data ->> '(\w+)'::text\)\)/.exec(indexdef)?.[1];
        assert.ok(field, indexdef);
        assert.ok(indexdef.includes(`WHERE ((data ->> '${field}'::text) IS NOT NULL)`), `${indexname} leaves out records without ${field}: ${indexdef}`);
        const entries = await client.query<{ n: number }>(`select count(*)::int as n from records where collection = 'attempts' and data->>'${field}' is not null`);
        assert.equal(entries.rows[0].n, field === 'studentId' ? 1 : 0);
      }
      // Prepared lookups are planned once for any value (a generic plan): each must still find its index.
      await client.query('set plan_cache_mode = force_generic_plan');
      await client.query('set enable_seqscan = off');
      for (const [collection, fields] of Object.entries(INDEXED)) {
        for (const field of fields as readonly string[]) {
          const match = collection === 'users' && field === 'username' ? `lower(data->>'username') = lower($1)` : `data->>'${field}' = $1`;
          for (const [form, value] of [[match, 'x'], [match.replace('= $1', '= any($1)').replace('lower($1)', 'any($1)'), ['x']]] as const) {
            const name = `lookup_${collection}_${field}_${form.includes('any') ? 'any' : 'one'}`.toLowerCase();
            await client.query(`prepare ${name} as select data from records where collection = '${collection}' and ${form} order by seq`);
            const plan = (await client.query(`explain execute ${name}(${form.includes('any') ? '$1::text[]' : '$1::text'})`.replace('$1', `'${Array.isArray(value) ? `{${value}}` : value}'`))).rows.map((row) => row['QUERY PLAN']).join('\n');
            const index = /Index (?:Only )?Scan (?:using|on) (\w+)/.exec(plan)?.[1];
            assert.ok(index && index !== 'records_pkey', `${collection}.${field} (${form}) uses a lookup index:\n${plan}`);
          }
        }
      }
    } finally {
      await client.end();
    }
  });
});
