// Two FrameCheck processes on one PostgreSQL database are one school: what
// one instance writes, the other serves at once; races between them cannot
// make duplicates; the login throttle counts on both; and a killed instance
// loses no acknowledged answer. Runs in the PostgreSQL suite only.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { exitOf, HttpClient, startServer, type ServerProcess } from './server-process.ts';
import { catalog, dropSchema, FIRST_LESSON, rightAnswers, SECOND_LESSON, STORE, tempDir } from './helpers.ts';
import { generate, GENERATED_PASSWORD } from '../scripts/generate.ts';
import { openStore } from '../src/store/open.ts';

const url = STORE.kind === 'postgres' ? STORE.url : '';

describe('two instances on one database', { skip: STORE.kind !== 'postgres' && 'needs FRAMECHECK_STORE=postgres and DATABASE_URL', concurrency: false }, () => {
  const schema = `mi_${randomBytes(5).toString('hex')}`;
  const dirs = [tempDir(), tempDir()];
  let a: ServerProcess;
  let b: ServerProcess;
  const start = (index: number) => startServer(dirs[index], { DATABASE_URL: url, DATABASE_SCHEMA: schema });

  before(async () => {
    // A class of 30 made straight in the store (fast hashes), then both instances started together.
    const store = await openStore({ dataDir: dirs[0], databaseUrl: url, databaseSchema: schema, journalCompactBytes: 0 });
    await generate(store, catalog(), { classes: 1, studentsPerClass: 30, attemptsPerStudent: 0 });
    await store.close();
    [a, b] = await Promise.all([start(0), start(1)]);
  });

  after(async () => {
    for (const server of [a, b]) {
      if (server && server.child.exitCode === null && server.child.signalCode === null) {
        server.child.kill('SIGTERM');
        await exitOf(server.child);
      }
    }
    await dropSchema(schema);
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  test('a student signs up on one instance and logs in on the other, and one cookie works on both', async () => {
    const onA = new HttpClient(a.url);
    const user = await onA.signup({ role: 'student', username: 'Travels', displayName: 'Travels' });
    const onB = new HttpClient(b.url);
    assert.equal(await onB.login('travels'), 200);
    assert.equal((await onB.request('GET', '/session')).body.user.id, user.id);
    // The session made on A is known to B: same secret, same session table.
    const session = await onA.request('GET', '/session');
    assert.equal(session.body.user.username, 'Travels');
  });

  test("a teacher's class page on B shows a quiz answered on A at once", async () => {
    const teacher = new HttpClient(b.url);
    assert.equal(await teacher.login('teacher0', GENERATED_PASSWORD), 200);
    const classId = (await teacher.request('GET', '/')).body.classes[0].id;
    const cell = async () => {
      const page = await teacher.request('GET', `/classes/${classId}`);
      const student = page.body.students.find((s: { username: string }) => s.username === 'student0-1');
      return page.body.progress.find((p: { studentId: string; lessonId: string }) => p.studentId === student.id && p.lessonId === FIRST_LESSON);
    };
    assert.equal((await cell()).status, 'not_started');
    await cell(); // now cached on B
    const student = new HttpClient(a.url);
    assert.equal(await student.login('student0-1', GENERATED_PASSWORD), 200);
    assert.equal((await student.request('POST', `/lessons/${FIRST_LESSON}/quiz`, { answers: rightAnswers(FIRST_LESSON) })).status, 201);
    const after = await cell();
    assert.equal(after.status, 'passed');
    assert.equal(after.bestPercent, 100);
  });

  // Each instance keeps the sessions it read lately (src/store/postgres/session-cache.ts):
  // a session ended on one instance must be refused by the other straight after.
  test('a student who logs out on A is signed out on B at once, however recently B served them', async () => {
    for (let round = 0; round < 10; round++) {
      const onA = new HttpClient(a.url);
      assert.equal(await onA.login('student0-2', GENERATED_PASSWORD), 200);
      const onB = onA.on(b.url);
      // B serves the session twice (read, then kept) before it ends on A.
      for (let i = 0; i < 2; i++) assert.equal((await onB.request('GET', '/session')).body.user.username, 'student0-2', `round ${round}`);
      assert.equal((await onA.request('POST', '/logout')).status, 200);
      assert.equal((await onB.request('GET', '/session')).body.user, null, `round ${round}: B still knew the session`);
      // Refused either way: no longer signed in (401), or the CSRF token belonged to the ended session (403).
      const answer = await onB.request('POST', `/lessons/${FIRST_LESSON}/quiz`, { answers: rightAnswers(FIRST_LESSON) });
      assert.ok([401, 403].includes(answer.status), `round ${round}: B answered ${answer.status} to an ended session`);
    }
  });

  test("a teacher's password reset on A ends the student's session on B at once", async () => {
    const teacher = new HttpClient(a.url);
    assert.equal(await teacher.login('teacher0', GENERATED_PASSWORD), 200);
    const classId = (await teacher.request('GET', '/')).body.classes[0].id;
    const studentOnB = new HttpClient(b.url);
    assert.equal(await studentOnB.login('student0-3', GENERATED_PASSWORD), 200);
    const studentId = (await studentOnB.request('GET', '/session')).body.user.id;
    assert.equal((await studentOnB.request('POST', `/lessons/${FIRST_LESSON}/quiz`, { answers: rightAnswers(FIRST_LESSON) })).status, 201);
    assert.equal((await teacher.request('POST', `/classes/${classId}/students/${studentId}/reset-password`)).status, 201);
    const answer = await studentOnB.request('POST', `/lessons/${FIRST_LESSON}/quiz`, { answers: rightAnswers(FIRST_LESSON) });
    assert.ok([401, 403].includes(answer.status), `B answered ${answer.status} to an ended session`);
    assert.equal((await studentOnB.request('GET', '/session')).body.user, null);
  });

  test('the login throttle counts wrong passwords made on both instances', async () => {
    const owner = new HttpClient(a.url);
    await owner.signup({ role: 'student', username: 'guessed-at', displayName: 'Guessed' });
    // Five free wrong passwords per (username, address): three land on A and two on B,
    // so neither instance alone has seen five, yet the pair must now wait on both.
    for (let i = 0; i < 5; i++) {
      const guesser = new HttpClient(i % 2 ? a.url : b.url);
      assert.equal(await guesser.login('guessed-at', `wrong-${i}-password`), 401);
    }
    for (const server of [a, b]) assert.equal(await new HttpClient(server.url).login('guessed-at'), 429, 'even the right password waits from this address');
  });

  test('the same username sent to both instances at once: exactly one 201 and one 409', async () => {
    for (let round = 0; round < 5; round++) {
      const username = `twin-${round}`;
      const statuses = await Promise.all(
        [a, b].map(async (server) => {
          const client = new HttpClient(server.url);
          await client.start();
          return (await client.request('POST', '/signup', { role: 'student', username, password: 'a-long-secret-1', displayName: username })).status;
        }),
      );
      assert.deepEqual(statuses.sort(), [201, 409], `round ${round}`);
    }
  });

  test('SIGKILL one instance under a burst of submissions: every acknowledged answer is in the database', async () => {
    const clients = await Promise.all(
      Array.from({ length: 20 }, async (_, i) => {
        const client = new HttpClient(a.url);
        assert.equal(await client.login(`student0-${i + 10}`, GENERATED_PASSWORD), 200);
        return client;
      }),
    );
    const acknowledged: string[] = [];
    const worker = async (client: HttpClient, index: number) => {
      for (let n = 0; n < 30; n++) {
        try {
          const lessonId = (n + index) % 3 === 0 ? SECOND_LESSON : FIRST_LESSON;
          const response = await client.request('POST', `/lessons/${lessonId}/quiz`, { answers: lessonId === FIRST_LESSON ? rightAnswers(FIRST_LESSON) : {} });
          if (response.status === 201) acknowledged.push(response.body.attempt.id);
        } catch {
          return; // the instance is gone
        }
      }
    };
    const load = Promise.all(clients.map(worker));
    // Kill in the middle of the burst: after a random number of acknowledgements (printed, to replay a failure).
    const killAfter = 30 + Math.floor(Math.random() * 150);
    const waitedSince = Date.now();
    while (acknowledged.length < killAfter && Date.now() - waitedSince < 10_000) await new Promise((resolve) => setTimeout(resolve, 5));
    a.child.kill('SIGKILL');
    await exitOf(a.child);
    await load;
    assert.ok(acknowledged.length > 0, 'some answers were acknowledged before the kill');
    const store = await openStore({ dataDir: dirs[0], databaseUrl: url, databaseSchema: schema, journalCompactBytes: 0 });
    try {
      const stored = new Set((await store.getMany('attempts', acknowledged)).map((attempt) => attempt.id));
      const missing = acknowledged.filter((id) => !stored.has(id));
      assert.deepEqual(missing, [], `${missing.length} of ${acknowledged.length} acknowledged answers are missing`);
      console.log(`# ${acknowledged.length} acknowledged answers before the kill, all in the database`);
    } finally {
      await store.close();
    }
    // B carries on serving the school.
    const teacher = new HttpClient(b.url);
    assert.equal(await teacher.login('teacher0', GENERATED_PASSWORD), 200);
  });
});
