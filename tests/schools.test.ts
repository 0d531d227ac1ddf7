// Schools: the setup link, the district operator's token, invitations, the
// open trial signup and the upgrade of data from before schools.
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { hashCode, issueSetupToken } from '../src/schools/schools.ts';
import { moveIntoOneSchool } from '../src/schools/upgrade.ts';
import { put } from '../src/store/backend.ts';
import { Client, invitation, schoolWithAdmin, signedUp, startApp, tempDir, type TestApp } from './helpers.ts';
import { startServer, exitOf } from './server-process.ts';

const OPERATOR = 'district-operator-token-0123456789';
const apps: TestApp[] = [];
async function app(env: NodeJS.ProcessEnv = {}) {
  const t = await startApp({ env });
  apps.push(t);
  return t;
}
after(async () => {
  for (const t of apps) await t.close();
});

function setup(client: Client, token: string, username: string, schoolName = `School of ${username}`) {
  return client.post('/setup', { token, schoolName, username, password: 'a-long-secret-1', displayName: username });
}

async function fresh(t: TestApp): Promise<Client> {
  const client = new Client(t.app);
  await client.refreshToken();
  return client;
}

describe('setup', () => {
  test('the printed token makes the first school and its signed-in admin once; then /setup is gone', async () => {
    const t = await app();
    const token = (await issueSetupToken(t.store, t.clock.now))!;
    const visitor = await fresh(t);
    const form = await visitor.page(`/setup?token=${token}`);
    assert.equal(form.status, 200);
    assert.match(form.text, /Set up your school/);
    assert.match(form.text, new RegExp(`value="${token}"`), 'the form carries the token from the link');

    const wrong = await setup(visitor, 'not-the-token', 'head');
    assert.equal(wrong.status, 403);
    const created = await setup(visitor, token, 'head', 'Hillside');
    assert.equal(created.status, 201);
    assert.equal(created.body.school.name, 'Hillside');
    assert.equal(created.body.user.role, 'admin');
    visitor.token = created.body.csrfToken;
    const session = await visitor.get('/session');
    assert.equal(session.body.user.username, 'head', 'the admin is signed in');
    assert.ok(!JSON.stringify(await t.store.list('setupTokens')).includes(token), 'only a hash of the token is kept');

    const again = await setup(await fresh(t), token, 'someone-else');
    assert.equal(again.status, 404, 'the token worked once');
    assert.equal((await (await fresh(t)).page('/setup')).status, 404, 'no setup form once a school exists');
    assert.equal((await t.store.list('schools')).length, 1);
    const events = await t.store.find('auditEvents', 'schoolId', created.body.school.id);
    assert.deepEqual(events.map((event) => event.action), ['school.created']);
  });

  test('a token printed before a restart still works after it, until a school exists', async () => {
    let t = await app();
    const token = (await issueSetupToken(t.store, t.clock.now))!;
    t = await t.restart();
    apps.push(t);
    assert.ok(await t.store.get('setupTokens', hashCode(token)));
    const created = await setup(await fresh(t), token, 'after-restart');
    assert.equal(created.status, 201);
    assert.equal(await issueSetupToken(t.store, t.clock.now), null, 'no new token once a school exists');
  });

  test("the district operator's SETUP_TOKEN makes one more school per use; without it /setup is 404", async () => {
    const t = await app({ SETUP_TOKEN: OPERATOR });
    const first = await setup(await fresh(t), OPERATOR, 'admin-a', 'School A');
    const second = await setup(await fresh(t), OPERATOR, 'admin-b', 'School B');
    assert.equal(first.status, 201);
    assert.equal(second.status, 201);
    assert.notEqual(first.body.school.id, second.body.school.id);
    assert.equal((await (await fresh(t)).page(`/setup?token=${OPERATOR}`)).status, 200, 'the operator still gets the form');
    assert.equal((await setup(await fresh(t), 'guessed-token-guessed-token', 'admin-c')).status, 404);
    const taken = await setup(await fresh(t), OPERATOR, 'ADMIN-A');
    assert.equal(taken.status, 409);
    assert.equal(taken.body.error.field, 'username');
    assert.equal((await t.store.list('schools')).length, 2, 'a refused setup makes no school');
  });

  test('bad input names the field and makes nothing', async () => {
    const t = await app({ SETUP_TOKEN: OPERATOR });
    const visitor = await fresh(t);
    const response = await visitor.post('/setup', { token: OPERATOR, schoolName: '', username: 'x-admin', password: 'a-long-secret-1', displayName: 'X' });
    assert.equal(response.status, 422);
    assert.equal(response.body.error.field, 'schoolName');
    assert.equal((await setup(visitor, OPERATOR, 'good-admin')).status, 201);
    const short = await (await fresh(t)).post('/setup', { token: OPERATOR, schoolName: 'S', username: 'y-admin', password: 'short', displayName: 'Y' });
    assert.equal(short.status, 422);
    assert.equal(short.body.error.field, 'password');
    assert.equal((await t.store.list('schools')).length, 1);
  });

  test('npm start prints one setup line while there is no school, with a token that works', async () => {
    const dataDir = tempDir();
    const server = await startServer(dataDir);
    try {
      for (let i = 0; i < 50 && !/setup\?token=/.test(server.output()); i++) await new Promise((resolve) => setTimeout(resolve, 100));
      const lines = server.output().split('\n').filter((line) => line.includes('/setup?token='));
      assert.equal(lines.length, 1, server.output());
      const token = /setup\?token=([\w-]+)/.exec(lines[0])![1];
      const base = server.url;
      const session = await fetch(`${base}/session`, { headers: { Accept: 'application/json' } });
      const cookie = session.headers.get('set-cookie')!.split(';')[0];
      const { csrfToken } = (await session.json()) as { csrfToken: string };
      const response = await fetch(`${base}/setup`, {
        method: 'POST',
        headers: { Accept: 'application/json', 'Content-Type': 'application/json', Cookie: cookie, 'X-CSRF-Token': csrfToken },
        body: JSON.stringify({ token, schoolName: 'Printed School', username: 'printed-admin', password: 'a-long-secret-1', displayName: 'P' }),
      });
      assert.equal(response.status, 201);
    } finally {
      server.child.kill('SIGTERM');
      await exitOf(server.child);
    }
  });
});

describe('invitations', () => {
  test('a hostile adult without an invitation cannot become a teacher', async () => {
    const t = await app();
    await schoolWithAdmin(t);
    const visitor = await fresh(t);
    const response = await visitor.post('/signup', { role: 'teacher', username: 'stranger', password: 'a-long-secret-1', displayName: 'Stranger' });
    assert.equal(response.status, 403);
    assert.match(response.body.error.message, /invitation/);
    const guessed = await visitor.post('/signup', { role: 'teacher', username: 'stranger', password: 'a-long-secret-1', displayName: 'Stranger', invite: 'ABCD-EFGH-JKMN-PQRS' });
    assert.equal(guessed.status, 422);
    assert.equal(guessed.body.error.field, 'invite');
    const asParent = await visitor.post('/signup', { role: 'parent', username: 'stranger', password: 'a-long-secret-1', displayName: 'Stranger', invite: 'ABCD-EFGH-JKMN-PQRS' });
    assert.equal(asParent.status, 422, 'an invitation is for teachers only');
    assert.equal((await t.store.find('users', 'username', 'stranger')).length, 0);
  });

  test("an invitation works once, puts the teacher in the admin's school, and is kept only as a hash", async () => {
    const t = await app();
    const { admin, schoolId } = await schoolWithAdmin(t);
    const response = await admin.post('/admin/invites', { role: 'teacher', note: 'Mr Fox, history' });
    assert.equal(response.status, 201);
    const { code, url, expiresAt } = response.body.invite;
    assert.match(url, new RegExp(`invite=${code}`));
    assert.equal(new Date(expiresAt).getTime() - t.clock.now.getTime(), 14 * 86_400_000);
    assert.ok(!JSON.stringify(await t.store.list('invites')).includes(code), 'the code itself is not stored');

    const teacher = await signedUp(t.app, 'teacher', 'mr-fox', { invite: code.toLowerCase() });
    assert.equal(teacher.user!.role, 'teacher');
    const stored = (await t.store.find('users', 'username', 'mr-fox'))[0];
    assert.equal(stored.schoolId, schoolId);
    const second = await (await fresh(t)).post('/signup', { role: 'teacher', username: 'mr-fox-2', password: 'a-long-secret-1', displayName: 'Fox 2', invite: code });
    assert.equal(second.status, 422);
    assert.match(second.body.error.message, /used/);
    const actions = (await t.store.find('auditEvents', 'schoolId', schoolId)).map((event) => event.action);
    assert.ok(actions.includes('invite.created') && actions.includes('invite.used'), actions.join());
  });

  test('two signups with one invitation at the same moment make one account', async () => {
    const t = await app();
    const code = await invitation(t.app);
    const results = await Promise.all(
      ['race-a', 'race-b', 'race-c'].map(async (name) => (await fresh(t)).post('/signup', { role: 'teacher', username: name, password: 'a-long-secret-1', displayName: name, invite: code })),
    );
    assert.deepEqual(results.map((r) => r.status).sort(), [201, 422, 422]);
    assert.equal((await t.store.list('users')).filter((user) => user.role === 'teacher').length, 1);
  });

  test('an invitation expires after 14 days; an admin invitation makes an admin', async () => {
    const t = await app();
    const { admin, schoolId } = await schoolWithAdmin(t);
    const old = (await admin.post('/admin/invites', {})).body.invite.code;
    const forAdmin = (await admin.post('/admin/invites', { role: 'admin' })).body.invite.code;
    t.clock.now = new Date(t.clock.now.getTime() + 14 * 86_400_000 + 1000);
    const late = await (await fresh(t)).post('/signup', { role: 'teacher', username: 'too-late', password: 'a-long-secret-1', displayName: 'Late', invite: old });
    assert.equal(late.status, 422);
    assert.match(late.body.error.message, /expired/);
    t.clock.now = new Date(t.clock.now.getTime() - 2 * 86_400_000);
    const deputy = await signedUp(t.app, 'teacher', 'deputy', { invite: forAdmin });
    assert.equal(deputy.user!.role, 'admin');
    assert.equal((await t.store.find('users', 'username', 'deputy'))[0].schoolId, schoolId);
  });

  test('only an admin makes invitations', async () => {
    const t = await app();
    const teacher = await signedUp(t.app, 'teacher', 'plain-teacher');
    assert.equal((await teacher.post('/admin/invites', { role: 'teacher' })).status, 403);
    const student = await signedUp(t.app, 'student', 'plain-student');
    assert.equal((await student.post('/admin/invites', { role: 'teacher' })).status, 404);
    const parent = await signedUp(t.app, 'parent', 'plain-parent');
    assert.equal((await parent.post('/admin/invites', { role: 'teacher' })).status, 404);
    const { admin } = await schoolWithAdmin(t, 'Other', 'other-admin');
    const bad = await admin.post('/admin/invites', { role: 'parent' });
    assert.equal(bad.status, 422);
    assert.equal(bad.body.error.field, 'role');
  });

  test('a student who signs up with a class code belongs to the class school; a parent to none', async () => {
    const t = await app();
    const teacher = await signedUp(t.app, 'teacher', 'class-teacher');
    const { joinCode } = (await teacher.post('/classes', { name: 'Year 8' })).body.class;
    const classSchool = (await t.store.find('users', 'username', 'class-teacher'))[0].schoolId;
    await signedUp(t.app, 'student', 'joined-at-signup', { classCode: joinCode });
    const later = await signedUp(t.app, 'student', 'joined-later');
    assert.equal((await t.store.find('users', 'username', 'joined-later'))[0].schoolId, null);
    assert.equal((await later.post('/join', { classCode: joinCode })).status, 200);
    await signedUp(t.app, 'parent', 'a-parent');
    assert.equal((await t.store.find('users', 'username', 'joined-at-signup'))[0].schoolId, classSchool);
    assert.equal((await t.store.find('users', 'username', 'joined-later'))[0].schoolId, classSchool);
    assert.equal((await t.store.find('users', 'username', 'a-parent'))[0].schoolId, null);
  });
});

describe('TEACHER_SIGNUP=open', () => {
  test('anyone signs up as a teacher of the first school, made as "Trial school" when there is none', async () => {
    const t = await app({ TEACHER_SIGNUP: 'open' });
    const first = await signedUp(t.app, 'teacher', 'trial-one', { invite: '' });
    const second = await signedUp(t.app, 'teacher', 'trial-two', { invite: '' });
    const schools = await t.store.list('schools');
    assert.deepEqual(schools.map((school) => school.name), ['Trial school']);
    for (const name of ['trial-one', 'trial-two']) assert.equal((await t.store.find('users', 'username', name))[0].schoolId, schools[0].id);
    assert.equal((await first.post('/classes', { name: 'Trial class' })).status, 201);
    assert.equal(second.user!.role, 'teacher');
  });

  test('is off by default, and only "open" turns it on', async () => {
    const t = await app();
    const response = await (await fresh(t)).post('/signup', { role: 'teacher', username: 'no-trial', password: 'a-long-secret-1', displayName: 'N' });
    assert.equal(response.status, 403);
    await assert.rejects(startApp({ env: { TEACHER_SIGNUP: 'yes' } }), /TEACHER_SIGNUP/);
  });
});

describe('data from before schools', () => {
  test('moves into one school "Our school" at start-up; the earliest teacher becomes its admin', async () => {
    const t = await app();
    const legacy = (id: string, role: 'teacher' | 'student' | 'parent', createdAt: string) =>
      ({ id, role, username: id, displayName: id, passwordHash: 'x', mustChangePassword: false, createdAt }) as never;
    await t.store.commit([
      put('users', legacy('old-teacher-2', 'teacher', '2026-02-01T00:00:00Z')),
      put('users', legacy('old-teacher-1', 'teacher', '2026-01-01T00:00:00Z')),
      put('users', legacy('old-student', 'student', '2026-03-01T00:00:00Z')),
      put('users', legacy('old-parent', 'parent', '2026-03-01T00:00:00Z')),
      put('classes', { id: 'old-class', teacherId: 'old-teacher-2', name: 'Old class', joinCode: 'OLD123', createdAt: '2026-02-02T00:00:00Z' } as never),
    ]);
    const school = await moveIntoOneSchool(t.store, t.clock.now);
    assert.equal(school?.name, 'Our school');
    const users = Object.fromEntries((await t.store.list('users')).map((user) => [user.id, user]));
    assert.equal(users['old-teacher-1'].role, 'admin');
    assert.equal(users['old-teacher-2'].role, 'teacher');
    for (const id of ['old-teacher-1', 'old-teacher-2', 'old-student']) assert.equal(users[id].schoolId, school!.id, id);
    assert.equal(users['old-parent'].schoolId, null);
    assert.equal((await t.store.get('classes', 'old-class'))?.schoolId, school!.id);
    assert.deepEqual((await t.store.find('classTeachers', 'classId', 'old-class')).map((row) => row.teacherId), ['old-teacher-2']);
    assert.equal(await moveIntoOneSchool(t.store, t.clock.now), null, 'a second start-up moves nothing');
    assert.equal((await t.store.list('schools')).length, 1);
  });
});
