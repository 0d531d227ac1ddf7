import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { catalog, FIRST_LESSON, rightAnswers, signedUp, startApp, type Client, type TestApp } from './helpers.ts';
import { allKeys, answersWith, classWith, escapeHtml, formPairs } from './more-helpers.ts';
import { publicOptionId, publicQuestionId, questionOrder } from '../src/learning/public-ids.ts';

const NINE_QUESTIONS = catalog().lessons.find((lesson) => catalog().quiz(lesson.id)?.questions.length === 9)!.id;

describe('lessons and quizzes', () => {
  let t: TestApp;
  let student: Client;
  let teacher: Client;
  let parent: Client;
  before(async () => {
    t = await startApp();
    student = await signedUp(t.app, 'student', 'reader');
    teacher = await signedUp(t.app, 'teacher', 'preview-teacher');
    parent = await signedUp(t.app, 'parent', 'curious-parent');
  });
  after(async () => {
    await t.close();
  });

  test('GET /lessons lists the 12 lessons in order; a student also gets a status', async () => {
    const expected = catalog().lessons.map((lesson) => lesson.id);
    assert.equal(expected.length, 12);
    const asTeacher = await teacher.get('/lessons');
    assert.equal(asTeacher.status, 200);
    assert.deepEqual(asTeacher.body.lessons.map((lesson: { id: string }) => lesson.id), expected);
    assert.deepEqual(asTeacher.body.lessons.map((lesson: { order: number }) => lesson.order), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    for (const lesson of asTeacher.body.lessons) {
      assert.deepEqual(Object.keys(lesson).sort(), ['id', 'minutes', 'order', 'summary', 'title']);
      assert.equal(typeof lesson.title, 'string');
      assert.ok(lesson.title.length > 0);
      assert.ok(lesson.summary.length > 0);
      assert.ok(Number.isInteger(lesson.minutes) && lesson.minutes > 0);
    }
    const asStudent = await student.get('/lessons');
    assert.deepEqual(asStudent.body.lessons.map((lesson: { id: string }) => lesson.id), expected);
    for (const lesson of asStudent.body.lessons) {
      for (const key of ['id', 'title', 'summary', 'minutes', 'order', 'status']) assert.ok(key in lesson, key);
    }
    const html = await student.page('/lessons');
    assert.equal(html.status, 200);
    const positions = expected.map((id) => html.text.indexOf(`/lessons/${id}"`));
    assert.ok(positions.every((p, i) => p > 0 && (i === 0 || p > positions[i - 1])), 'the page lists them in order');
  });

  test('GET /lessons/:id gives the lesson with its html; an unknown lesson is 404', async () => {
    const response = await parent.get(`/lessons/${FIRST_LESSON}`);
    assert.equal(response.status, 200);
    const lesson = response.body.lesson;
    const source = catalog().lesson(FIRST_LESSON)!;
    assert.equal(lesson.id, FIRST_LESSON);
    assert.equal(lesson.title, source.title);
    assert.equal(lesson.minutes, source.minutes);
    assert.equal(lesson.html, source.html);
    assert.match(lesson.html, /<h2/);
    const page = await parent.page(`/lessons/${FIRST_LESSON}`);
    assert.equal(page.status, 200);
    assert.ok(page.text.includes(source.html.slice(0, 200)), 'the page shows the lesson body');

    const missing = await parent.get('/lessons/no-such-lesson');
    assert.equal(missing.status, 404);
    assert.equal(typeof missing.body.error.message, 'string');
    assert.equal((await parent.page('/lessons/no-such-lesson')).status, 404);
    assert.equal((await student.get('/lessons/no-such-lesson/quiz')).status, 404);
    assert.equal((await student.post('/lessons/no-such-lesson/quiz', { answers: {} })).status, 404);
  });

  test('the quiz carries no answers and no explanations before submission', async () => {
    for (const lesson of catalog().lessons) {
      const quiz = catalog().quiz(lesson.id)!;
      const response = await student.get(`/lessons/${lesson.id}/quiz`);
      assert.equal(response.status, 200, lesson.id);
      const keys = allKeys(response.body);
      assert.ok(!keys.has('correct'), `${lesson.id}: "correct" in the quiz JSON`);
      assert.ok(!keys.has('explanation'), `${lesson.id}: "explanation" in the quiz JSON`);
      assert.doesNotMatch(response.text, /"correct"|"explanation"/);
      for (const question of quiz.questions) {
        assert.ok(!response.text.includes(JSON.stringify(question.explanation).slice(1, 60)), `${lesson.id}/${question.id}: explanation leaked`);
      }
      const shown = response.body.quiz;
      assert.equal(shown.lessonId, lesson.id);
      assert.equal(shown.passPercent, quiz.passPercent);
      const order = questionOrder(quiz.questions);
      assert.deepEqual(shown.questions.map((q: { id: string }) => q.id), order.map((q) => publicQuestionId(lesson.id, q.id)));
      for (const [index, question] of shown.questions.entries()) {
        const source = order[index];
        assert.equal(question.prompt, source.prompt);
        assert.equal(question.kind, source.kind);
        assert.deepEqual(question.options.map((o: { id: string }) => o.id).sort(), source.options.map((o) => publicOptionId(lesson.id, source.id, o.id)).sort());
        for (const option of question.options) assert.deepEqual(Object.keys(option).sort(), ['id', 'text']);
      }
      assert.ok(!keys.has('manipulative'), `${lesson.id}: the author-only card flag in the quiz JSON`);
      order.forEach((question, index) => {
        if (index > 0 && question.pair) assert.notEqual(order[index - 1].pair, question.pair, `${lesson.id}: the halves of pair ${question.pair} are shown side by side`);
      });
      for (const question of shown.questions) {
        assert.match(question.id, /^q[0-9a-f]{10}$/);
        for (const option of question.options) assert.match(option.id, /^o[0-9a-f]{10}$/);
      }
      const page = await student.page(`/lessons/${lesson.id}/quiz`);
      assert.doesNotMatch(page.text, /manipulative:|data-manipulative|card-manipulative/, `${lesson.id}: the card flag in the page`);
      for (const question of quiz.questions) {
        assert.ok(!page.text.includes(`"q-${question.id}"`) && !page.text.includes(`name="q_${question.id}"`), `${lesson.id}: author id ${question.id} in the page`);
      }
    }
    const html = await student.page(`/lessons/${FIRST_LESSON}/quiz`);
    assert.equal(html.status, 200);
    for (const question of catalog().quiz(FIRST_LESSON)!.questions) {
      assert.ok(!html.text.includes(escapeHtml(question.explanation).slice(0, 60)), `explanation of ${question.id} on the quiz page`);
    }
  });

  test('all right answers: score = max, 100 %, passed, a result and explanation per question', async () => {
    const quiz = catalog().quiz(FIRST_LESSON)!;
    const response = await student.post(`/lessons/${FIRST_LESSON}/quiz`, { answers: rightAnswers(FIRST_LESSON) });
    assert.equal(response.status, 201);
    const attempt = response.body.attempt;
    assert.equal(attempt.max, quiz.questions.length);
    assert.equal(attempt.score, attempt.max);
    assert.equal(attempt.percent, 100);
    assert.equal(attempt.passed, true);
    assert.deepEqual(
      attempt.results,
      questionOrder(quiz.questions).map((question) => ({ questionId: publicQuestionId(FIRST_LESSON, question.id), correct: true, explanation: question.explanation })),
    );
  });

  test('nothing answered: score 0, not passed, every question wrong and explained', async () => {
    const someone = await signedUp(t.app, 'student', 'blank-page');
    const quiz = catalog().quiz(FIRST_LESSON)!;
    const response = await someone.post(`/lessons/${FIRST_LESSON}/quiz`, { answers: {} });
    assert.equal(response.status, 201);
    assert.equal(response.body.attempt.score, 0);
    assert.equal(response.body.attempt.max, quiz.questions.length);
    assert.equal(response.body.attempt.percent, 0);
    assert.equal(response.body.attempt.passed, false);
    assert.deepEqual(
      response.body.attempt.results.map((r: { correct: boolean; explanation: string }) => [r.correct, r.explanation]),
      questionOrder(quiz.questions).map((q) => [false, q.explanation]),
    );
    const noAnswersField = await someone.post(`/lessons/${FIRST_LESSON}/quiz`, {});
    assert.equal(noAnswersField.status, 201);
    assert.equal(noAnswersField.body.attempt.score, 0);
  });

  test('percent is round(100 * score / max) and passed is percent >= passPercent', async () => {
    const someone = await signedUp(t.app, 'student', 'boundary');
    const cases: [string, number][] = [
      [FIRST_LESSON, 6],
      [FIRST_LESSON, 7],
      [NINE_QUESTIONS, 2],
      [NINE_QUESTIONS, 6],
      [NINE_QUESTIONS, 7],
    ];
    for (const [lessonId, right] of cases) {
      const quiz = catalog().quiz(lessonId)!;
      const response = await someone.post(`/lessons/${lessonId}/quiz`, { answers: answersWith(lessonId, right) });
      assert.equal(response.status, 201);
      const { score, max, percent, passed } = response.body.attempt;
      const expected = Math.round((100 * right) / quiz.questions.length);
      assert.deepEqual({ score, max, percent, passed }, { score: right, max: quiz.questions.length, percent: expected, passed: expected >= quiz.passPercent }, `${lessonId} ${right}`);
    }
    // The concrete numbers, so a wrong rounding rule cannot hide behind the formula above.
    const sixOfNine = await someone.post(`/lessons/${NINE_QUESTIONS}/quiz`, { answers: answersWith(NINE_QUESTIONS, 6) });
    assert.equal(sixOfNine.body.attempt.percent, 67);
    assert.equal(sixOfNine.body.attempt.passed, false);
    const sevenOfTen = await someone.post(`/lessons/${FIRST_LESSON}/quiz`, { answers: answersWith(FIRST_LESSON, 7) });
    assert.equal(sevenOfTen.body.attempt.percent, 70);
    assert.equal(sevenOfTen.body.attempt.passed, true, 'exactly the pass mark passes');
  });

  test('retakes are allowed and the best score counts', async () => {
    const { teacher: owner, classId, students } = await classWith(t.app, 'retake', ['tryer']);
    await owner.post(`/classes/${classId}/assignments`, { lessonId: FIRST_LESSON });
    const [tryer] = students;
    for (const right of [5, 9, 2]) {
      assert.equal((await tryer.post(`/lessons/${FIRST_LESSON}/quiz`, { answers: answersWith(FIRST_LESSON, right) })).status, 201);
    }
    const home = await tryer.get('/');
    const item = home.body.assignments.find((a: { lessonId: string }) => a.lessonId === FIRST_LESSON);
    assert.equal(item.bestPercent, 90);
    assert.equal(item.status, 'passed');
    const lessons = await tryer.get('/lessons');
    assert.equal(lessons.body.lessons.find((l: { id: string }) => l.id === FIRST_LESSON).status, 'passed');
    const row = (await owner.get(`/classes/${classId}`)).body.progress[0];
    assert.equal(row.bestPercent, 90);
    assert.equal(row.attempts, 3);
    const quizPage = await tryer.page(`/lessons/${FIRST_LESSON}/quiz`);
    assert.match(quizPage.text, /tried this quiz 3 times; your best is 90%/);
  });

  test('an unknown question or option id is 422 naming it, and no attempt is stored', async () => {
    const { teacher: owner, classId, students } = await classWith(t.app, 'badids', ['typo']);
    const [typo] = students;
    const quiz = catalog().quiz(FIRST_LESSON)!;
    const source = quiz.questions.find((q) => q.kind === 'single')!;
    const sourceMultiple = quiz.questions.find((q) => q.kind === 'multiple')!;
    const shown = (question: typeof source) => ({
      id: publicQuestionId(FIRST_LESSON, question.id),
      options: question.options.map((o) => ({ id: publicOptionId(FIRST_LESSON, question.id, o.id) })),
    });
    const single = shown(source);
    const multiple = shown(sourceMultiple);
    const cases: [object, string][] = [
      [{ answers: { ...rightAnswers(FIRST_LESSON), 'no-such-question': 'a' } }, 'answers.no-such-question'],
      [{ answers: { ...rightAnswers(FIRST_LESSON), [single.id]: 'no-such-option' } }, `answers.${single.id}`],
      [{ answers: { [multiple.id]: [multiple.options[0].id, 'zz'] } }, `answers.${multiple.id}`],
      [{ answers: { [single.id]: single.options.map((o) => o.id) } }, `answers.${single.id}`],
      [{ answers: { [single.id]: 7 } }, `answers.${single.id}`],
      // The author's ids are not accepted: only the opaque ids the page shows.
      [{ answers: { [source.id]: source.options[0].id } }, `answers.${source.id}`],
      [{ answers: { [single.id]: source.options[0].id } }, `answers.${single.id}`],
      [{ answers: ['a', 'b'] }, 'answers'],
      [{ answers: 'everything' }, 'answers'],
    ];
    for (const [body, field] of cases) {
      const response = await typo.post(`/lessons/${FIRST_LESSON}/quiz`, body);
      assert.equal(response.status, 422, JSON.stringify(body));
      assert.equal(response.body.error.field, field);
      assert.equal(typeof response.body.error.message, 'string');
    }
    const unknownForm = await formPairs(typo, `/lessons/${FIRST_LESSON}/quiz`, [[`q_${single.id}`, 'nope']]);
    assert.equal(unknownForm.status, 422);
    assert.equal((await owner.get(`/classes/${classId}/students/${typo.user!.id}`)).body.attempts.length, 0);
    assert.equal((await typo.get('/lessons')).body.lessons[0].bestPercent, null);
  });

  test('teachers and parents may read a quiz but not send answers (403), and nothing is stored', async () => {
    assert.equal((await teacher.get(`/lessons/${FIRST_LESSON}/quiz`)).status, 200);
    for (const client of [teacher, parent]) {
      const response = await client.post(`/lessons/${FIRST_LESSON}/quiz`, { answers: rightAnswers(FIRST_LESSON) });
      assert.equal(response.status, 403);
      const form = await formPairs(client, `/lessons/${FIRST_LESSON}/quiz`, []);
      assert.equal(form.status, 403);
    }
    assert.equal((await t.store.find('attempts', 'studentId', teacher.user!.id)).length + (await t.store.find('attempts', 'studentId', parent.user!.id)).length, 0);
  });

  test('without JavaScript: the form posts q_<id> fields, 303 to the result page with the score and every explanation', async () => {
    const learner = await signedUp(t.app, 'student', 'no-js');
    const quiz = catalog().quiz(FIRST_LESSON)!;
    const page = await learner.page(`/lessons/${FIRST_LESSON}/quiz`);
    for (const question of quiz.questions) {
      const id = publicQuestionId(FIRST_LESSON, question.id);
      assert.match(page.text, new RegExp(`name="q_${id}"`));
      assert.match(page.text, new RegExp(`type="${question.kind === 'multiple' ? 'checkbox' : 'radio'}"[^>]*name="q_${id}"`));
      assert.ok(!page.text.includes(`q_${question.id}"`), `the author's id ${question.id} is not in the page`);
    }
    // Eight right, two left blank; a multiple question's options come as repeated fields.
    const right = rightAnswers(FIRST_LESSON);
    const pairs: [string, string][] = [];
    let answered = 0;
    for (const question of quiz.questions) {
      if (answered === 8) break;
      const shownId = publicQuestionId(FIRST_LESSON, question.id);
      const value = right[shownId];
      for (const id of Array.isArray(value) ? value : [value]) pairs.push([`q_${shownId}`, id]);
      answered += 1;
    }
    assert.ok(quiz.questions.slice(0, 8).some((q) => q.kind === 'multiple' && q.options.filter((o) => o.correct).length > 1), 'the form covers a multi-answer question');
    const posted = await formPairs(learner, `/lessons/${FIRST_LESSON}/quiz`, pairs);
    assert.equal(posted.status, 303);
    const location: string = posted.headers.location;
    assert.match(location, new RegExp(`^/lessons/${FIRST_LESSON}/quiz/attempts/[^/]+$`));
    const result = await learner.page(location);
    assert.equal(result.status, 200);
    assert.match(result.text, /8 of 10 right: 80%/);
    assert.match(result.text, /You passed/);
    for (const question of quiz.questions) {
      assert.ok(result.text.includes(escapeHtml(question.explanation)), `explanation of ${question.id}`);
    }
    const json = await learner.get(location);
    assert.equal(json.status, 200);
    assert.equal(json.body.attempt.score, 8);
    assert.equal(json.body.attempt.percent, 80);
    assert.equal(json.body.attempt.passed, true);

    const failed = await formPairs(learner, `/lessons/${FIRST_LESSON}/quiz`, []);
    assert.equal(failed.status, 303);
    const failedPage = await learner.page(failed.headers.location);
    assert.match(failedPage.text, /0 of 10 right: 0%/);
    assert.match(failedPage.text, /Not passed yet/);
    assert.match(failedPage.text, /Your best: 80%/);
  });

  test('options are shuffled in one fixed order per attempt, and differently for different students', async () => {
    const quiz = catalog().quiz(FIRST_LESSON)!;
    const wideSource = quiz.questions.filter((q) => q.options.length >= 3);
    const wide = wideSource.map((q) => publicQuestionId(FIRST_LESSON, q.id));
    assert.ok(wide.length > 0);
    const orderOf = async (client: Client) => {
      const body = (await client.get(`/lessons/${FIRST_LESSON}/quiz`)).body;
      return wide.map((id) => body.quiz.questions.find((q: { id: string }) => q.id === id).options.map((o: { id: string }) => o.id).join(',')).join('|');
    };
    const orders = new Set<string>();
    for (let i = 0; i < 6; i++) {
      const learner = await signedUp(t.app, 'student', `shuffle-${i}`);
      const first = await orderOf(learner);
      assert.equal(await orderOf(learner), first, 'the same order on a second look before an attempt');
      const html = await learner.page(`/lessons/${FIRST_LESSON}/quiz`);
      const shownInPage = [...html.text.matchAll(new RegExp(`name="q_${wide[0]}" value="([^"]+)"`, 'g'))].map((m) => m[1]).join(',');
      assert.equal(shownInPage, first.split('|')[0], 'the page shows the same order as the JSON');
      orders.add(first);
    }
    assert.ok(orders.size >= 2, 'different students see different orders');
    const sourceOrder = wideSource.map((q) => q.options.map((o) => publicOptionId(FIRST_LESSON, q.id, o.id)).join(',')).join('|');
    assert.ok([...orders].some((order) => order !== sourceOrder), 'the options are actually shuffled');
  });
});
