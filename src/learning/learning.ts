// Reading lessons and taking quizzes.
import type { AppContext } from '../context.ts';
import type { Quiz } from '../content/catalog.ts';
import { notFound } from '../http/errors.ts';
import { newId } from '../ids.ts';
import { insert, isConflict, put, type Attempt, type StoreBackend, type User } from '../store/backend.ts';
import { keys } from '../store/keys.ts';
import { gradeQuiz, shuffled, type Answers, type Grade } from './grading.ts';
import { decodeAnswers, encodeAnswers, quizShape } from './answer-codec.ts';
import { attemptsOf } from './progress.ts';
import { quizIds, quizQuestionOrder } from './public-ids.ts';
import { gradeChanges } from '../lti/outbox.ts';

export function lessonOrThrow(ctx: AppContext, lessonId: string) {
  const lesson = ctx.catalog.lesson(lessonId);
  if (!lesson) throw notFound('There is no such lesson.');
  return lesson;
}

export function quizOrThrow(ctx: AppContext, lessonId: string): Quiz {
  const quiz = ctx.catalog.quiz(lessonId);
  if (!quiz) throw notFound('This lesson has no quiz.');
  return quiz;
}

/** The first time a student opens a lesson it counts as "in progress". */
export async function recordLessonOpen(ctx: AppContext, student: User, lessonId: string): Promise<void> {
  const id = keys.lessonOpen(student.id, lessonId);
  if (await ctx.store.get('lessonOpens', id)) return;
  try {
    await ctx.store.commit([insert('lessonOpens', { id, studentId: student.id, lessonId, at: ctx.now().toISOString() })]);
  } catch (error) {
    if (!isConflict(error)) throw error; // opened in two tabs at once: the first time is kept
  }
}

/**
 * The quiz as a learner sees it: opaque question and option ids, the two
 * halves of a pair never next to each other, options shuffled in one fixed
 * order per attempt; no answers, and no author-only card fields.
 */
export function presentQuiz(quiz: Quiz, seed: string) {
  const ids = quizIds(quiz);
  return {
    lessonId: quiz.lessonId,
    passPercent: quiz.passPercent,
    questions: quizQuestionOrder(quiz).map((question) => {
      const optionIds = ids.option.get(question.id)!;
      return {
        id: ids.question.get(question.id)!,
        prompt: question.prompt,
        kind: question.kind,
        cards: question.cards.map(({ manipulative: _answer, ...card }) => card),
        cardsHtml: question.cardsHtml,
        options: shuffled(question.options, `${seed}:${question.id}`).map((option) => ({ id: optionIds.get(option.id)!, text: option.text })),
        /** the author's id, for grading on the server; never sent */
        source: question,
      };
    }),
  };
}

export async function quizSeed(ctx: AppContext, user: User, lessonId: string): Promise<string> {
  const attemptNumber = user.role === 'student' ? (await attemptsOf(ctx.store, user.id, lessonId)).length + 1 : 0;
  return `${user.id}:${lessonId}:${attemptNumber}`;
}

/**
 * Quiz shapes known to be in the store. A shape's id is its content's hash
 * and shapes are never deleted, so once stored a submission need not look it up.
 */
const storedShapes = new WeakMap<StoreBackend, Set<string>>();

export async function submitQuiz(ctx: AppContext, student: User, quiz: Quiz, answers: Answers): Promise<{ attempt: Attempt; grade: Grade }> {
  const grade = gradeQuiz(quiz, answers);
  const shape = quizShape(quiz);
  const attempt: Attempt = {
    id: newId(),
    studentId: student.id,
    lessonId: quiz.lessonId,
    at: ctx.now().toISOString(),
    score: grade.score,
    max: grade.max,
    percent: grade.percent,
    passed: grade.passed,
    answers: encodeAnswers(shape, answers),
  };
  let known = storedShapes.get(ctx.store);
  if (!known) storedShapes.set(ctx.store, (known = new Set()));
  const shapeStored = known.has(shape.id) || (await ctx.store.get('quizShapes', shape.id)) !== undefined;
  // A score for the LMS is queued in the attempt's own commit: once the answer is acknowledged, it will arrive.
  const grades = await gradeChanges(ctx, student, attempt);
  await ctx.store.commit([...(shapeStored ? [] : [put('quizShapes', shape)]), put('attempts', attempt), ...grades]);
  known.add(shape.id);
  if (grades.length) ctx.lti.outbox.poke();
  return { attempt, grade };
}

/** A graded attempt in the ids and order the student saw. */
export function presentAttempt(quiz: Quiz, grade: Grade) {
  const ids = quizIds(quiz);
  const byQuestion = new Map(grade.results.map((result) => [result.questionId, result]));
  return {
    score: grade.score,
    max: grade.max,
    percent: grade.percent,
    passed: grade.passed,
    results: quizQuestionOrder(quiz).map((question) => {
      const result = byQuestion.get(question.id)!;
      return { questionId: ids.question.get(question.id)!, correct: result.correct, explanation: result.explanation };
    }),
  };
}

/** A student's own attempt, else 404. */
export async function ownAttempt(ctx: AppContext, student: User, lessonId: string, attemptId: string): Promise<Attempt> {
  const attempt = await ctx.store.get('attempts', attemptId);
  if (!attempt || attempt.studentId !== student.id || attempt.lessonId !== lessonId) throw notFound('We could not find that attempt.');
  return attempt;
}

/** Everything the result page shows: each question with the learner's choice, the right answer and why. */
export async function attemptReview(ctx: AppContext, quiz: Quiz, attempt: Attempt, seed: string) {
  const grade = gradeQuiz(quiz, await decodeAnswers(ctx.store, attempt.answers));
  const shown = presentQuiz(quiz, seed);
  const byQuestion = new Map(grade.results.map((result) => [result.questionId, result]));
  return {
    grade,
    questions: shown.questions.map(({ source, ...question }) => {
      const result = byQuestion.get(source.id)!;
      const optionIds = quizIds(quiz).optionByPublic.get(source.id)!;
      return {
        ...question,
        correct: result.correct,
        explanation: source.explanation,
        options: question.options.map((option) => ({
          ...option,
          chosen: result.chosen.includes(optionIds.get(option.id)!),
          right: result.correctOptionIds.includes(optionIds.get(option.id)!),
        })),
      };
    }),
  };
}

export function glossary(ctx: AppContext) {
  return ctx.catalog.lessons
    .flatMap((lesson) => lesson.techniques.map((technique) => ({ ...technique, lessonId: lesson.id, lessonTitle: lesson.title })))
    .sort((a, b) => a.term.localeCompare(b.term));
}
