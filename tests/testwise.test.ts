// A test-wise student who learned nothing scores at chance (scripts/testwise.ts):
// on the quizzes, picking the longest, shortest, most or least "absolute"
// option, the lowest id or a card position; on the check-up, rating items by
// length or by any surface cue. Fixtures prove the measure can fail.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Quiz } from '../src/content/catalog.ts';
import { checkupResults, quizResults, QUIZ_STRATEGIES, runQuizStrategy } from '../scripts/testwise.ts';
import { catalog } from './helpers.ts';

/** One-sided 5%: a strategy "beats chance" when its z is above this. */
const Z_LIMIT = 1.645;
/** Check-up discernment is on a 1-7 scale: a rater who knows every technique gets 6. */
const BANK_LIMIT = 0.6;
const FORM_LIMIT = 1.2;

test('quizzes: no test-wise strategy beats chance across the course', () => {
  for (const row of quizResults(catalog())) {
    assert.ok(row.z < Z_LIMIT, `${row.strategy}: ${row.expected.toFixed(1)} right of ${row.questions}, chance ${row.chance.toFixed(1)}, z ${row.z.toFixed(2)}`);
  }
});

test('check-up: no surface-cue rater beats chance on discernment, per form or across the bank', () => {
  const results = checkupResults(catalog());
  assert.ok(results.length > 0);
  for (const row of results) {
    const limit = row.form === 'all' ? BANK_LIMIT : FORM_LIMIT;
    assert.ok(row.discernment <= limit, `${row.rater}, form ${row.form}: discernment ${row.discernment.toFixed(2)} > ${limit}`);
    if (row.form === 'all') assert.ok(row.pairAccuracy <= 0.65, `${row.rater}: wins ${row.pairAccuracy}`);
  }
});

test('the measure can fail: the retired bank gives a cue rater its answers', () => {
  const retired = checkupResults(catalog(), true).filter((row) => row.form === 'all');
  const best = retired.reduce((top, row) => (row.discernment > top.discernment ? row : top));
  assert.ok(best.discernment > BANK_LIMIT, `best on the retired bank: ${best.rater} ${best.discernment}`);
});

test('the measure can fail: a quiz whose right option is always the longest', () => {
  const questions = Array.from({ length: 12 }, (_, index) => ({
    id: `q${index}`,
    kind: 'single' as const,
    cards: [],
    cardsHtml: '',
    prompt: 'Which one?',
    explanation: 'Because.',
    options: [
      { id: 'a', text: 'A long and careful answer that hedges', correct: true },
      { id: 'b', text: 'Short', correct: false },
      { id: 'c', text: 'Also short', correct: false },
    ],
  }));
  const quiz: Quiz = { file: 'quizzes/99-x.yaml', lessonId: 'x', passPercent: 70, questions };
  const longest = runQuizStrategy([quiz], QUIZ_STRATEGIES.find((strategy) => strategy.name === 'longest option')!);
  assert.equal(longest.expected, 12);
  assert.ok(longest.z > Z_LIMIT);
});
