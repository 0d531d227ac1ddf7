import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { everythingStored, ROOT, schoolWithAdmin, startApp, STORE, type TestApp } from './helpers.ts';
import { DAY_MS, eventsOf, seedEvent, seedUser, signedIn, teacherWithClass } from './audit-helpers.ts';
import { applyRetention, monthsBefore, RETENTION_TARGET, startRetentionTimer } from '../src/retention/job.ts';
import { put, type School } from '../src/store/backend.ts';
import { FIRST_LESSON, rightAnswers } from './helpers.ts';

async function withApp(run: (t: TestApp) => Promise<void>) {
  const t = await startApp();
  try {
    await run(t);
  } finally {
    await t.close();
  }
}

async function setPolicy(t: TestApp, schoolId: string, policy: Partial<School['retention']>) {
  const school = (await t.store.get('schools', schoolId))!;
  await t.store.commit([put('schools', { ...school, retention: { ...school.retention, ...policy } })]);
}

const at = (iso: string) => new Date(iso);

test('the retention page shows the policy in plain words; the admin changes it, and the change is in the audit log', () =>
  withApp(async (t) => {
    const { schoolId, admin } = await schoolWithAdmin(t);
    const shown = await admin.get('/admin/retention');
    assert.equal(shown.status, 200);
    assert.deepEqual(shown.body.policy, { inactiveMonths: 12, archiveClassesAfter: null, lastRunAt: null });
    const page = await admin.page('/admin/retention');
    assert.match(page.text, /nobody has signed in to for <strong>12 months<\/strong> is erased/);
    assert.match(page.text, /<label for="field-inactiveMonths">/);
    assert.match(page.text, /<label for="field-archiveClassesAfter">/);

    for (const [body, field] of [
      [{ inactiveMonths: '0' }, 'inactiveMonths'],
      [{ inactiveMonths: '61' }, 'inactiveMonths'],
      [{ inactiveMonths: '1.5' }, 'inactiveMonths'],
      [{ inactiveMonths: 'twelve' }, 'inactiveMonths'],
      [{}, 'inactiveMonths'],
      [{ inactiveMonths: '12', archiveClassesAfter: '31/07/2027' }, 'archiveClassesAfter'],
    ] as const) {
      const response = await admin.post('/admin/retention', body);
      assert.equal(response.status, 422, JSON.stringify(body));
      assert.equal(response.body.error.field, field, JSON.stringify(body));
    }
    const form = await admin.form('/admin/retention', { inactiveMonths: '0' });
    assert.equal(form.status, 422);
    assert.match(form.text, /Months without sign-in: must be a whole number from 1 to 60/);
    assert.equal((await admin.agent.post('/admin/retention').set('Accept', 'application/json').send({ inactiveMonths: 6 })).status, 403, 'no CSRF token, no change');
    assert.deepEqual((await eventsOf(t, schoolId)).map((event) => event.action), ['admin.login'], 'refused changes wrote nothing');

    const saved = await admin.form('/admin/retention', { inactiveMonths: '18', archiveClassesAfter: '2027-07-23' });
    assert.equal(saved.status, 303);
    assert.equal(saved.headers.location, '/admin/retention?saved=1');
    assert.match((await admin.page(saved.headers.location)).text, /Saved\./);
    assert.deepEqual((await admin.get('/admin/retention')).body.policy, { inactiveMonths: 18, archiveClassesAfter: '2027-07-23', lastRunAt: null });
    const log = await admin.get('/admin/audit?action=retention.changed');
    assert.equal(log.body.events.length, 1);
    assert.equal(log.body.events[0].actor, 'head.admin');
    assert.match(log.body.events[0].detail, /was: 12 months .* no date; now: 18 months .* 2027-07-23/);
  }));

test('teachers do not see or change the policy; an admin changes only their own school', () =>
  withApp(async (t) => {
    const a = await schoolWithAdmin(t, 'School A', 'admin.a');
    const b = await schoolWithAdmin(t, 'School B', 'admin.b');
    await seedUser(t, a.schoolId, 'teacher', 'teacher.a');
    const teacher = await signedIn(t, 'teacher.a');
    assert.equal((await teacher.get('/admin/retention')).status, 403);
    assert.equal((await teacher.post('/admin/retention', { inactiveMonths: 1 })).status, 403);
    assert.equal((await b.admin.post('/admin/retention', { inactiveMonths: 3 })).status, 200);
    assert.equal((await t.store.get('schools', a.schoolId))!.retention.inactiveMonths, 12);
    assert.equal((await t.store.get('schools', b.schoolId))!.retention.inactiveMonths, 3);
  }));

test('an unused student account is erased once the period has passed, not a day before, and the audit trail says so without a name', () =>
  withApp(async (t) => {
    const { schoolId } = await schoolWithAdmin(t);
    t.clock.now = at('2027-03-01T10:00:00Z');
    const leaver = await seedUser(t, schoolId, 'student', 'gone-student-zq');
    await signedIn(t, 'gone-student-zq');
    const stayer = await seedUser(t, schoolId, 'student', 'still-here');
    // In the autumn a teacher reset the password; the student never signed in again.
    await seedEvent(t, { schoolId, action: 'password.reset', target: 'student gone-student-zq', targetUserId: leaver.id, at: at('2027-09-01T10:00:00Z') });

    // Eleven months on, the other student signs in again.
    t.clock.now = at('2028-02-01T09:00:00Z');
    await signedIn(t, 'still-here');

    t.clock.now = at('2028-02-29T23:00:00Z');
    await applyRetention(t.store, t.clock.now);
    assert.ok(await t.store.get('users', leaver.id), 'kept the day before the twelve months are over');

    t.clock.now = at('2028-03-01T10:00:01Z');
    const [run] = await applyRetention(t.store, t.clock.now);
    assert.deepEqual(run, { schoolId, erased: 1, archived: 0, eventsRemoved: 1 }, "the admin's sign-in of a year ago goes");
    assert.equal(await t.store.get('users', leaver.id), undefined);
    assert.ok(await t.store.get('users', stayer.id), 'an account in use is kept');

    const log = await (await signedIn(t, 'head.admin')).get('/admin/audit');
    const erased = log.body.events.filter((event: { action: string }) => event.action === 'student.erased');
    assert.equal(erased.length, 1);
    assert.deepEqual({ ...erased[0], at: undefined }, { at: undefined, actor: 'FrameCheck', action: 'student.erased', target: RETENTION_TARGET, detail: 'not used for 12 months' });
    const runs = log.body.events.filter((event: { action: string }) => event.action === 'retention.run');
    assert.equal(runs.length, 2, 'one run a day, each logged');
    assert.match(runs[0].detail, /^1 inactive student account erased, 0 classes archived/);
    assert.match(runs[1].detail, /^0 inactive student accounts erased/);
    assert.ok(log.body.events.some((event: { target: string }) => event.target === 'an erased student account'), 'the older event about the student stays, scrubbed');

    const stored = await everythingStored(t);
    assert.doesNotMatch(stored, /gone-student-zq/);
    assert.doesNotMatch(stored, new RegExp(leaver.id));
  }));

test('an account from before sign-ins were recorded counts its latest work as use', () =>
  withApp(async (t) => {
    const { schoolId } = await schoolWithAdmin(t);
    const { joinCode } = await teacherWithClass(t, schoolId);
    const old = await seedUser(t, schoolId, 'student', 'old-account', { createdAt: '2025-01-01T00:00:00Z' });
    const student = await signedIn(t, 'old-account');
    assert.equal((await student.post('/join', { classCode: joinCode })).status, 200);
    assert.equal((await student.post(`/lessons/${FIRST_LESSON}/quiz`, { answers: rightAnswers(FIRST_LESSON) })).status, 201);
    // As if the account were older than sign-in records: only its work shows it in use.
    await t.store.commit([put('users', { ...(await t.store.get('users', old.id))!, lastActiveAt: undefined })]);
    t.clock.now = new Date(t.clock.now.getTime() + 30 * DAY_MS);
    await applyRetention(t.store, t.clock.now);
    assert.ok(await t.store.get('users', old.id), 'created two years ago but working last month: kept');
  }));

test('classes are archived after the chosen day: they show as archived and take no new students or lessons', () =>
  withApp(async (t) => {
    const { schoolId } = await schoolWithAdmin(t);
    const { classId, joinCode } = await teacherWithClass(t, schoolId);
    await setPolicy(t, schoolId, { archiveClassesAfter: '2027-07-23' });

    t.clock.now = at('2027-07-23T18:00:00Z');
    const teacher = await signedIn(t, 'ms.lee');
    await applyRetention(t.store, t.clock.now);
    assert.equal((await teacher.get(`/classes/${classId}`)).body.class.archivedAt, undefined, 'still open on the day itself');

    t.clock.now = at('2027-07-24T06:00:00Z');
    const [run] = await applyRetention(t.store, t.clock.now);
    assert.equal(run.archived, 1);
    const shown = await teacher.get(`/classes/${classId}`);
    assert.equal(shown.body.class.archivedAt, '2027-07-24T06:00:00.000Z');
    assert.match((await teacher.page(`/classes/${classId}`)).text, /Archived on 24 Jul 2027\./);

    await seedUser(t, schoolId, 'student', 'late-joiner');
    const student = await signedIn(t, 'late-joiner');
    const join = await student.post('/join', { classCode: joinCode });
    assert.equal(join.status, 409);
    assert.equal(join.body.error.field, 'classCode');
    assert.equal((await t.store.find('memberships', 'classId', classId)).length, 0);
    const assign = await teacher.post(`/classes/${classId}/assignments`, { lessonId: FIRST_LESSON });
    assert.equal(assign.status, 409);
    assert.equal(assign.body.error.field, 'lessonId');
    assert.equal((await t.store.find('assignments', 'classId', classId)).length, 0);
  }));

test('audit entries older than the retention period are deleted; newer ones stay', () =>
  withApp(async (t) => {
    const { schoolId } = await schoolWithAdmin(t);
    const now = t.clock.now;
    const old = await seedEvent(t, { schoolId, target: 'old', at: new Date(monthsBefore(now, 12).getTime() - DAY_MS) });
    const recent = await seedEvent(t, { schoolId, target: 'recent', at: new Date(monthsBefore(now, 12).getTime() + DAY_MS) });
    const [run] = await applyRetention(t.store, now);
    assert.equal(run.eventsRemoved, 1);
    const ids = (await eventsOf(t, schoolId)).map((event) => event.id);
    assert.ok(!ids.includes(old.id));
    assert.ok(ids.includes(recent.id));
  }));

test('running twice in a day, one after the other or at once, does the work once', () =>
  withApp(async (t) => {
    const { schoolId } = await schoolWithAdmin(t);
    await seedUser(t, schoolId, 'student', 'long-gone', { createdAt: '2025-01-01T00:00:00Z', lastActiveAt: '2025-01-01T00:00:00Z' });
    const [first, second] = await Promise.all([applyRetention(t.store, t.clock.now), applyRetention(t.store, t.clock.now)]);
    assert.equal(first.length + second.length, 1, 'one of two runs at once did the work');
    const later = new Date(t.clock.now.getTime() + 5 * 60 * 60 * 1000);
    assert.deepEqual(await applyRetention(t.store, later), [], 'later the same day: nothing');
    const actions = (await eventsOf(t, schoolId)).map((event) => event.action).sort();
    assert.deepEqual(actions, ['admin.login', 'retention.run', 'student.erased']);
    assert.equal((await t.store.get('schools', schoolId))!.retention.lastRunAt, t.clock.now.toISOString());
  }));

test("each school's policy applies to its own students only, and each log shows only its own runs", () =>
  withApp(async (t) => {
    const a = await schoolWithAdmin(t, 'School A', 'admin.a');
    const b = await schoolWithAdmin(t, 'School B', 'admin.b');
    await setPolicy(t, a.schoolId, { inactiveMonths: 1 });
    const created = new Date(t.clock.now.getTime() - 60 * DAY_MS).toISOString();
    const inA = await seedUser(t, a.schoolId, 'student', 'student.in.a', { createdAt: created, lastActiveAt: created });
    const inB = await seedUser(t, b.schoolId, 'student', 'student.in.b', { createdAt: created, lastActiveAt: created });
    const runs = await applyRetention(t.store, t.clock.now);
    assert.deepEqual(runs.map((run) => [run.schoolId === a.schoolId ? 'A' : 'B', run.erased]).sort(), [['A', 1], ['B', 0]]);
    assert.equal(await t.store.get('users', inA.id), undefined);
    assert.ok(await t.store.get('users', inB.id));
    const logB = (await b.admin.get('/admin/audit')).body.events.map((event: { action: string }) => event.action);
    assert.deepEqual(logB.sort(), ['admin.login', 'retention.run']);
    const logA = (await a.admin.get('/admin/audit?action=student.erased')).body.events;
    assert.equal(logA.length, 1);
  }));

test("the server's timer runs the job at once and does not keep the process alive", () =>
  withApp(async (t) => {
    const { schoolId } = await schoolWithAdmin(t);
    const timer = startRetentionTimer(t.store, () => t.clock.now);
    try {
      assert.equal(timer.hasRef(), false);
      for (let i = 0; i < 100 && !(await t.store.get('schools', schoolId))!.retention.lastRunAt; i++) await new Promise((resolve) => setTimeout(resolve, 20));
      assert.equal((await t.store.get('schools', schoolId))!.retention.lastRunAt, t.clock.now.toISOString());
    } finally {
      clearInterval(timer);
    }
  }));

test('npm run retention applies the policy once, for a cron job', async () => {
  const t = await startApp();
  const { schoolId } = await schoolWithAdmin(t);
  const gone = await seedUser(t, schoolId, 'student', 'cron-gone', { createdAt: '2025-01-01T00:00:00Z', lastActiveAt: '2025-01-01T00:00:00Z' });
  await t.store.close();
  const where = STORE.kind === 'postgres' ? { DATABASE_URL: STORE.url, DATABASE_SCHEMA: t.schema } : { DATABASE_URL: '' };
  const env = { ...process.env, DATA_DIR: t.dataDir, FRAMECHECK_NOW: t.clock.now.toISOString(), ...where };
  const run = () => promisify(execFile)(process.execPath, ['--import', 'tsx', 'scripts/retention.ts'], { cwd: ROOT, env });
  const first = await run();
  assert.match(first.stdout, /1 inactive student accounts erased/);
  const second = await run();
  assert.match(second.stdout, /nothing to do today/);
  const reopened = await t.restart();
  try {
    assert.equal(await reopened.store.get('users', gone.id), undefined);
  } finally {
    await reopened.close();
  }
});
