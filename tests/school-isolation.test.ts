// Two schools on one deployment see nothing of each other: every class,
// student, check-up and admin route of school A, asked by each role of
// school B, answers 404 (or the contract's 403) and shows none of A's data.
// Also co-teachers and deactivation, which cross no boundary either.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Client, startApp, type TestApp } from './helpers.ts';

const OPERATOR = 'district-operator-token-isolation';

interface School {
  name: string;
  admin: Client;
  teacher: Client;
  students: Client[];
  parent: Client;
  classId: string;
  joinCode: string;
  checkupId: string;
}

async function buildSchool(t: TestApp, tag: string): Promise<School> {
  const admin = new Client(t.app);
  await admin.refreshToken();
  const created = await admin.post('/setup', { token: OPERATOR, schoolName: `School ${tag}`, username: `admin-${tag}`, password: 'a-long-secret-1', displayName: `Admin ${tag}` });
  assert.equal(created.status, 201);
  admin.token = created.body.csrfToken;
  const code = (await admin.post('/admin/invites', { role: 'teacher' })).body.invite.code;
  const teacher = new Client(t.app);
  await teacher.signup('teacher', `teacher-${tag}`, { invite: code });
  const klass = (await teacher.post('/classes', { name: `Class ${tag}` })).body.class;
  const students: Client[] = [];
  for (const n of [1, 2]) {
    const student = new Client(t.app);
    await student.signup('student', `student-${tag}-${n}`, { classCode: klass.joinCode });
    students.push(student);
  }
  const checkup = (await teacher.post(`/classes/${klass.id}/checkups`, { phase: 'before' })).body.checkup;
  const parent = new Client(t.app);
  await parent.signup('parent', `parent-${tag}`);
  const parentCode = (await students[0].post('/parent-code')).body.code;
  assert.equal((await parent.post('/children', { code: parentCode })).status, 201);
  return { name: `School ${tag}`, admin, teacher, students, parent, classId: klass.id, joinCode: klass.joinCode, checkupId: checkup.id };
}

describe('two schools on one deployment', () => {
  let t: TestApp;
  let a: School;
  let b: School;
  before(async () => {
    t = await startApp({ env: { SETUP_TOKEN: OPERATOR } });
    a = await buildSchool(t, 'a');
    b = await buildSchool(t, 'b');
  });
  after(() => t.close());

  /** Every route about school A's class, students and check-up, with what it is asked. */
  function routesOfA(): [method: 'get' | 'post', url: string, body?: object][] {
    const c = `/classes/${a.classId}`;
    const s = a.students[0].user!.id;
    return [
      ['get', c],
      ['get', `${c}/roster`],
      ['get', `${c}/progress.csv`],
      ['get', `${c}/checkup-report`],
      ['get', `${c}/checkup.csv`],
      ['get', `${c}/mastery`],
      ['get', `${c}/lessons/recruitment-funnel`],
      ['get', `${c}/students/${s}`],
      ['get', `${c}/students/${s}/export`],
      ['post', `${c}/join-code`],
      ['post', `${c}/assignments`, { lessonId: 'recruitment-funnel' }],
      ['post', `${c}/checkups`, { phase: 'after' }],
      ['post', `${c}/teachers`, { username: 'teacher-b' }],
      ['post', `${c}/practice-settings`, { firstDays: 1, secondDays: 2 }],
      ['post', `${c}/students/${s}/reset-password`],
      ['post', `${c}/students/${s}/remove`],
      ['post', `${c}/students/${s}/erase`, { confirm: 'student-a-1' }],
      ['post', `/admin/students/${s}/export`],
      ['post', `/admin/students/${s}/erase`, { confirm: 'student-a-1' }],
      ['post', `/admin/teachers/${a.teacher.user!.id}/deactivate`],
      ['get', `/children/${s}`],
      ['get', `/checkups/${a.checkupId}`],
      ['post', `/checkups/${a.checkupId}/responses`, { itemId: 'x', manipulative: 1, confidence: 1 }],
    ];
  }

  test("every route of school A answers each role of school B with 404 (or the role's 403), showing nothing of A", async () => {
    const rolesOfB: [string, Client][] = [['admin', b.admin], ['teacher', b.teacher], ['student', b.students[0]], ['parent', b.parent]];
    const secrets = [a.name, 'Class a', 'student-a-1', 'student-a-2', 'teacher-a', a.joinCode, a.classId];
    for (const [role, client] of rolesOfB) {
      for (const [method, url, body] of routesOfA()) {
        const response = method === 'get' ? await client.get(url) : await client.post(url, body ?? {});
        // 403 only where the route is for another role altogether (a student asking a teacher route is refused by role first).
        assert.ok([403, 404].includes(response.status), `${role} ${method} ${url}: ${response.status}`);
        // /children and /checkups are for parents and students: any other role is refused by role, whatever the id.
        if (response.status === 403 && /^\/(classes|admin)\//.test(url)) assert.notEqual(role, 'admin', `an admin of B is never told A's things exist: ${url}`);
        const text = JSON.stringify(response.body) + (response.text ?? '');
        for (const secret of secrets) assert.ok(!text.includes(secret), `${role} ${method} ${url} shows ${secret}`);
      }
    }
    // Nothing changed in A.
    const pageA = await a.teacher.get(`/classes/${a.classId}`);
    assert.equal(pageA.body.class.joinCode, a.joinCode);
    assert.equal(pageA.body.students.length, 2);
    assert.equal(pageA.body.assignments.length, 0);
    assert.equal((await a.teacher.get('/session')).body.user.username, 'teacher-a', 'A’s teacher is still active');
  });

  test("B's pages, JSON and CSV list nothing of A", async () => {
    const secrets = [a.name, 'Class a', 'student-a-1', 'student-a-2', 'teacher-a', 'parent-a', a.joinCode, a.classId];
    const pages = [
      [b.admin, '/'],
      [b.teacher, '/'],
      [b.teacher, `/classes/${b.classId}`],
      [b.teacher, `/classes/${b.classId}/roster`],
      [b.teacher, `/classes/${b.classId}/progress.csv`],
      [b.teacher, `/classes/${b.classId}/checkup.csv`],
      [b.admin, `/classes/${b.classId}`],
      [b.students[0], '/'],
      [b.parent, '/'],
    ] as const;
    for (const [client, url] of pages) {
      for (const response of [await client.get(url), await client.page(url)]) {
        // A class below the small-groups threshold gets 409 for its check-up CSV instead of the file: still nothing of A.
        assert.ok(response.status === 200 || (url.endsWith('/checkup.csv') && response.status === 409), `${url}: ${response.status}`);
        for (const secret of secrets) assert.ok(!response.text.includes(secret), `${url} shows ${secret}`);
      }
    }
  });

  test("a student of B typing A's join code gets the unknown-code answer", async () => {
    const joined = await b.students[1].post('/join', { classCode: a.joinCode });
    const unknown = await b.students[1].post('/join', { classCode: 'ZZZZZZ' });
    assert.equal(joined.status, 422);
    assert.deepEqual(joined.body, unknown.body);
    assert.equal((await a.teacher.get(`/classes/${a.classId}`)).body.students.length, 2);
  });

  test("a co-teacher must be of the class's school; one of the same school then sees and manages the class", async () => {
    const other = await b.teacher.post(`/classes/${b.classId}/teachers`, { username: 'teacher-a' });
    assert.equal(other.status, 422);
    assert.equal(other.body.error.field, 'username');
    const code = (await b.admin.post('/admin/invites', { role: 'teacher' })).body.invite.code;
    const colleague = new Client(t.app);
    await colleague.signup('teacher', 'colleague-b', { invite: code });
    assert.equal((await colleague.get(`/classes/${b.classId}`)).status, 404, 'not theirs before');
    const added = await b.teacher.post(`/classes/${b.classId}/teachers`, { username: 'colleague-b' });
    assert.equal(added.status, 201);
    assert.equal((await colleague.get(`/classes/${b.classId}`)).status, 200);
    assert.deepEqual((await colleague.get('/')).body.classes.map((c: { id: string }) => c.id), [b.classId], 'their home lists the class they co-teach');
    assert.equal((await colleague.post(`/classes/${b.classId}/assignments`, { lessonId: 'recruitment-funnel' })).status, 201);
    assert.equal((await b.teacher.post(`/classes/${b.classId}/teachers`, { username: 'colleague-b' })).status, 409, 'once is enough');
    const page = await b.teacher.page(`/classes/${b.classId}`);
    assert.match(page.text, /Teachers of this class[\s\S]*teacher-b[\s\S]*colleague-b/);
    const wrongForm = await b.teacher.form(`/classes/${b.classId}/teachers`, { username: 'nobody-here' });
    assert.equal(wrongForm.status, 422);
    assert.match(wrongForm.text, /id="error-username"[^>]*>[\s\S]*no teacher with that username/);
    assert.ok((await t.store.list('auditEvents')).some((event) => event.action === 'teacher.coteacher-added' && event.target.includes('colleague-b')));
  });

  test('deactivating a teacher ends their sessions, refuses their login, and moves a class they taught alone to the admin', async () => {
    const teacherId = a.teacher.user!.id;
    assert.equal((await a.teacher.post(`/admin/teachers/${teacherId}/deactivate`)).status, 403, 'a teacher cannot deactivate anyone');
    const response = await a.admin.post(`/admin/teachers/${teacherId}/deactivate`);
    assert.equal(response.status, 200);
    assert.equal(response.body.movedClasses, 1);
    assert.equal((await a.teacher.get('/session')).body.user, null, 'their session ended at once');
    assert.equal((await a.teacher.get(`/classes/${a.classId}`)).status, 401);
    const again = new Client(t.app);
    const login = await again.login('teacher-a');
    assert.equal(login.status, 403);
    assert.match(login.body.error.message, /deactivated/);
    assert.equal((await a.admin.get(`/classes/${a.classId}`)).status, 200);
    assert.deepEqual((await a.admin.get('/')).body.classes.map((c: { id: string }) => c.id), [a.classId], 'the class is now the admin’s');
    const events = (await t.store.list('auditEvents')).filter((event) => event.action === 'teacher.deactivated');
    assert.equal(events.length, 1);
    assert.equal(events[0].targetUserId, teacherId);
  });
});
