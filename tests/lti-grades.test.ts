// Grades and roster from the LMS: the outbox sends a student's best score
// to the line item (AGS), survives a restart and a platform that answers 503,
// never sends scores out of order; the teacher sees whether it arrived and
// can retry; NRPS fills the class before anyone launches.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createApp } from '../src/app.ts';
import pg from 'pg';
import { markLmsAccounts } from '../src/lti/provisioning.ts';
import { put, type StoreBackend } from '../src/store/backend.ts';
import { migrate } from '../src/store/postgres/migrate.ts';
import { catalog, Client, FIRST_LESSON, rightAnswers, schoolWithAdmin, seedUser, signedIn, startApp, STORE, type TestApp } from './helpers.ts';
import { connect, INSTRUCTOR, launch, LEARNER, platformFor, ROLES, type Platform } from './lti-platform.ts';

async function until<T>(what: string, check: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 15_000): Promise<T> {
  const start = Date.now();
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** A learner launched into the lesson's resource link, ready to answer its quiz. */
async function learner(t: TestApp, lms: Platform, sub: string): Promise<Client> {
  const client = new Client(t.app);
  const { response } = await launch(client, lms, { sub, [ROLES]: LEARNER });
  assert.equal(response.status, 303, response.text.slice(0, 300));
  await client.refreshToken();
  return client;
}

const wrongAnswers = { answers: {} };

/** Records which LMS collections the store is asked about until `stop` is called. */
function lmsLookups(store: StoreBackend): { seen: string[]; stop(): void } {
  const seen: string[] = [];
  const methods = ['get', 'getMany', 'find', 'findAny', 'list', 'count'] as const;
  const spied = store as unknown as Record<string, (collection: string, ...rest: unknown[]) => unknown>;
  for (const method of methods) {
    const original = spied[method].bind(store);
    spied[method] = (collection, ...rest) => {
      if (collection.startsWith('lti')) seen.push(`${method} ${collection}`);
      return original(collection, ...rest);
    };
  }
  return { seen, stop: () => methods.forEach((method) => delete spied[method]) };
}

/** The user an LMS learner's session is signed in as. */
async function userOf(t: TestApp, client: Client) {
  return (await t.store.get('users', (await client.get('/session')).body.user.id))!;
}

describe('LTI grades (AGS outbox)', () => {
  let t: TestApp;
  let lms: Platform;
  let teacher: Client;
  let classId: string;
  let schoolId: string;

  before(async () => {
    t = await startApp();
    const school = await schoolWithAdmin(t);
    const admin = school.admin;
    schoolId = school.schoolId;
    lms = await platformFor(() => t);
    await connect(admin, lms);
    teacher = new Client(t.app);
    const { response } = await launch(teacher, lms, { sub: 'teacher-1', [ROLES]: INSTRUCTOR, 'https://purl.imsglobal.org/spec/lti/claim/resource_link': undefined, 'https://purl.imsglobal.org/spec/lti/claim/target_link_uri': 'http://tool.test/' });
    classId = response.headers.location.split('/')[2];
    await teacher.refreshToken();
  });
  after(async () => {
    await lms.close();
    await t.close();
  });

  test('a first attempt at 0% is sent to the line item path plus /scores, query string kept; a better one follows; the class page says it arrived', async () => {
    const student = await learner(t, lms, 'learner-1');
    const first = await student.post(`/lessons/${FIRST_LESSON}/quiz`, wrongAnswers);
    assert.equal(first.status, 201);
    assert.equal(first.body.attempt.percent, 0);
    const studentId = (await student.get('/session')).body.user.id;
    assert.equal((await t.store.find('ltiGrades', 'studentId', studentId)).length, 1, 'queued in the commit the answer was acknowledged after');
    const zero = await until('the 0% score', () => lms.scores.find((score) => score.body.userId === 'learner-1'));
    assert.equal(zero.path, '/course-1/lineitems/7/lineitem/scores');
    assert.equal(zero.search, '?type_id=7');
    assert.deepEqual({ ...zero.body, timestamp: undefined }, { userId: 'learner-1', scoreGiven: 0, scoreMaximum: 100, activityProgress: 'InProgress', gradingProgress: 'FullyGraded', timestamp: undefined });
    const best = await student.post(`/lessons/${FIRST_LESSON}/quiz`, { answers: rightAnswers(FIRST_LESSON) });
    assert.equal(best.body.attempt.passed, true);
    const full = await until('the best score', () => lms.scores.find((score) => score.body.userId === 'learner-1' && score.body.scoreGiven === 100));
    assert.equal(full.body.activityProgress, 'Completed');
    // A worse attempt changes no best score: nothing more is sent.
    await student.post(`/lessons/${FIRST_LESSON}/quiz`, wrongAnswers);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const sent = lms.scores.filter((score) => score.body.userId === 'learner-1');
    assert.equal(sent.length, 2);
    assert.ok(String(sent[0].body.timestamp) <= String(sent[1].body.timestamp));
    const page = await teacher.get(`/classes/${classId}`);
    const row = page.body.lms.scores.find((entry: { studentId: string }) => entry.studentId === studentId);
    assert.equal(row.status, 'sent');
    assert.equal(lms.tokenRequests.filter((request) => request.ok).length, 1, 'the access token is cached');
  });

  test('a quiz answer by a student who never came from the LMS looks nothing of the LMS up; one by an LMS learner queues the score', async () => {
    await seedUser(t, schoolId, 'student', 'plain.student');
    const plain = await signedIn(t, 'plain.student');
    const lmsLearner = await learner(t, lms, 'learner-lookups');
    assert.equal((await userOf(t, lmsLearner)).fromLms, true, 'the launch marked the account it made');
    const spy = lmsLookups(t.store);
    try {
      assert.equal((await plain.post(`/lessons/${FIRST_LESSON}/quiz`, { answers: rightAnswers(FIRST_LESSON) })).status, 201);
      assert.deepEqual(spy.seen, [], 'no LMS record was read for a student from outside the LMS');
      assert.equal((await lmsLearner.post(`/lessons/${FIRST_LESSON}/quiz`, { answers: rightAnswers(FIRST_LESSON) })).status, 201);
      assert.ok(spy.seen.length > 0, 'the LMS learner\'s answer looks up the resource links');
    } finally {
      spy.stop();
    }
    assert.equal((await t.store.find('ltiGrades', 'studentId', (await userOf(t, lmsLearner)).id)).length, 1, 'queued with the answer');
    await until('the score', () => lms.scores.find((score) => score.body.userId === 'learner-lookups'));
  });

  test('an LMS account made before accounts were marked is marked once, and its scores still reach the LMS', async () => {
    const student = await learner(t, lms, 'learner-before-marks');
    const { fromLms: _mark, ...unmarked } = await userOf(t, student);
    await t.store.commit([put('users', unmarked)]);
    assert.equal((await userOf(t, student)).fromLms, undefined);
    // The embedded store marks them at start-up (server.ts), and migrate-store on its copy.
    assert.equal(await markLmsAccounts(t.store), 1);
    assert.equal(await markLmsAccounts(t.store), 0, 'nothing left to mark');
    assert.equal((await userOf(t, student)).fromLms, true);
    if (STORE.kind === 'postgres') {
      // A PostgreSQL database from before: migration 010 marks them when the first instance starts.
      await t.store.commit([put('users', unmarked)]);
      const client = new pg.Client({ connectionString: STORE.url });
      await client.connect();
      try {
        await client.query(`delete from "${t.schema}".schema_migrations where name = '010_lms_accounts.sql'`);
        assert.deepEqual(await migrate(client, t.schema!), ['010_lms_accounts.sql']);
      } finally {
        await client.end();
      }
      assert.equal((await userOf(t, student)).fromLms, true);
    }
    await student.post(`/lessons/${FIRST_LESSON}/quiz`, { answers: rightAnswers(FIRST_LESSON) });
    await until('the score', () => lms.scores.find((score) => score.body.userId === 'learner-before-marks'));
  });

  test('a platform answering 503 twice gets the score on the third try, a few seconds later; the teacher sees it waiting meanwhile', async () => {
    lms.failScores = 2;
    const student = await learner(t, lms, 'learner-2');
    const started = Date.now();
    await student.post(`/lessons/${FIRST_LESSON}/quiz`, { answers: rightAnswers(FIRST_LESSON) });
    await until('a failed try', async () => (await t.store.find('ltiGrades', 'classId', classId)).some((row) => row.tries > 0 && row.status === 'pending'));
    const waiting = await teacher.page(`/classes/${classId}`);
    assert.match(waiting.text, /Not sent yet/);
    assert.match(waiting.text, /Try again now/);
    const score = await until('the score after two 503s', () => lms.scores.find((one) => one.body.userId === 'learner-2'));
    assert.equal(score.body.scoreGiven, 100);
    assert.equal(lms.failScores, 0);
    assert.ok(Date.now() - started < 10_000, 'first retries come within seconds');
    assert.equal(lms.scores.filter((one) => one.body.userId === 'learner-2').length, 1, 'sent once');
  });

  test('a teacher retry sends a waiting score now', async () => {
    lms.failScores = Infinity;
    const student = await learner(t, lms, 'learner-3');
    await student.post(`/lessons/${FIRST_LESSON}/quiz`, { answers: rightAnswers(FIRST_LESSON) });
    await until('a failed try', async () => (await t.store.find('ltiGrades', 'studentId', student.user?.id ?? (await student.get('/session')).body.user.id)).some((row) => row.tries >= 1));
    lms.failScores = 0;
    const studentId = (await student.get('/session')).body.user.id;
    const retried = await teacher.post(`/classes/${classId}/students/${studentId}/lti-retry`);
    assert.equal(retried.status, 200);
    await until('the retried score', () => lms.scores.find((one) => one.body.userId === 'learner-3'), 3000);
  });

  test('a score queued before a restart arrives after it', async () => {
    lms.failScores = Infinity;
    const student = await learner(t, lms, 'learner-4');
    const answered = await student.post(`/lessons/${FIRST_LESSON}/quiz`, { answers: rightAnswers(FIRST_LESSON) });
    assert.equal(answered.status, 201);
    t = await t.restart();
    lms.failScores = 0;
    const start = Date.now();
    await until('the score after the restart', () => lms.scores.find((one) => one.body.userId === 'learner-4'), 12_000);
    assert.ok(Date.now() - start < 10_000, `resumed within 10 s (${Date.now() - start} ms)`);
  });

  test('two instances on one store send each score once, even to a slow LMS', async () => {
    // A second app on the same store runs its own outbox worker, as a second instance does.
    const second = createApp({ config: t.config, store: t.store, catalog: catalog(), now: () => t.clock.now });
    try {
      lms.scoreDelayMs = 1500;
      const student = await learner(t, lms, 'learner-5');
      await student.post(`/lessons/${FIRST_LESSON}/quiz`, wrongAnswers);
      await until('the score', () => lms.scores.find((one) => one.body.userId === 'learner-5'));
      // Both workers have looked at the queue several times while the LMS was answering.
      await new Promise((resolve) => setTimeout(resolve, 3500));
      assert.equal(lms.scores.filter((one) => one.body.userId === 'learner-5').length, 1, 'sent once');
      const studentId = (await student.get('/session')).body.user.id;
      assert.equal((await t.store.find('ltiGrades', 'studentId', studentId))[0].status, 'sent');
      assert.deepEqual(await t.store.find('ltiGradeClaims', 'studentId', studentId), [], 'no claim is left behind');
    } finally {
      lms.scoreDelayMs = 0;
      await (second.locals.stopBackground as () => Promise<void>)();
    }
  });
});

describe('LTI roster (NRPS)', () => {
  let t: TestApp;
  let lms: Platform;

  before(async () => {
    t = await startApp();
    const { admin } = await schoolWithAdmin(t);
    lms = await platformFor(t);
    await connect(admin, lms);
  });
  after(async () => {
    await lms.close();
    await t.close();
  });

  test('"Get the roster from the LMS" adds the active learners of the course as students, once', async () => {
    const teacher = new Client(t.app);
    const { response } = await launch(teacher, lms, { sub: 'teacher-1', [ROLES]: INSTRUCTOR, 'https://purl.imsglobal.org/spec/lti/claim/resource_link': undefined, 'https://purl.imsglobal.org/spec/lti/claim/target_link_uri': 'http://tool.test/' });
    const classId = response.headers.location.split('/')[2];
    await teacher.refreshToken();
    lms.members = [
      { user_id: 'teacher-1', roles: INSTRUCTOR, status: 'Active' },
      { user_id: 'learner-a', roles: LEARNER, status: 'Active', email: 'a@example.org' },
      { user_id: 'learner-b', roles: ['Learner'], status: 'Active', given_name: 'Bo' },
      { user_id: 'learner-gone', roles: LEARNER, status: 'Inactive' },
    ];
    const page = await teacher.page(`/classes/${classId}`);
    assert.match(page.text, /Get the roster from the LMS/);
    const first = await teacher.post(`/classes/${classId}/lti/roster`);
    assert.equal(first.status, 200, JSON.stringify(first.body));
    assert.deepEqual(first.body, { added: 2, existing: 0 });
    assert.deepEqual((await teacher.post(`/classes/${classId}/lti/roster`)).body, { added: 0, existing: 2 });
    const classPage = await teacher.get(`/classes/${classId}`);
    assert.deepEqual(classPage.body.students.map((student: { displayName: string }) => student.displayName).sort(), ['Bo', 'Student 2']);
    assert.ok(!JSON.stringify(await t.store.list('users')).includes('a@example.org'), 'no email kept');
    // The learner who launches later is the same student.
    const later = new Client(t.app);
    await launch(later, lms, { sub: 'learner-b', [ROLES]: LEARNER });
    assert.equal((await later.get('/session')).body.user.displayName, 'Bo');
    // Erasing the student removes their LMS link with them; a later launch starts a new account.
    const bo = (await later.get('/session')).body.user.id;
    await t.store.eraseStudent(bo);
    assert.deepEqual(await t.store.find('ltiIdentities', 'userId', bo), []);
    const fresh = new Client(t.app);
    assert.equal((await launch(fresh, lms, { sub: 'learner-b', [ROLES]: LEARNER })).response.status, 303);
    assert.notEqual((await fresh.get('/session')).body.user.id, bo);
    const other = new Client(t.app);
    await other.signup('teacher', 'outsider');
    assert.equal((await other.post(`/classes/${classId}/lti/roster`)).status, 404);
  });
});
