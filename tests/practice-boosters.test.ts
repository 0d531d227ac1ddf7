// Boosters: due after the class's intervals once a quiz is passed, answered
// like a quiz, shown on the student's home, to the teacher and to parents.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { classroom, DEFAULT_ADMIN, defaultAdmin, rightAnswers, signedUp, type Client } from './helpers.ts';
import { boosterAnswers, boosterItemId, boosterOptionId, DAY, practiceCatalog, PRACTICE_LESSON, startPracticeApp } from './practice-helpers.ts';
import { addDays, boosterSchedule, DEFAULT_INTERVALS, intervalsFor, parseBoosterId } from '../src/practice/boosters.ts';

describe('booster scheduling (pure)', () => {
  test('a worked example: passed on 1 March -> set 1 due 15 March, set 2 due 12 April', () => {
    const schedule = (today: string) =>
      boosterSchedule({
        passes: [{ lessonId: 'fake-volume', passedOn: '2027-03-01' }],
        intervals: () => DEFAULT_INTERVALS,
        hasSet: () => true,
        completions: [{ boosterId: 'fake-volume-1', at: '2027-03-16T08:00:00.000Z' }],
        today,
      });
    assert.deepEqual(schedule('2027-03-14').due, []);
    assert.deepEqual(schedule('2027-03-15').due.map((b) => [b.id, b.due, b.done]), [['fake-volume-1', '2027-03-15', true]]);
    assert.deepEqual(schedule('2027-04-12').due.map((b) => [b.id, b.due]), [['fake-volume-1', '2027-03-15'], ['fake-volume-2', '2027-04-12']]);
    assert.deepEqual(schedule('2027-03-20').upcoming.map((b) => b.id), ['fake-volume-2']);
  });

  test('a lesson whose pool lacks a set gets no booster for it', () => {
    const { due } = boosterSchedule({ passes: [{ lessonId: 'x', passedOn: '2027-01-01' }], intervals: () => DEFAULT_INTERVALS, hasSet: (_l, set) => set === 1, completions: [], today: '2028-01-01' });
    assert.deepEqual(due.map((b) => b.id), ['x-1']);
  });

  test('intervals: the assigning classes decide, the shortest wins; no class -> defaults', () => {
    const a = { assigned: new Set(['fear-as-a-weapon']), intervals: { firstDays: 10, secondDays: 50 } };
    const b = { assigned: new Set(['fear-as-a-weapon']), intervals: { firstDays: 20, secondDays: 30 } };
    const c = { assigned: new Set<string>(), intervals: { firstDays: 3, secondDays: 4 } };
    assert.deepEqual(intervalsFor('fear-as-a-weapon', [a, b, c]), { firstDays: 10, secondDays: 30 });
    assert.deepEqual(intervalsFor('fake-volume', [a, c]), { firstDays: 3, secondDays: 4 });
    assert.deepEqual(intervalsFor('fake-volume', []), DEFAULT_INTERVALS);
  });

  test('days and ids', () => {
    assert.equal(addDays('2027-12-25', 14), '2028-01-08');
    assert.deepEqual(parseBoosterId('fake-volume-2'), { lessonId: 'fake-volume', set: 2 });
    assert.equal(parseBoosterId('fake-volume-3'), null);
    assert.equal(parseBoosterId('../x-1'), null);
  });
});

describe('boosters over HTTP', () => {
  let t: Awaited<ReturnType<typeof startPracticeApp>>;
  let teacher: Client;
  let classId: string;
  let sam: Client;
  let rae: Client;
  const pool = practiceCatalog().practice.pool(PRACTICE_LESSON)!;

  before(async () => {
    t = await startPracticeApp({ now: new Date('2027-03-01T10:00:00Z') });
    ({ teacher, classId, students: [sam, rae] } = await classroom(t.app, ['sam-b', 'rae-b']));
    await teacher.post(`/classes/${classId}/assignments`, { lessonId: PRACTICE_LESSON });
    const passed = await sam.post(`/lessons/${PRACTICE_LESSON}/quiz`, { answers: rightAnswers(PRACTICE_LESSON) });
    assert.equal(passed.body.attempt.passed, true);
  });
  after(() => t.close());

  test('nothing is due before two weeks; on day 14 set 1 is due and tops the home page', async () => {
    t.clock.now = new Date(t.clock.now.getTime() + 13 * DAY);
    assert.deepEqual((await sam.get('/boosters')).body, { boosters: [] });
    assert.equal((await sam.get(`/boosters/${PRACTICE_LESSON}-1`)).status, 404, 'not due yet');
    t.clock.now = new Date('2027-03-15T07:00:00Z');
    assert.deepEqual((await sam.get('/boosters')).body, { boosters: [{ id: `${PRACTICE_LESSON}-1`, lessonId: PRACTICE_LESSON, due: '2027-03-15', done: false }] });
    const home = await sam.get('/');
    assert.deepEqual(home.body.boosters.map((b: { id: string }) => b.id), [`${PRACTICE_LESSON}-1`]);
    const page = await sam.page('/');
    const boosterAt = page.text.indexOf('Practice again');
    assert.ok(boosterAt > 0 && boosterAt < page.text.indexOf('Your assignments'), 'the due booster comes first');
    assert.deepEqual((await rae.get('/boosters')).body, { boosters: [] }, 'only the student who passed');
  });

  test('the booster shows items without answers; answering gives score and explanations, then it is done', async () => {
    const id = `${PRACTICE_LESSON}-1`;
    const shown = await sam.get(`/boosters/${id}`);
    assert.equal(shown.status, 200);
    assert.deepEqual(shown.body.booster.items.map((item: { id: string }) => item.id).sort(), pool.set(1).map((q) => boosterItemId(pool, 1, q.id)).sort());
    assert.doesNotMatch(JSON.stringify(shown.body), /"id":"(q\d+|a|b|c)"/, 'opaque ids, as in quizzes');
    assert.doesNotMatch(JSON.stringify(shown.body), /correct|manipulative|explanation/);
    const answers = boosterAnswers(pool, 1, ['q1']);
    const bad = await sam.post(`/boosters/${id}`, { answers: { q1: 'zzz' } });
    assert.equal(bad.status, 422);
    assert.equal(bad.body.error.field, 'answers.q1');
    const sent = await sam.post(`/boosters/${id}`, { answers });
    assert.equal(sent.status, 201);
    assert.equal(sent.body.result.score, 5);
    assert.equal(sent.body.result.max, 6);
    assert.deepEqual(sent.body.result.results[0], { itemId: boosterItemId(pool, 1, 'q1'), correct: false, explanation: pool.set(1)[0].explanation });
    assert.deepEqual((await sam.get('/boosters')).body.boosters[0].done, true);
    assert.deepEqual((await sam.get('/')).body.boosters, [], 'a done booster leaves the home page');

    const form = await sam.form(`/boosters/${id}`, { [`q_${boosterItemId(pool, 1, 'q2')}`]: boosterOptionId(pool, 1, 'q2', pool.set(1)[1].options[0].id) });
    assert.equal(form.status, 303);
    const review = await sam.page(form.headers.location);
    assert.equal(review.status, 200);
    assert.match(review.text, /Every question, explained/);
    assert.equal((await rae.page(form.headers.location)).status, 404, "another student cannot see it");
  });

  test('the teacher sees booster completion, the parent sees only "practised again on"', async () => {
    const view = await teacher.get(`/classes/${classId}/mastery`);
    const row = view.body.students.find((s: { displayName: string }) => s.displayName === 'sam-b');
    assert.deepEqual(row.boosters, { due: 1, done: 1 });
    const code = (await sam.post('/parent-code')).body.code;
    const parent = await signedUp(t.app, 'parent', 'sam-b-mum');
    await parent.post('/children', { code });
    const child = await parent.get(`/children/${sam.user!.id}`);
    assert.deepEqual(child.body.practice.practisedAgain, [{ lessonId: PRACTICE_LESSON, title: child.body.practice.practisedAgain[0].title, on: '2027-03-15' }]);
    assert.doesNotMatch(JSON.stringify(child.body.practice), /score|correct|chosen/);
    const page = await parent.page(`/children/${sam.user!.id}`);
    assert.match(page.text, /practised again on 15 Mar 2027/);
  });

  test('the teacher sets the intervals per class; bad values get a 422 naming the field and change nothing', async () => {
    for (const [body, field] of [
      [{ firstDays: 0, secondDays: 10 }, 'firstDays'],
      [{ firstDays: 10, secondDays: 10 }, 'secondDays'],
      [{ firstDays: 'soon', secondDays: 10 }, 'firstDays'],
      [{ firstDays: 10, secondDays: 400 }, 'secondDays'],
    ] as const) {
      const response = await teacher.post(`/classes/${classId}/practice-settings`, body);
      assert.equal(response.status, 422, JSON.stringify(body));
      assert.equal(response.body.error.field, field);
    }
    const formError = await teacher.form(`/classes/${classId}/practice-settings`, { firstDays: '9', secondDays: '3' });
    assert.equal(formError.status, 422);
    assert.match(formError.text, /The second booster must come later than the first/);
    assert.deepEqual((await teacher.get(`/classes/${classId}/mastery`)).body.intervals, DEFAULT_INTERVALS);

    const saved = await teacher.post(`/classes/${classId}/practice-settings`, { firstDays: 7, secondDays: 21 });
    assert.deepEqual(saved.body, { intervals: { firstDays: 7, secondDays: 21 } });
    const classPage = await teacher.page(`/classes/${classId}`);
    assert.match(classPage.text, /after 7 days and another after 21 days/);
    // rae passes now: her first set comes due after 7 days, not 14.
    await rae.post(`/lessons/${PRACTICE_LESSON}/quiz`, { answers: rightAnswers(PRACTICE_LESSON) });
    t.clock.now = new Date(t.clock.now.getTime() + 7 * DAY);
    // Sessions end when idle for long; the moved clock ends them too.
    for (const client of [teacher, sam, rae]) {
      await client.refreshToken();
      assert.equal((await client.login(client.user!.username)).status, 200);
    }
    const raeBoosters = await rae.get("/boosters");
    assert.equal(raeBoosters.status, 200, JSON.stringify(raeBoosters.body));
    assert.deepEqual(raeBoosters.body.boosters.map((b: { id: string }) => b.id), [`${PRACTICE_LESSON}-1`]);
    // sam's second set now comes due 21 days after his pass (22 March).
    assert.deepEqual((await sam.get('/boosters')).body.boosters.map((b: { id: string }) => b.id), [`${PRACTICE_LESSON}-1`, `${PRACTICE_LESSON}-2`]);
  });

  test('export holds the practice records and erasure removes them', async () => {
    const admin = await defaultAdmin(teacher.app);
    await admin.refreshToken(); // weeks have passed on the test clock: a fresh session
    await admin.login(DEFAULT_ADMIN);
    const exported = await admin.post(`/admin/students/${sam.user!.id}/export`);
    assert.equal(exported.status, 200, JSON.stringify(exported.body));
    assert.equal(exported.body.boosterResults.length, 2);
    assert.ok(Array.isArray(exported.body.scenarioRuns));
    await sam.post(`/lessons/${PRACTICE_LESSON}/scenario`, { choiceId: 'c1' });
    const erased = await admin.post(`/admin/students/${sam.user!.id}/erase`, { confirm: 'sam-b' });
    assert.equal(erased.status, 200);
    assert.equal((await t.store.find('boosterResults', 'studentId', sam.user!.id)).length, 0);
    assert.equal((await t.store.find('scenarioRuns', 'studentId', sam.user!.id)).length, 0);
  });
});
