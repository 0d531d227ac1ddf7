import { test, describe, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { catalog, Client, FIRST_LESSON, SECOND_LESSON, rightAnswers, signedUp, startApp, type TestApp } from './helpers.ts';
import { answersWith, classWith, del, parseCsv } from './more-helpers.ts';

const START = new Date('2027-03-01T10:00:00Z');
const THIRD_LESSON = catalog().lessons[2].id;
const FOURTH_LESSON = catalog().lessons[3].id;
const FIFTH_LESSON = catalog().lessons[4].id;

describe('classes', () => {
  let t: TestApp;
  before(async () => {
    t = await startApp({ now: START });
  });
  after(async () => {
    await t.close();
  });
  afterEach(() => {
    t.clock.now = START;
  });

  test('a teacher creates a class over JSON and with the form, and reads it back', async () => {
    const teacher = await signedUp(t.app, 'teacher', 'create-teacher');
    const created = await teacher.post('/classes', { name: '  Year 9 PSHE  ' });
    assert.equal(created.status, 201);
    const { id, name, joinCode } = created.body.class;
    assert.equal(name, 'Year 9 PSHE', 'the name is trimmed');
    assert.equal(typeof id, 'string');
    const page = await teacher.get(`/classes/${id}`);
    assert.equal(page.status, 200);
    assert.deepEqual(page.body.class, { id, name: 'Year 9 PSHE', joinCode });

    const form = await teacher.form('/classes', { name: 'Year 10' });
    assert.equal(form.status, 303);
    const match = /^\/classes\/([^/#?]+)$/.exec(form.headers.location);
    assert.ok(match, `redirects to the class page, got ${form.headers.location}`);
    const html = await teacher.page(form.headers.location);
    assert.equal(html.status, 200);
    assert.match(html.text, /<h1>Year 10<\/h1>/);

    const home = await teacher.get('/');
    assert.deepEqual(
      home.body.classes.map((record: { name: string }) => record.name),
      ['Year 9 PSHE', 'Year 10'],
    );
  });

  test('a class needs a name: 422 naming the field, and nothing is created', async () => {
    const teacher = await signedUp(t.app, 'teacher', 'noname-teacher');
    for (const body of [{}, { name: '' }, { name: '   ' }, { name: 42 }, { name: 'x'.repeat(81) }]) {
      const response = await teacher.post('/classes', body);
      assert.equal(response.status, 422, JSON.stringify(body));
      assert.equal(response.body.error.field, 'name');
    }
    const form = await teacher.form('/classes', { name: '' });
    assert.equal(form.status, 422);
    assert.match(form.text, /aria-invalid="true"/);
    assert.deepEqual((await teacher.get('/')).body.classes, []);
  });

  test('join codes are 6 unambiguous characters (no 0, O, 1, l, I) and differ between classes', async () => {
    const teacher = await signedUp(t.app, 'teacher', 'codes-teacher');
    const codes = new Set<string>();
    for (let i = 0; i < 20; i++) {
      const code: string = (await teacher.post('/classes', { name: `Class ${i}` })).body.class.joinCode;
      assert.match(code, /^[A-Za-z0-9]{6}$/);
      assert.doesNotMatch(code, /[0O1lI]/, code);
      codes.add(code);
    }
    assert.equal(codes.size, 20);
  });

  test('a new join code stops the old one working; the new one works, also typed in lower case', async () => {
    const { teacher, classId, joinCode: old } = await classWith(t.app, 'regen', ['first']);
    const regenerated = await teacher.post(`/classes/${classId}/join-code`);
    assert.equal(regenerated.status, 200);
    const fresh: string = regenerated.body.class.joinCode;
    assert.notEqual(fresh, old);
    assert.match(fresh, /^[A-Za-z0-9]{6}$/);
    assert.equal((await teacher.get(`/classes/${classId}`)).body.class.joinCode, fresh);

    const late = new Client(t.app);
    await late.refreshToken();
    const refused = await late.post('/signup', { role: 'student', username: 'regen-late', password: 'a-long-secret-1', displayName: 'Late', classCode: old });
    assert.equal(refused.status, 422);
    assert.equal(refused.body.error.field, 'classCode');
    assert.equal((await late.post('/login', { username: 'regen-late', password: 'a-long-secret-1' })).status, 401, 'no account was made');

    const other = await signedUp(t.app, 'student', 'regen-joiner');
    const oldJoin = await other.post('/join', { classCode: old });
    assert.equal(oldJoin.status, 422);
    assert.equal(oldJoin.body.error.field, 'classCode');

    await signedUp(t.app, 'student', 'regen-new', { classCode: fresh.toLowerCase() });
    const roster = (await teacher.get(`/classes/${classId}`)).body.students.map((s: { username: string }) => s.username);
    assert.deepEqual(roster.sort(), ['regen-first', 'regen-new']);

    const form = await teacher.form(`/classes/${classId}/join-code`);
    assert.equal(form.status, 303);
    assert.equal(form.headers.location, `/classes/${classId}`);
    assert.notEqual((await teacher.get(`/classes/${classId}`)).body.class.joinCode, fresh);
  });

  test('assigning lessons with and without a due date; assigning again changes the date; bad input is 422', async () => {
    const { teacher, classId } = await classWith(t.app, 'assign', []);
    const dated = await teacher.post(`/classes/${classId}/assignments`, { lessonId: FIRST_LESSON, due: '2027-03-10' });
    assert.equal(dated.status, 201);
    assert.deepEqual(Object.keys(dated.body.assignment).sort(), ['due', 'id', 'lessonId']);
    assert.equal(dated.body.assignment.lessonId, FIRST_LESSON);
    assert.equal(dated.body.assignment.due, '2027-03-10');
    const undated = await teacher.post(`/classes/${classId}/assignments`, { lessonId: SECOND_LESSON });
    assert.equal(undated.status, 201);
    assert.equal(undated.body.assignment.due, null);

    const again = await teacher.post(`/classes/${classId}/assignments`, { lessonId: FIRST_LESSON, due: '2027-03-20' });
    assert.ok(again.status === 200 || again.status === 201, String(again.status));
    assert.equal(again.body.assignment.id, dated.body.assignment.id, 'the same assignment, not a second one');
    assert.equal(again.body.assignment.due, '2027-03-20');

    const cases: [object, string][] = [
      [{ lessonId: 'no-such-lesson' }, 'lessonId'],
      [{}, 'lessonId'],
      [{ lessonId: FIRST_LESSON, due: '10/03/2027' }, 'due'],
      [{ lessonId: FIRST_LESSON, due: 'tomorrow' }, 'due'],
      [{ lessonId: FIRST_LESSON, due: '2027-02-30' }, 'due'],
      [{ lessonId: THIRD_LESSON, due: 20270310 }, 'due'],
    ];
    for (const [body, field] of cases) {
      const response = await teacher.post(`/classes/${classId}/assignments`, body);
      assert.equal(response.status, 422, JSON.stringify(body));
      assert.equal(response.body.error.field, field, JSON.stringify(body));
    }

    const form = await teacher.form(`/classes/${classId}/assignments`, { lessonId: THIRD_LESSON, due: '' });
    assert.equal(form.status, 303);
    assert.match(form.headers.location, new RegExp(`^/classes/${classId}`));

    const page = (await teacher.get(`/classes/${classId}`)).body;
    assert.deepEqual(
      page.assignments.map((a: { lessonId: string; due: string | null }) => [a.lessonId, a.due]),
      [
        [FIRST_LESSON, '2027-03-20'],
        [SECOND_LESSON, null],
        [THIRD_LESSON, null],
      ],
    );
  });

  test('removing an assignment with DELETE and with the form', async () => {
    const { teacher, classId } = await classWith(t.app, 'unassign', []);
    const a = (await teacher.post(`/classes/${classId}/assignments`, { lessonId: FIRST_LESSON })).body.assignment;
    const b = (await teacher.post(`/classes/${classId}/assignments`, { lessonId: SECOND_LESSON })).body.assignment;
    const removed = await del(teacher, `/classes/${classId}/assignments/${a.id}`);
    assert.equal(removed.status, 200);
    assert.deepEqual(removed.body, { ok: true });
    assert.deepEqual((await teacher.get(`/classes/${classId}`)).body.assignments.map((x: { id: string }) => x.id), [b.id]);
    assert.equal((await del(teacher, `/classes/${classId}/assignments/${a.id}`)).status, 404, 'gone');

    const form = await teacher.form(`/classes/${classId}/assignments/${b.id}/delete`);
    assert.equal(form.status, 303);
    assert.match(form.headers.location, new RegExp(`^/classes/${classId}`));
    assert.deepEqual((await teacher.get(`/classes/${classId}`)).body.assignments, []);

    const noCsrf = await teacher.agent.delete(`/classes/${classId}/assignments/${b.id}`).set('Accept', 'application/json');
    assert.equal(noCsrf.status, 403);
  });

  test('the class page JSON has class, students, assignments and progress rows as the contract says', async () => {
    const { teacher, classId, joinCode, students } = await classWith(t.app, 'shape', ['zed', 'amy'], { className: 'Shape class', displayNames: ['Zed', 'Amy'] });
    const first = (await teacher.post(`/classes/${classId}/assignments`, { lessonId: FIRST_LESSON, due: '2027-03-05' })).body.assignment;
    const second = (await teacher.post(`/classes/${classId}/assignments`, { lessonId: SECOND_LESSON })).body.assignment;
    const [zed, amy] = students.map((student) => student.user!);
    const response = await teacher.get(`/classes/${classId}`);
    assert.equal(response.status, 200);
    const body = response.body;
    assert.deepEqual(body.class, { id: classId, name: 'Shape class', joinCode });
    assert.deepEqual(body.students, [
      { id: amy.id, username: 'shape-amy', displayName: 'Amy' },
      { id: zed.id, username: 'shape-zed', displayName: 'Zed' },
    ]);
    assert.deepEqual(body.assignments, [
      { id: first.id, lessonId: FIRST_LESSON, due: '2027-03-05' },
      { id: second.id, lessonId: SECOND_LESSON, due: null },
    ]);
    assert.equal(body.progress.length, 4, 'one row per student and assigned lesson');
    for (const student of [amy, zed]) {
      for (const lessonId of [FIRST_LESSON, SECOND_LESSON]) {
        const row = body.progress.find((p: { studentId: string; lessonId: string }) => p.studentId === student.id && p.lessonId === lessonId);
        assert.ok(row, `${student.username} ${lessonId}`);
        assert.equal(row.status, 'not_started');
        assert.equal(row.bestPercent, null);
        assert.equal(row.attempts, 0);
        for (const key of ['studentId', 'lessonId', 'status', 'bestPercent', 'attempts']) assert.ok(key in row, key);
      }
    }
    assert.doesNotMatch(response.text, /passwordHash|scrypt/);
  });

  test('progress: not started, in progress after opening, passed after a passing quiz; best percent, attempts, overdue', async () => {
    const { teacher, classId, students } = await classWith(t.app, 'prog', ['keen', 'idle']);
    const [keen, idle] = students;
    await teacher.post(`/classes/${classId}/assignments`, { lessonId: FIRST_LESSON, due: '2027-03-03' });
    await teacher.post(`/classes/${classId}/assignments`, { lessonId: SECOND_LESSON, due: '2027-03-10' });
    const cell = async (student: Client, lessonId: string) => {
      const body = (await teacher.get(`/classes/${classId}`)).body;
      return body.progress.find((p: { studentId: string; lessonId: string }) => p.studentId === student.user!.id && p.lessonId === lessonId);
    };
    assert.deepEqual(await cell(keen, FIRST_LESSON), { studentId: keen.user!.id, lessonId: FIRST_LESSON, status: 'not_started', bestPercent: null, attempts: 0, overdue: false });

    assert.equal((await keen.get(`/lessons/${FIRST_LESSON}`)).status, 200);
    const opened = await cell(keen, FIRST_LESSON);
    assert.equal(opened.status, 'in_progress');
    assert.equal(opened.bestPercent, null);
    assert.equal(opened.attempts, 0);

    assert.equal((await keen.post(`/lessons/${FIRST_LESSON}/quiz`, { answers: answersWith(FIRST_LESSON, 3) })).status, 201);
    const tried = await cell(keen, FIRST_LESSON);
    assert.equal(tried.status, 'in_progress');
    assert.equal(tried.bestPercent, 30);
    assert.equal(tried.attempts, 1);

    assert.equal((await keen.post(`/lessons/${FIRST_LESSON}/quiz`, { answers: rightAnswers(FIRST_LESSON) })).status, 201);
    assert.equal((await keen.post(`/lessons/${FIRST_LESSON}/quiz`, { answers: {} })).status, 201);
    const passed = await cell(keen, FIRST_LESSON);
    assert.equal(passed.status, 'passed', 'a later failed retake does not undo a pass');
    assert.equal(passed.bestPercent, 100);
    assert.equal(passed.attempts, 3);
    assert.equal((await cell(idle, FIRST_LESSON)).status, 'not_started', "one student's work is not another's");

    // Before the due date nobody is overdue; after it, only the ones who did not pass.
    assert.equal((await cell(idle, FIRST_LESSON)).overdue, false);
    assert.doesNotMatch((await teacher.page(`/classes/${classId}`)).text, /cell-overdue/);
    t.clock.now = new Date('2027-03-04T09:00:00Z');
    assert.equal((await cell(idle, FIRST_LESSON)).overdue, true);
    assert.equal((await cell(keen, FIRST_LESSON)).overdue, false, 'passed is never overdue');
    assert.equal((await cell(keen, SECOND_LESSON)).overdue, false, 'not due yet');
    const html = await teacher.page(`/classes/${classId}`);
    assert.equal((html.text.match(/cell-overdue/g) ?? []).length, 1);
    assert.match(html.text, /Late/);
    t.clock.now = new Date('2027-03-11T09:00:00Z');
    assert.equal((await cell(keen, SECOND_LESSON)).overdue, true);
    assert.equal((await cell(idle, SECOND_LESSON)).overdue, true);
  });

  test('progress.csv: text/csv, the header row, one row per student and lesson, formula cells neutralised', async () => {
    const hostile = ['=HYPERLINK("http://evil.example","click")', '+1', '-x', '@x'];
    const { teacher, classId, students } = await classWith(t.app, 'csv', ['eq', 'plus', 'minus', 'at', 'plain'], { displayNames: [...hostile, 'Plain Pat'] });
    await teacher.post(`/classes/${classId}/assignments`, { lessonId: FIRST_LESSON, due: '2027-03-05' });
    await teacher.post(`/classes/${classId}/assignments`, { lessonId: SECOND_LESSON });
    t.clock.now = new Date('2027-03-02T08:30:00Z');
    await students[4].post(`/lessons/${FIRST_LESSON}/quiz`, { answers: rightAnswers(FIRST_LESSON) });

    const response = await teacher.agent.get(`/classes/${classId}/progress.csv`);
    assert.equal(response.status, 200);
    assert.match(response.headers['content-type'], /^text\/csv/);
    const rows = parseCsv(response.text);
    assert.deepEqual(rows[0], ['username', 'display name', 'lesson id', 'lesson title', 'due', 'status', 'best percent', 'attempts', 'last attempt']);
    const body = rows.slice(1);
    assert.equal(body.length, 10, '5 students x 2 lessons');
    for (const row of body) {
      assert.equal(row.length, 9);
      for (const cell of row) assert.doesNotMatch(cell, /^[=+\-@]/, `cell ${cell} would run as a formula`);
    }
    for (const [index, name] of hostile.entries()) {
      const mine = body.filter((row) => row[0] === `csv-${['eq', 'plus', 'minus', 'at'][index]}`);
      assert.equal(mine.length, 2);
      for (const row of mine) assert.equal(row[1], `'${name}`);
    }
    const pat = body.filter((row) => row[0] === 'csv-plain');
    assert.deepEqual(pat.map((row) => row[2]).sort(), [FIRST_LESSON, SECOND_LESSON].sort());
    const passedRow = pat.find((row) => row[2] === FIRST_LESSON)!;
    assert.deepEqual(passedRow, ['csv-plain', 'Plain Pat', FIRST_LESSON, catalog().lesson(FIRST_LESSON)!.title, '2027-03-05', 'passed', '100', '1', '2027-03-02T08:30:00.000Z']);
    const untouched = pat.find((row) => row[2] === SECOND_LESSON)!;
    assert.deepEqual(untouched.slice(4), ['', 'not_started', '', '0', '']);
  });

  test("a student's page lists every attempt with its score and date", async () => {
    const { teacher, classId, students } = await classWith(t.app, 'attempts', ['sol']);
    const [sol] = students;
    t.clock.now = new Date('2027-03-02T09:15:00Z');
    await sol.post(`/lessons/${FIRST_LESSON}/quiz`, { answers: answersWith(FIRST_LESSON, 4) });
    t.clock.now = new Date('2027-03-04T13:45:00Z');
    await sol.post(`/lessons/${FIRST_LESSON}/quiz`, { answers: rightAnswers(FIRST_LESSON) });
    const response = await teacher.get(`/classes/${classId}/students/${sol.user!.id}`);
    assert.equal(response.status, 200);
    assert.equal(response.body.student.username, 'attempts-sol');
    assert.deepEqual(
      response.body.attempts.map((a: { lessonId: string; score: number; max: number; percent: number; passed: boolean; at: string }) => [a.lessonId, a.score, a.max, a.percent, a.passed, a.at]),
      [
        [FIRST_LESSON, 10, 10, 100, true, '2027-03-04T13:45:00.000Z'],
        [FIRST_LESSON, 4, 10, 40, false, '2027-03-02T09:15:00.000Z'],
      ],
    );
    const html = await teacher.page(`/classes/${classId}/students/${sol.user!.id}`);
    assert.equal(html.status, 200);
    assert.match(html.text, /4 \/ 10 \(40%\)/);
    assert.match(html.text, /10 \/ 10 \(100%\)/);
    assert.match(html.text, /2 Mar 2027/);
    assert.match(html.text, /4 Mar 2027/);

    const stranger = await signedUp(t.app, 'student', 'attempts-stranger');
    assert.equal((await teacher.get(`/classes/${classId}/students/${stranger.user!.id}`)).status, 404, 'not in this class');
  });

  test('a password reset: a temporary password, the old session ends, a new password must be chosen', async () => {
    const { teacher, classId, students } = await classWith(t.app, 'reset', ['forgot']);
    const [student] = students;
    const reset = await teacher.post(`/classes/${classId}/students/${student.user!.id}/reset-password`);
    assert.equal(reset.status, 201);
    const temporary: string = reset.body.temporaryPassword;
    assert.equal(typeof temporary, 'string');
    assert.ok(temporary.length >= 8);

    assert.equal((await student.get('/session')).body.user, null, 'the old session is logged out');
    assert.equal((await student.get('/')).body.user, null);
    assert.equal((await student.get('/lessons')).status, 401);

    const again = new Client(t.app);
    assert.equal((await again.login('reset-forgot')).status, 401, 'the old password no longer works');
    const login = await again.login('reset-forgot', temporary);
    assert.equal(login.status, 200);
    assert.equal(login.body.user.mustChangePassword, true);

    assert.equal((await again.get('/')).status, 403);
    assert.equal((await again.get('/lessons')).status, 403);
    assert.equal((await again.post(`/lessons/${FIRST_LESSON}/quiz`, { answers: {} })).status, 403);
    assert.equal((await again.post('/parent-code')).status, 403);
    const redirected = await again.page('/lessons');
    assert.equal(redirected.status, 303);
    assert.equal(redirected.headers.location, '/password');
    assert.equal((await again.get('/session')).body.user.mustChangePassword, true);

    const weak = await again.post('/password', { newPassword: 'short' });
    assert.equal(weak.status, 422);
    assert.equal(weak.body.error.field, 'newPassword');
    const changed = await again.post('/password', { newPassword: 'my-own-secret-42' });
    assert.equal(changed.status, 200);
    assert.equal((await again.get('/')).status, 200);
    assert.equal((await again.get('/session')).body.user.mustChangePassword, undefined);
    assert.equal((await again.post(`/lessons/${FIRST_LESSON}/quiz`, { answers: {} })).status, 201);

    const later = new Client(t.app);
    assert.equal((await later.login('reset-forgot', temporary)).status, 401, 'the temporary password was for one use');
    const back = await later.login('reset-forgot', 'my-own-secret-42');
    assert.equal(back.status, 200);
    assert.equal(back.body.user.mustChangePassword, undefined);
  });

  test('the reset form answers 201 with the page that shows the temporary password once', async () => {
    const { teacher, classId, students } = await classWith(t.app, 'slip', ['kid']);
    const response = await teacher.form(`/classes/${classId}/students/${students[0].user!.id}/reset-password`);
    assert.equal(response.status, 201);
    assert.equal(response.headers.location, undefined);
    const temporary = /class="code temp-password">([^<]+)</.exec(response.text)?.[1];
    assert.ok(temporary, 'the page shows the temporary password');
    assert.match(response.text, /slip-kid/);
    const login = await new Client(t.app).login('slip-kid', temporary);
    assert.equal(login.status, 200);
    assert.equal(login.body.user.mustChangePassword, true);
  });

  test('a student joins a second class; home lists both classes\' lessons by due date, the earlier date winning', async () => {
    const one = await classWith(t.app, 'home1', ['pupil'], { className: 'Morning group' });
    const twoTeacher = await signedUp(t.app, 'teacher', 't-home2');
    const two = (await twoTeacher.post('/classes', { name: 'Afternoon group' })).body.class;
    const [pupil] = one.students;

    const unknown = await pupil.post('/join', { classCode: 'ZZZZZZ' });
    assert.equal(unknown.status, 422);
    assert.equal(unknown.body.error.field, 'classCode');
    const joined = await pupil.post('/join', { classCode: two.joinCode });
    assert.equal(joined.status, 200);
    assert.deepEqual(joined.body, { class: { id: two.id, name: 'Afternoon group' } });
    assert.equal((await pupil.post('/join', { classCode: two.joinCode })).status, 200, 'joining twice is harmless');
    const roster = (await twoTeacher.get(`/classes/${two.id}`)).body.students;
    assert.deepEqual(roster.map((s: { username: string }) => s.username), ['home1-pupil']);

    await one.teacher.post(`/classes/${one.classId}/assignments`, { lessonId: FIRST_LESSON, due: '2027-03-20' });
    await one.teacher.post(`/classes/${one.classId}/assignments`, { lessonId: SECOND_LESSON, due: '2027-03-10' });
    await one.teacher.post(`/classes/${one.classId}/assignments`, { lessonId: FOURTH_LESSON });
    await twoTeacher.post(`/classes/${two.id}/assignments`, { lessonId: FIRST_LESSON, due: '2027-03-05' });
    await twoTeacher.post(`/classes/${two.id}/assignments`, { lessonId: SECOND_LESSON, due: '2027-03-25' });
    await one.teacher.post(`/classes/${one.classId}/assignments`, { lessonId: FIFTH_LESSON, due: '2027-03-12' });
    await twoTeacher.post(`/classes/${two.id}/assignments`, { lessonId: FIFTH_LESSON });
    await twoTeacher.post(`/classes/${two.id}/assignments`, { lessonId: THIRD_LESSON });
    await twoTeacher.post(`/classes/${two.id}/assignments`, { lessonId: FOURTH_LESSON, due: '2027-03-15' });

    const home = await pupil.get('/');
    assert.equal(home.status, 200);
    assert.deepEqual(
      home.body.assignments.map((a: { lessonId: string; due: string | null }) => [a.lessonId, a.due]),
      [
        [FIRST_LESSON, '2027-03-05'],
        [SECOND_LESSON, '2027-03-10'],
        [FIFTH_LESSON, '2027-03-12'],
        [FOURTH_LESSON, '2027-03-15'],
        [THIRD_LESSON, null],
      ],
    );
    const first = home.body.assignments[0];
    assert.equal(first.title, catalog().lesson(FIRST_LESSON)!.title);
    assert.equal(first.status, 'not_started');
    assert.equal(first.bestPercent, null);

    const html = await pupil.page('/');
    assert.match(html.text, /Morning group/);
    assert.match(html.text, /Afternoon group/);
    const positions = [FIRST_LESSON, SECOND_LESSON, FIFTH_LESSON, FOURTH_LESSON, THIRD_LESSON].map((id) => html.text.indexOf(`href="/lessons/${id}"`));
    assert.ok(positions.every((p, i) => p > 0 && (i === 0 || p > positions[i - 1])), `page order ${positions}`);

    const form = await pupil.form('/join', { classCode: 'ZZZZZZ' });
    assert.equal(form.status, 422);
    assert.match(form.text, /class code/i);
    const third = (await twoTeacher.post('/classes', { name: 'Evening group' })).body.class;
    const joinedByForm = await pupil.form('/join', { classCode: third.joinCode });
    assert.equal(joinedByForm.status, 303);
    assert.equal(joinedByForm.headers.location, '/');
    assert.deepEqual((await pupil.get('/')).body.classes.map((c: { name: string }) => c.name).sort(), ['Afternoon group', 'Evening group', 'Morning group']);
  });

  test('answers by question count how many chose each option in each student\'s latest attempt', async () => {
    const { teacher, classId, students } = await classWith(t.app, 'tally', ['a', 'b', 'c', 'd']);
    const quiz = catalog().quiz(FIRST_LESSON)!;
    const [a, b, c] = students;
    await a.post(`/lessons/${FIRST_LESSON}/quiz`, { answers: rightAnswers(FIRST_LESSON) });
    await b.post(`/lessons/${FIRST_LESSON}/quiz`, { answers: rightAnswers(FIRST_LESSON) });
    await b.post(`/lessons/${FIRST_LESSON}/quiz`, { answers: answersWith(FIRST_LESSON, 0) });
    await c.post(`/lessons/${FIRST_LESSON}/quiz`, { answers: answersWith(FIRST_LESSON, 0) });
    // d never takes it.
    const response = await teacher.get(`/classes/${classId}/lessons/${FIRST_LESSON}`);
    assert.equal(response.status, 200);
    assert.equal(response.body.respondents, 3);
    assert.equal(response.body.questions.length, quiz.questions.length);
    for (const [index, question] of quiz.questions.entries()) {
      const shown = response.body.questions[index];
      assert.equal(shown.questionId, question.id);
      assert.equal(shown.right, 1, `${question.id}: only a is right in a latest attempt`);
      const right = question.options.find((option) => option.correct)!.id;
      const wrong = question.options.find((option) => !option.correct)!.id;
      const chosen = (id: string) => shown.options.find((option: { optionId: string }) => option.optionId === id).chosen;
      if (question.kind === 'single') assert.equal(chosen(right), 1, question.id);
      assert.equal(chosen(wrong), 2, question.id);
      const total = shown.options.reduce((sum: number, option: { chosen: number }) => sum + option.chosen, 0);
      assert.equal(total, question.kind === 'single' ? 3 : question.options.filter((o) => o.correct).length + 2);
    }
    const html = await teacher.page(`/classes/${classId}/lessons/${FIRST_LESSON}`);
    assert.equal(html.status, 200);
    assert.match(html.text, /1 of 3 right/);
    assert.equal((await teacher.get(`/classes/${classId}/lessons/no-such-lesson`)).status, 404);
  });
});
