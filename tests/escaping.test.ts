import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Client, FIRST_LESSON, rightAnswers, signedUp, startApp, type TestApp } from './helpers.ts';

const SCRIPT = '<script>alert(1)</script>';
const SCRIPT_ESCAPED = '&lt;script&gt;alert(1)&lt;/script&gt;';
const IMG = '<img src=x onerror=alert(1)>';
const IMG_ESCAPED = '&lt;img src=x onerror=alert(1)&gt;';

describe('hostile names are escaped wherever they are shown', () => {
  let t: TestApp;
  let teacher: Client;
  let student: Client;
  let parent: Client;
  let classId: string;
  let attemptId: string;

  before(async () => {
    t = await startApp();
    // The teacher's own name is plain, so what is found on their pages is the student's.
    teacher = await signedUp(t.app, 'teacher', 'esc-teacher', { displayName: 'Ms Esc' });
    const created = await teacher.post('/classes', { name: IMG });
    classId = created.body.class.id;
    student = await signedUp(t.app, 'student', 'esc-student', { displayName: SCRIPT, classCode: created.body.class.joinCode });
    parent = await signedUp(t.app, 'parent', 'esc-parent', { displayName: SCRIPT });
    await parent.post('/children', { code: (await student.post('/parent-code')).body.code });
    await teacher.post(`/classes/${classId}/assignments`, { lessonId: FIRST_LESSON, due: '2027-03-09' });
    attemptId = (await student.post(`/lessons/${FIRST_LESSON}/quiz`, { answers: rightAnswers(FIRST_LESSON) })).body.attempt.id;
  });
  after(async () => {
    await t.close();
  });

  function assertEscaped(html: string, where: string, shows: { name?: boolean; className?: boolean }) {
    assert.ok(!html.includes('<script>alert'), `${where}: raw <script> name`);
    assert.ok(!html.includes('<img src=x'), `${where}: raw <img> class name`);
    assert.doesNotMatch(html, /onerror=alert\(1\)>/, `${where}: an unescaped attribute`);
    if (shows.name) assert.ok(html.includes(SCRIPT_ESCAPED), `${where}: the escaped display name is shown`);
    if (shows.className) assert.ok(html.includes(IMG_ESCAPED), `${where}: the escaped class name is shown`);
  }

  test('the names are stored and given back exactly as typed', async () => {
    assert.equal((await student.get('/session')).body.user.displayName, SCRIPT);
    assert.equal((await teacher.get(`/classes/${classId}`)).body.class.name, IMG);
    assert.equal((await teacher.get(`/classes/${classId}`)).body.students[0].displayName, SCRIPT);
  });

  test("the teacher's pages: home, class page, roster, student page, answers by question", async () => {
    const pages: [string, { name?: boolean; className?: boolean }][] = [
      ['/', { className: true }],
      [`/classes/${classId}`, { name: true, className: true }],
      [`/classes/${classId}/roster`, { name: true, className: true }],
      [`/classes/${classId}/students/${student.user!.id}`, { name: true, className: true }],
      [`/classes/${classId}/lessons/${FIRST_LESSON}`, { className: true }],
    ];
    for (const [url, shows] of pages) {
      const response = await teacher.page(url);
      assert.equal(response.status, 200, url);
      assertEscaped(response.text, url, shows);
    }
  });

  test("the student's pages: home, family page, lessons, quiz and result", async () => {
    const home = await student.page('/');
    assert.equal(home.status, 200);
    assertEscaped(home.text, 'student home', { name: true, className: true });
    const family = await student.page('/family');
    assert.equal(family.status, 200);
    assertEscaped(family.text, 'family page', { name: true });
    assert.equal((family.text.match(/&lt;script&gt;alert\(1\)&lt;\/script&gt;/g) ?? []).length >= 2, true, 'the linked adult is listed, escaped');
    for (const url of ['/lessons', `/lessons/${FIRST_LESSON}`, `/lessons/${FIRST_LESSON}/quiz`, `/lessons/${FIRST_LESSON}/quiz/attempts/${attemptId}`]) {
      const response = await student.page(url);
      assert.equal(response.status, 200, url);
      assertEscaped(response.text, url, { name: true });
    }
  });

  test("the parent's pages: home and the child's page", async () => {
    const home = await parent.page('/');
    assert.equal(home.status, 200);
    assertEscaped(home.text, 'parent home', { name: true });
    assert.ok(home.text.includes(`<a href="/children/${student.user!.id}">${SCRIPT_ESCAPED}</a>`), "the child's name, escaped");
    const child = await parent.page(`/children/${student.user!.id}`);
    assert.equal(child.status, 200);
    assertEscaped(child.text, "child's page", { name: true });
    assert.match(child.text, new RegExp(`<h1>${SCRIPT_ESCAPED.replace(/[()]/g, '\\$&')}</h1>`));
  });

  test('the password reset slip', async () => {
    const slip = await teacher.form(`/classes/${classId}/students/${student.user!.id}/reset-password`);
    assert.equal(slip.status, 201);
    assertEscaped(slip.text, 'reset slip', { name: true });
    assert.match(slip.text, new RegExp(`Hi ${SCRIPT_ESCAPED.replace(/[()]/g, '\\$&')}\\.`));
  });

  test('forms given back after an error keep the hostile text escaped', async () => {
    const tooLong = await teacher.form('/classes', { name: IMG + 'x'.repeat(80) });
    assert.equal(tooLong.status, 422);
    assertEscaped(tooLong.text, 'class form', { className: true });
    const signup = new Client(t.app);
    await signup.refreshToken();
    const refused = await signup.form('/signup', { role: 'student', username: 'esc-new', password: 'short', displayName: SCRIPT });
    assert.equal(refused.status, 422);
    assertEscaped(refused.text, 'signup form', { name: true });
  });
});
