// The bytes a quiz answer is acknowledged with (src/learning/result-json.ts)
// are exactly what JSON.stringify makes of presentAttempt's object, for every
// quiz in the course and every kind of grade.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadCatalog } from '../src/content/catalog.ts';
import { gradeQuiz, type Answers } from '../src/learning/grading.ts';
import { presentAttempt } from '../src/learning/learning.ts';
import { attemptResultJson } from '../src/learning/result-json.ts';

const catalog = loadCatalog(process.cwd());

/** All right, all unanswered, and every other question right. */
function answerSets(quiz: NonNullable<ReturnType<typeof catalog.quiz>>): Answers[] {
  const right = (question: (typeof quiz.questions)[number]) => question.options.filter((option) => option.correct).map((option) => option.id);
  return [
    Object.fromEntries(quiz.questions.map((question) => [question.id, right(question)])),
    {},
    Object.fromEntries(quiz.questions.filter((_, index) => index % 2 === 0).map((question) => [question.id, right(question)])),
  ];
}

test('the acknowledgement of a quiz answer is the JSON of presentAttempt, byte for byte, for every quiz', () => {
  let checked = 0;
  for (const lesson of catalog.lessons) {
    const quiz = catalog.quiz(lesson.id);
    if (!quiz) continue;
    for (const answers of answerSets(quiz)) {
      const grade = gradeQuiz(quiz, answers);
      for (const id of ['a1b2c3', 'quote"and\\backslash']) {
        const expected = Buffer.from(JSON.stringify({ attempt: { id, ...presentAttempt(quiz, grade) } }));
        assert.ok(attemptResultJson(quiz, id, grade).equals(expected), `${lesson.id}, score ${grade.score}, id ${id}`);
      }
      checked++;
    }
  }
  assert.ok(checked >= 36, `checked ${checked} grades`);
});
