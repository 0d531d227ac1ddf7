import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Client, FIRST_LESSON, rightAnswers, signedUp, startApp, type TestApp } from './helpers.ts';
import { classWith, del } from './more-helpers.ts';

describe('who may see and do what', () => {
  let t: TestApp;
  let owner: Client;
  let classId: string;
  let joinCode: string;
  let assignmentId: string;
  let attemptId: string;
  let pupil: Client;
  let classmate: Client;
  let otherTeacher: Client;
  let otherClassId: string;
  let outsider: Client;
  let parent: Client;
  let otherParent: Client;

  before(async () => {
    t = await startApp();
    const room = await classWith(t.app, 'authz', ['pupil', 'mate'], { className: 'Secret Class Name', displayNames: ['Pupil Pim', 'Mate Mo'] });
    ({ classId, joinCode } = room);
    owner = room.teacher;
    [pupil, classmate] = room.students;
    assignmentId = (await owner.post(`/classes/${classId}/assignments`, { lessonId: FIRST_LESSON, due: '2027-03-09' })).body.assignment.id;
    attemptId = (await pupil.post(`/lessons/${FIRST_LESSON}/quiz`, { answers: rightAnswers(FIRST_LESSON) })).body.attempt.id;
    otherTeacher = await signedUp(t.app, 'teacher', 'other-teacher');
    otherClassId = (await otherTeacher.post('/classes', { name: 'Other class' })).body.class.id;
    outsider = await signedUp(t.app, 'student', 'outsider');
    parent = await signedUp(t.app, 'parent', 'pim-parent');
    const code = (await pupil.post('/parent-code')).body.code;
    assert.equal((await parent.post('/children', { code })).status, 201);
    otherParent = await signedUp(t.app, 'parent', 'nosy-parent');
  });
  after(async () => {
    await t.close();
  });

  const secrets = () => ['Secret Class Name', joinCode, 'Pupil Pim', 'Mate Mo', 'authz-pupil', 'authz-mate'];

  test("a teacher gets 404 for every page and action of another teacher's class, with no data, and nothing changes", async () => {
    const pupilId = pupil.user!.id;
    const reads = [
      `/classes/${classId}`,
      `/classes/${classId}/roster`,
      `/classes/${classId}/progress.csv`,
      `/classes/${classId}/lessons/${FIRST_LESSON}`,
      `/classes/${classId}/students/${pupilId}`,
    ];
    for (const url of reads) {
      for (const response of [await otherTeacher.get(url), await otherTeacher.page(url)]) {
        assert.equal(response.status, 404, url);
        for (const secret of secrets()) assert.ok(!response.text.includes(secret), `${url} leaks ${secret}`);
      }
    }
    const writes: [string, PromiseLike<{ status: number; body: { temporaryPassword?: string }; text: string }>][] = [
      ['new join code', otherTeacher.post(`/classes/${classId}/join-code`)],
      ['assign', otherTeacher.post(`/classes/${classId}/assignments`, { lessonId: FIRST_LESSON, due: '2027-12-31' })],
      ['DELETE assignment', del(otherTeacher, `/classes/${classId}/assignments/${assignmentId}`)],
      ['delete form', otherTeacher.post(`/classes/${classId}/assignments/${assignmentId}/delete`)],
      ['reset password', otherTeacher.post(`/classes/${classId}/students/${pupilId}/reset-password`)],
      ['remove student', otherTeacher.post(`/classes/${classId}/students/${pupilId}/remove`)],
      // Their own class id with someone else's student or assignment is no way in either.
      ['reset via own class', otherTeacher.post(`/classes/${otherClassId}/students/${pupilId}/reset-password`)],
      ['student via own class', otherTeacher.get(`/classes/${otherClassId}/students/${pupilId}`)],
      ['DELETE via own class', del(otherTeacher, `/classes/${otherClassId}/assignments/${assignmentId}`)],
    ];
    for (const [label, pending] of writes) {
      const response = await pending;
      assert.equal(response.status, 404, label);
      assert.equal(response.body.temporaryPassword, undefined, label);
      for (const secret of secrets()) assert.ok(!response.text.includes(secret), `${label} leaks ${secret}`);
    }
    const after = (await owner.get(`/classes/${classId}`)).body;
    assert.equal(after.class.joinCode, joinCode);
    assert.deepEqual(after.assignments, [{ id: assignmentId, lessonId: FIRST_LESSON, due: '2027-03-09' }]);
    assert.equal(after.students.length, 2);
    assert.equal((await new Client(t.app).login('authz-pupil')).status, 200, 'the password was not reset');
    assert.equal((await pupil.get('/session')).body.user?.username, 'authz-pupil', 'the pupil is still signed in');
  });

  test('a student of the class gets 403 on the teacher pages; a student outside it gets 404', async () => {
    const page = await pupil.get(`/classes/${classId}`);
    assert.equal(page.status, 403);
    for (const secret of [joinCode, 'Mate Mo', 'authz-mate']) assert.ok(!page.text.includes(secret));
    for (const url of [`/classes/${classId}/roster`, `/classes/${classId}/progress.csv`, `/classes/${classId}/students/${classmate.user!.id}`, `/classes/${classId}/lessons/${FIRST_LESSON}`]) {
      const response = await pupil.get(url);
      assert.equal(response.status, 403, url);
      assert.ok(!response.text.includes('Mate Mo'), url);
    }
    assert.equal((await pupil.post(`/classes/${classId}/assignments`, { lessonId: FIRST_LESSON })).status, 403);
    assert.equal((await pupil.post(`/classes/${classId}/join-code`)).status, 403);
    assert.equal((await pupil.post(`/classes/${classId}/students/${classmate.user!.id}/reset-password`)).status, 403);
    const outside = await outsider.get(`/classes/${classId}`);
    assert.equal(outside.status, 404);
    for (const secret of secrets()) assert.ok(!outside.text.includes(secret));
    assert.equal((await owner.get(`/classes/${classId}`)).body.class.joinCode, joinCode);
  });

  test('parents get 404 for class pages, even the class of their own child', async () => {
    for (const client of [parent, otherParent]) {
      const response = await client.get(`/classes/${classId}`);
      assert.equal(response.status, 404);
      for (const secret of secrets()) assert.ok(!response.text.includes(secret));
    }
  });

  test('each role is refused (403) what another role does, and nothing is made', async () => {
    const byStudent = await pupil.post('/classes', { name: 'Pupil class' });
    assert.equal(byStudent.status, 403);
    assert.equal(byStudent.body.class, undefined);
    assert.equal((await pupil.form('/classes', { name: 'Pupil class' })).status, 403);
    assert.equal((await parent.post('/classes', { name: 'Parent class' })).status, 403);
    const parentJoin = await parent.post('/join', { classCode: joinCode });
    assert.equal(parentJoin.status, 403);
    assert.equal((await owner.post('/join', { classCode: joinCode })).status, 403);
    const teacherCode = await owner.post('/parent-code');
    assert.equal(teacherCode.status, 403);
    assert.equal(teacherCode.body.code, undefined);
    assert.equal((await parent.post('/parent-code')).status, 403);
    assert.equal((await owner.get('/family')).status, 403);
    assert.equal((await parent.get('/family')).status, 403);
    const roster = (await owner.get(`/classes/${classId}`)).body.students.map((s: { username: string }) => s.username);
    assert.deepEqual(roster.sort(), ['authz-mate', 'authz-pupil'], 'the parent and teacher did not join');
    assert.deepEqual((await owner.get('/')).body.classes.map((c: { name: string }) => c.name), ['Secret Class Name']);
  });

  test('a parent gets 404 for a child not linked to them, the same as for no child at all', async () => {
    const unlinked = await otherParent.get(`/children/${pupil.user!.id}`);
    const nobody = await otherParent.get('/children/no-such-student');
    assert.equal(unlinked.status, 404);
    assert.equal(nobody.status, 404);
    assert.deepEqual(unlinked.body, nobody.body);
    assert.ok(!unlinked.text.includes('Pupil Pim'));
    assert.equal((await parent.get(`/children/${classmate.user!.id}`)).status, 404, "a linked parent cannot see the child's classmate");
    assert.equal((await parent.get(`/children/${owner.user!.id}`)).status, 404);
    assert.equal((await parent.get(`/children/${pupil.user!.id}`)).status, 200);
  });

  test("a student cannot read another student's attempt (404); only its owner can", async () => {
    const url = `/lessons/${FIRST_LESSON}/quiz/attempts/${attemptId}`;
    assert.equal((await pupil.get(url)).status, 200);
    for (const client of [classmate, outsider]) {
      const response = await client.get(url);
      assert.equal(response.status, 404);
      assert.equal(response.body.attempt, undefined);
      assert.equal((await client.page(url)).status, 404);
    }
    assert.equal((await classmate.get(`/lessons/paradise-on-screen/quiz/attempts/${attemptId}`)).status, 404);
    assert.equal((await owner.get(url)).status, 403);
    assert.equal((await parent.get(url)).status, 403);
  });

  test('anonymous JSON requests to signed-in routes are 401; pages send people to /login', async () => {
    const anonymous = new Client(t.app);
    await anonymous.refreshToken();
    const pupilId = pupil.user!.id;
    const reads = [
      '/lessons',
      `/lessons/${FIRST_LESSON}`,
      `/lessons/${FIRST_LESSON}/quiz`,
      `/lessons/${FIRST_LESSON}/quiz/attempts/${attemptId}`,
      '/glossary',
      `/classes/${classId}`,
      `/classes/${classId}/roster`,
      `/classes/${classId}/progress.csv`,
      `/classes/${classId}/lessons/${FIRST_LESSON}`,
      `/classes/${classId}/students/${pupilId}`,
      '/join',
      '/family',
      `/children/${pupilId}`,
      '/password',
    ];
    for (const url of reads) {
      const response = await anonymous.get(url);
      assert.equal(response.status, 401, url);
      assert.equal(typeof response.body.error?.message, 'string', url);
      for (const secret of secrets()) assert.ok(!response.text.includes(secret), `${url} leaks ${secret}`);
      const page = await anonymous.page(url);
      assert.equal(page.status, 303, url);
      assert.match(page.headers.location, /^\/login\?next=/, url);
    }
    const writes: [string, string, object][] = [
      ['post', '/logout', {}],
      ['post', '/password', { newPassword: 'a-new-secret-77' }],
      ['post', '/classes', { name: 'Anon class' }],
      ['post', `/classes/${classId}/join-code`, {}],
      ['post', `/classes/${classId}/assignments`, { lessonId: FIRST_LESSON }],
      ['post', `/classes/${classId}/assignments/${assignmentId}/delete`, {}],
      ['delete', `/classes/${classId}/assignments/${assignmentId}`, {}],
      ['post', `/classes/${classId}/students/${pupilId}/reset-password`, {}],
      ['post', `/classes/${classId}/students/${pupilId}/remove`, {}],
      ['post', '/join', { classCode: joinCode }],
      ['post', '/parent-code', {}],
      ['post', '/children', { code: 'ABCD-EFGH' }],
      ['post', `/family/adults/${parent.user!.id}/remove`, {}],
      ['post', `/lessons/${FIRST_LESSON}/quiz`, { answers: rightAnswers(FIRST_LESSON) }],
    ];
    for (const [method, url, body] of writes) {
      const response = method === 'delete' ? await del(anonymous, url) : await anonymous.post(url, body);
      assert.equal(response.status, 401, `${method} ${url}`);
    }
    const after = (await owner.get(`/classes/${classId}`)).body;
    assert.equal(after.class.joinCode, joinCode);
    assert.equal(after.assignments.length, 1);
    assert.equal(after.students.length, 2);
    assert.equal((await parent.get(`/children/${pupilId}`)).status, 200);
  });

  test('no JSON answer anywhere contains a password hash', async () => {
    const texts: string[] = [];
    const keep = (response: { text: string }) => texts.push(response.text);
    const fresh = new Client(t.app);
    await fresh.refreshToken();
    keep(await fresh.post('/signup', { role: 'student', username: 'hash-hunter', password: 'a-long-secret-1', displayName: 'H', classCode: joinCode }));
    fresh.token = JSON.parse(texts[0]).csrfToken;
    keep(await fresh.post('/login', { username: 'hash-hunter', password: 'a-long-secret-1' }));
    const pupilId = pupil.user!.id;
    const byRole: [Client, string[]][] = [
      [owner, ['/', '/session', '/lessons', `/classes/${classId}`, `/classes/${classId}/roster`, `/classes/${classId}/lessons/${FIRST_LESSON}`, `/classes/${classId}/students/${pupilId}`, `/classes/${classId}/progress.csv`]],
      [pupil, ['/', '/session', '/lessons', `/lessons/${FIRST_LESSON}`, `/lessons/${FIRST_LESSON}/quiz`, `/lessons/${FIRST_LESSON}/quiz/attempts/${attemptId}`, '/family', '/glossary']],
      [parent, ['/', '/session', `/children/${pupilId}`]],
      [otherParent, [`/children/${pupilId}`]],
    ];
    for (const [client, urls] of byRole) for (const url of urls) keep(await client.get(url));
    keep(await owner.post('/classes', { name: 'Hash class' }));
    keep(await owner.post(`/classes/${classId}/join-code`));
    keep(await pupil.post('/join', { classCode: (await owner.get(`/classes/${classId}`)).body.class.joinCode }));
    keep(await pupil.post(`/lessons/${FIRST_LESSON}/quiz`, { answers: {} }));
    keep(await pupil.post('/parent-code'));
    for (const text of texts) {
      assert.doesNotMatch(text, /passwordHash/);
      assert.doesNotMatch(text, /scrypt\$/);
    }
    assert.ok(texts.length > 20);
  });
});
