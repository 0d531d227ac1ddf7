import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import type { Quiz } from '../src/content/catalog.ts';
import { HttpError } from '../src/http/errors.ts';
import { gradeQuiz, readAnswers, shuffled } from '../src/learning/grading.ts';
import { publicOptionId, publicQuestionId, questionOrder } from '../src/learning/public-ids.ts';

function option(id: string, correct = false) {
  return { id, text: `Option ${id}`, correct };
}

const quiz: Quiz = {
  file: 'quizzes/99-hand-made.yaml',
  lessonId: 'hand-made',
  passPercent: 70,
  questions: [
    { id: 'one', kind: 'single', cards: [], prompt: 'One?', options: [option('a', true), option('b')], explanation: 'Because one.', cardsHtml: '' },
    { id: 'two', kind: 'multiple', cards: [], prompt: 'Two?', options: [option('a', true), option('b', true), option('c')], explanation: 'Because two.', cardsHtml: '' },
    { id: 'three', kind: 'single', cards: [], prompt: 'Three?', options: [option('x'), option('y'), option('z', true)], explanation: 'Because three.', cardsHtml: '' },
  ],
};

const allRight = { one: ['a'], two: ['a', 'b'], three: ['z'] };

function rejects(run: () => unknown, field: string) {
  assert.throws(run, (error: unknown) => {
    assert.ok(error instanceof HttpError, String(error));
    assert.equal(error.status, 422);
    assert.equal(error.field, field);
    return true;
  });
}

describe('gradeQuiz', () => {
  test('all right: full score, 100 %, passed, one result per question in order with its explanation', () => {
    const grade = gradeQuiz(quiz, allRight);
    assert.equal(grade.score, 3);
    assert.equal(grade.max, 3);
    assert.equal(grade.percent, 100);
    assert.equal(grade.passed, true);
    assert.deepEqual(
      grade.results.map((r) => [r.questionId, r.correct, r.explanation]),
      [
        ['one', true, 'Because one.'],
        ['two', true, 'Because two.'],
        ['three', true, 'Because three.'],
      ],
    );
  });

  test('an unanswered question is wrong; nothing answered scores 0', () => {
    const none = gradeQuiz(quiz, {});
    assert.deepEqual([none.score, none.max, none.percent, none.passed], [0, 3, 0, false]);
    assert.ok(none.results.every((r) => !r.correct && r.explanation.startsWith('Because')));
    const empty = gradeQuiz(quiz, { one: [], two: [], three: [] });
    assert.equal(empty.score, 0);
  });

  test('a multiple-choice question is right only with exactly the right options, in any order', () => {
    const score = (two: string[]) => gradeQuiz(quiz, { ...allRight, two }).results[1].correct;
    assert.equal(score(['b', 'a']), true, 'order does not matter');
    assert.equal(score(['a', 'b', 'a']), true, 'a repeated option counts once');
    assert.equal(score(['a']), false, 'missing one');
    assert.equal(score(['a', 'b', 'c']), false, 'one too many');
    assert.equal(score(['b']), false);
    assert.equal(score(['c']), false);
  });

  test('a single-choice question with the wrong option is wrong', () => {
    const grade = gradeQuiz(quiz, { ...allRight, three: ['x'] });
    assert.deepEqual(grade.results.map((r) => r.correct), [true, true, false]);
  });

  test('percent is round(100 * score / max); passed is percent >= passPercent', () => {
    const twoOfThree = gradeQuiz(quiz, { ...allRight, three: ['y'] });
    assert.equal(twoOfThree.score, 2);
    assert.equal(twoOfThree.percent, 67);
    assert.equal(twoOfThree.passed, false, '67 < 70');
    assert.equal(gradeQuiz({ ...quiz, passPercent: 67 }, { ...allRight, three: ['y'] }).passed, true, 'exactly the pass mark passes');
    assert.equal(gradeQuiz({ ...quiz, passPercent: 68 }, { ...allRight, three: ['y'] }).passed, false);
    const oneOfThree = gradeQuiz(quiz, { one: ['a'] });
    assert.equal(oneOfThree.percent, 33);
  });

  test('the result names the chosen and the right options', () => {
    const grade = gradeQuiz(quiz, { two: ['c', 'a'] });
    assert.deepEqual(grade.results[1].chosen, ['a', 'c']);
    assert.deepEqual(grade.results[1].correctOptionIds, ['a', 'b']);
  });
});

describe('readAnswers', () => {
  // The page shows opaque ids; readAnswers takes those and gives back the author's.
  const Q = (id: string) => publicQuestionId('hand-made', id);
  const O = (question: string, option: string) => publicOptionId('hand-made', question, option);

  test('JSON answers: one id or a list of ids become lists, in the author\'s ids', () => {
    assert.deepEqual(readAnswers(quiz, { answers: { [Q('one')]: O('one', 'a'), [Q('two')]: [O('two', 'a'), O('two', 'b')] } }), { one: ['a'], two: ['a', 'b'] });
    assert.deepEqual(readAnswers(quiz, {}), {});
    assert.deepEqual(readAnswers(quiz, { answers: {} }), {});
  });

  test('form fields q_<questionId>, one or repeated; other fields such as _csrf are ignored', () => {
    assert.deepEqual(
      readAnswers(quiz, { _csrf: 'token', [`q_${Q('one')}`]: O('one', 'b'), [`q_${Q('two')}`]: [O('two', 'a'), O('two', 'c')], [`q_${Q('three')}`]: O('three', 'z') }),
      { one: ['b'], two: ['a', 'c'], three: ['z'] },
    );
  });

  test('unknown question or option ids are refused with 422 naming the question', () => {
    rejects(() => readAnswers(quiz, { answers: { four: 'a' } }), 'answers.four');
    rejects(() => readAnswers(quiz, { q_four: 'a' }), 'answers.four');
    rejects(() => readAnswers(quiz, { answers: { [Q('one')]: O('one', 'c') } }), `answers.${Q('one')}`);
    rejects(() => readAnswers(quiz, { answers: { [Q('two')]: [O('two', 'a'), 'nope'] } }), `answers.${Q('two')}`);
    rejects(() => readAnswers(quiz, { [`q_${Q('three')}`]: O('one', 'a') }), `answers.${Q('three')}`);
  });

  test("the author's ids are refused: a letter or a name must not be a way in", () => {
    rejects(() => readAnswers(quiz, { answers: { one: 'a' } }), 'answers.one');
    rejects(() => readAnswers(quiz, { answers: { [Q('one')]: 'a' } }), `answers.${Q('one')}`);
  });

  test('wrong shapes are refused: several answers to a single question, non-string ids, answers not an object', () => {
    rejects(() => readAnswers(quiz, { answers: { [Q('one')]: [O('one', 'a'), O('one', 'b')] } }), `answers.${Q('one')}`);
    rejects(() => readAnswers(quiz, { answers: { [Q('one')]: 1 } }), `answers.${Q('one')}`);
    rejects(() => readAnswers(quiz, { answers: { [Q('two')]: [{ id: 'a' }] } }), `answers.${Q('two')}`);
    rejects(() => readAnswers(quiz, { answers: { [Q('one')]: null } }), `answers.${Q('one')}`);
    rejects(() => readAnswers(quiz, { answers: ['a'] }), 'answers');
    rejects(() => readAnswers(quiz, { answers: 'a' }), 'answers');
    rejects(() => readAnswers(quiz, { answers: null }), 'answers');
  });
});

describe('public ids and question order', () => {
  test('ids are opaque: no author word or letter, unique, the same every time', () => {
    const ids = [...quiz.questions.map((q) => Q2(q.id)), ...quiz.questions.flatMap((q) => q.options.map((o) => publicOptionId('hand-made', q.id, o.id)))];
    for (const id of ids) assert.match(id, /^[qo][0-9a-f]{10}$/);
    assert.equal(new Set(ids).size, ids.length);
    assert.equal(publicOptionId('hand-made', 'one', 'a'), publicOptionId('hand-made', 'one', 'a'));
    assert.notEqual(publicOptionId('hand-made', 'one', 'a'), publicOptionId('other-quiz', 'one', 'a'), 'the same letter differs per quiz');
    assert.notEqual(publicOptionId('hand-made', 'one', 'a'), publicOptionId('hand-made', 'two', 'a'), 'and per question');
  });

  test('the two halves of a pair are never next to each other, whatever the file order', () => {
    const q = (id: string, pair?: string) => ({ id, pair });
    const ids = (list: { id: string }[]) => list.map((item) => item.id).join(' ');
    assert.equal(ids(questionOrder([q('x1', 'p'), q('x2', 'p'), q('y'), q('z')])), 'x1 y x2 z');
    assert.equal(ids(questionOrder([q('y'), q('x1', 'p'), q('x2', 'p')])), 'x2 y x1');
    assert.equal(ids(questionOrder([q('a1', 'a'), q('a2', 'a'), q('b1', 'b'), q('b2', 'b')])), 'a1 b1 a2 b2');
    assert.equal(ids(questionOrder([q('y'), q('a1', 'a'), q('z'), q('a2', 'a')])), 'y a1 z a2', 'a good order is kept');
    for (let n = 0; n < 200; n++) {
      const list = shuffled([q('a1', 'a'), q('a2', 'a'), q('b1', 'b'), q('b2', 'b'), q('c1', 'c'), q('c2', 'c'), q('d'), q('e')], `case-${n}`);
      const order = questionOrder(list);
      assert.equal(order.length, list.length);
      order.forEach((item, index) => index > 0 && assert.notEqual(item.pair ?? item.id, order[index - 1].pair ?? '-', ids(order)));
    }
  });
});

const Q2 = (id: string) => publicQuestionId('hand-made', id);

describe('shuffled', () => {
  const items = ['a', 'b', 'c', 'd', 'e'];

  test('the same seed gives the same order, and the input is left alone', () => {
    const copy = [...items];
    assert.deepEqual(shuffled(items, 'seed-1'), shuffled(items, 'seed-1'));
    assert.deepEqual(items, copy);
  });

  test('it is a permutation of the items', () => {
    for (let i = 0; i < 30; i++) assert.deepEqual([...shuffled(items, `s${i}`)].sort(), items);
  });

  test('different seeds give different orders, and not always the original one', () => {
    const orders = new Set(Array.from({ length: 30 }, (_, i) => shuffled(items, `student-${i}:lesson:1`).join('')));
    assert.ok(orders.size >= 10, `only ${orders.size} orders from 30 seeds`);
    assert.ok([...orders].some((order) => order !== items.join('')));
  });

  test('empty and one-item lists come back as they are', () => {
    assert.deepEqual(shuffled([], 'x'), []);
    assert.deepEqual(shuffled(['only'], 'x'), ['only']);
  });
});
