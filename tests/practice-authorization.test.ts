// Who may use each practice route: 401 signed out, 403 wrong role, 404 not yours.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Client, classroom, rightAnswers, signedUp, type Client as C } from './helpers.ts';
import { DAY, practiceCatalog, PRACTICE_LESSON, startPracticeApp } from './practice-helpers.ts';

describe('authorisation on every practice route', () => {
  let t: Awaited<ReturnType<typeof startPracticeApp>>;
  let teacher: C;
  let otherTeacher: C;
  let parent: C;
  let sam: C;
  let rae: C;
  let anonymous: Client;
  let classId: string;
  let resultUrl: string;
  const booster = `/boosters/${PRACTICE_LESSON}-1`;

  before(async () => {
    t = await startPracticeApp();
    ({ teacher, classId, students: [sam, rae] } = await classroom(t.app, ['sam-auth', 'rae-auth']));
    otherTeacher = await signedUp(t.app, 'teacher', 'mr-other');
    parent = await signedUp(t.app, 'parent', 'auth-parent');
    anonymous = new Client(t.app);
    await anonymous.refreshToken();
    await sam.post(`/lessons/${PRACTICE_LESSON}/quiz`, { answers: rightAnswers(PRACTICE_LESSON) });
    t.clock.now = new Date(t.clock.now.getTime() + 14 * DAY);
    for (const client of [teacher, otherTeacher, parent, sam, rae]) {
      await client.refreshToken();
      await client.login(client.user!.username);
    }
    await anonymous.refreshToken();
    const sent = await sam.form(booster, {});
    resultUrl = sent.headers.location;
    assert.match(resultUrl, /\/results\//);
  });
  after(() => t.close());

  test('signed out: 401 everywhere (JSON), a redirect to log in for pages', async () => {
    const routes: [string, string][] = [
      ['GET', `/lessons/${PRACTICE_LESSON}/scenario`],
      ['POST', `/lessons/${PRACTICE_LESSON}/scenario`],
      ['GET', '/boosters'],
      ['GET', booster],
      ['POST', booster],
      ['GET', resultUrl],
      ['GET', '/mastery'],
      ['GET', `/classes/${classId}/mastery`],
      ['POST', `/classes/${classId}/practice-settings`],
    ];
    for (const [method, url] of routes) {
      const response = method === 'GET' ? await anonymous.get(url) : await anonymous.post(url, {});
      assert.equal(response.status, 401, `${method} ${url}`);
    }
    const page = await anonymous.page('/mastery');
    assert.equal(page.status, 303);
    assert.match(page.headers.location, /^\/login/);
  });

  test('student-only routes refuse teachers and parents with 403', async () => {
    for (const client of [teacher, parent]) {
      assert.equal((await client.post(`/lessons/${PRACTICE_LESSON}/scenario`, { choiceId: 'c1' })).status, 403);
      assert.equal((await client.get('/boosters')).status, 403);
      assert.equal((await client.get(booster)).status, 403);
      assert.equal((await client.post(booster, {})).status, 403);
      assert.equal((await client.get(resultUrl)).status, 403);
      assert.equal((await client.get('/mastery')).status, 403);
    }
  });

  test('a teacher and a parent may read a scenario\'s first step, and nothing is saved for them', async () => {
    const preview = await teacher.get(`/lessons/${PRACTICE_LESSON}/scenario`);
    assert.equal(preview.status, 200);
    assert.equal(preview.body.scenario.node.id, 'n1');
    assert.equal((await parent.get(`/lessons/${PRACTICE_LESSON}/scenario`)).status, 200);
    assert.equal((await t.store.find('scenarioRuns', 'studentId', teacher.user!.id)).length, 0);
  });

  test("a booster or result that is not yours is 404", async () => {
    assert.equal((await rae.get(booster)).status, 404, 'rae has not passed: the booster is not hers');
    assert.equal((await rae.post(booster, {})).status, 404);
    assert.equal((await rae.get(resultUrl)).status, 404);
    assert.equal((await sam.get('/boosters/no-such-lesson-1')).status, 404);
    assert.equal((await sam.get(`${booster.slice(0, -1)}2`)).status, 404, 'set 2 is not due yet');
  });

  test('class mastery and settings: the class teacher only (other teacher 404, a student of the class 403)', async () => {
    assert.equal((await teacher.get(`/classes/${classId}/mastery`)).status, 200);
    assert.equal((await otherTeacher.get(`/classes/${classId}/mastery`)).status, 404);
    assert.equal((await otherTeacher.post(`/classes/${classId}/practice-settings`, { firstDays: 1, secondDays: 2 })).status, 404);
    assert.equal((await sam.get(`/classes/${classId}/mastery`)).status, 403);
    assert.equal((await sam.post(`/classes/${classId}/practice-settings`, { firstDays: 1, secondDays: 2 })).status, 403);
    assert.equal((await parent.get(`/classes/${classId}/mastery`)).status, 404, 'a parent belongs to no school: a class is not theirs to know');
    assert.equal((await teacher.get('/classes/nope/mastery')).status, 404);
    assert.deepEqual((await teacher.get(`/classes/${classId}/mastery`)).body.intervals, { firstDays: 14, secondDays: 42 });
  });

  test('state changes need the CSRF token', async () => {
    const saved = sam.token;
    sam.token = 'wrong';
    assert.equal((await sam.post(`/lessons/${PRACTICE_LESSON}/scenario`, { choiceId: 'c1' })).status, 403);
    assert.equal((await sam.post(booster, {})).status, 403);
    sam.token = saved;
    const teacherToken = teacher.token;
    teacher.token = '';
    assert.equal((await teacher.post(`/classes/${classId}/practice-settings`, { firstDays: 1, secondDays: 2 })).status, 403);
    teacher.token = teacherToken;
    assert.equal((await t.store.find('scenarioRuns', 'studentId', sam.user!.id)).length, 0);
    assert.deepEqual((await teacher.get(`/classes/${classId}/mastery`)).body.intervals, { firstDays: 14, secondDays: 42 });
  });

  test("the student's map: ten techniques with levels; the class map: students x techniques with class levels", async () => {
    const mine = await sam.get('/mastery');
    assert.equal(mine.body.techniques.length, 10);
    assert.deepEqual(Object.keys(mine.body.techniques[0]), ['id', 'name', 'level', 'evidence']);
    const fake = mine.body.techniques.find((technique: { id: string }) => technique.id === 'fake-volume');
    const quizQuestions = practiceCatalog().quiz(PRACTICE_LESSON)!.questions.length;
    assert.equal(fake.evidence, quizQuestions + 6, 'the passed quiz and the empty booster both count for fake volume');
    // The quiz answers, all right, are two weeks old (weight 0.63 each); the six booster items,
    // left blank, are new (weight 1 each). Level 1 needs half right by weight, level 2 65%.
    const right = quizQuestions * 0.5 ** (14 / 21);
    const share = right / (right + 6);
    assert.equal(fake.level, share >= 0.65 ? 2 : share >= 0.5 ? 1 : 0);
    const page = await sam.page('/mastery');
    assert.equal((page.text.match(/class="tile tile-level-/g) ?? []).length, 10);
    assert.match(page.text, /Level \d of 3: <strong>/, 'levels are written out, not colour alone');
    const view = await teacher.get(`/classes/${classId}/mastery`);
    assert.equal(view.body.techniques.length, 10);
    assert.deepEqual(Object.keys(view.body.techniques[0]), ['id', 'name', 'classLevel']);
    const samRow = view.body.students.find((student: { id: string }) => student.id === sam.user!.id);
    assert.equal(samRow.techniques['fake-volume'], fake.level);
    assert.ok(view.body.revisit.includes('fear'), 'nobody has practised fear');
  });
});
