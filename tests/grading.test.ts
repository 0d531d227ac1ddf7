import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import type { Quiz } from '../src/content/catalog.ts';
import { HttpError } from '../src/http/errors.ts';
import { gradeQuiz, readAnswers, shuffled } from '../src/learning/grading.ts';

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
  test('JSON answers: one id or a list of ids become lists', () => {
    assert.deepEqual(readAnswers(quiz, { answers: { one: 'a', two: ['a', 'b'] } }), { one: ['a'], two: ['a', 'b'] });
    assert.deepEqual(readAnswers(quiz, {}), {});
    assert.deepEqual(readAnswers(quiz, { answers: {} }), {});
  });

  test('form fields q_<questionId>, one or repeated; other fields such as _csrf are ignored', () => {
    assert.deepEqual(readAnswers(quiz, { _csrf: 'token', q_one: 'b', q_two: ['a', 'c'], q_three: 'z' }), { one: ['b'], two: ['a', 'c'], three: ['z'] });
  });

  test('unknown question or option ids are refused with 422 naming the question', () => {
    rejects(() => readAnswers(quiz, { answers: { four: 'a' } }), 'answers.four');
    rejects(() => readAnswers(quiz, { q_four: 'a' }), 'answers.four');
    rejects(() => readAnswers(quiz, { answers: { one: 'c' } }), 'answers.one');
    rejects(() => readAnswers(quiz, { answers: { two: ['a', 'nope'] } }), 'answers.two');
    rejects(() => readAnswers(quiz, { q_three: 'a' }), 'answers.three');
  });

  test('wrong shapes are refused: several answers to a single question, non-string ids, answers not an object', () => {
    rejects(() => readAnswers(quiz, { answers: { one: ['a', 'b'] } }), 'answers.one');
    rejects(() => readAnswers(quiz, { answers: { one: 1 } }), 'answers.one');
    rejects(() => readAnswers(quiz, { answers: { two: [{ id: 'a' }] } }), 'answers.two');
    rejects(() => readAnswers(quiz, { answers: { one: null } }), 'answers.one');
    rejects(() => readAnswers(quiz, { answers: ['a'] }), 'answers');
    rejects(() => readAnswers(quiz, { answers: 'a' }), 'answers');
    rejects(() => readAnswers(quiz, { answers: null }), 'answers');
  });
});

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
