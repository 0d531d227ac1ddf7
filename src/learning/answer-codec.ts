// How an attempt's answers are kept. A district holds ~700,000 attempts in
// memory and loads them at start-up, so each is packed as the positions of the
// chosen options in question order ("0|1,3||2"), tagged with the quiz's shape:
// the question and option ids it was taken against, stored once. A later edit
// of the quiz file gets a new shape, and old attempts still decode exactly.
import { createHash } from 'node:crypto';
import type { Quiz } from '../content/catalog.ts';
import type { QuizShape, StoreBackend } from '../store/backend.ts';
import type { Answers } from './grading.ts';

const shapes = new WeakMap<Quiz, QuizShape>();

/** The shape of a loaded quiz; computed once per quiz, it is on every submission's path. */
export function quizShape(quiz: Quiz): QuizShape {
  let shape = shapes.get(quiz);
  if (!shape) shapes.set(quiz, (shape = computeShape(quiz)));
  return shape;
}

function computeShape(quiz: Quiz): QuizShape {
  const questionIds = quiz.questions.map((question) => question.id);
  const optionIds = quiz.questions.map((question) => question.options.map((option) => option.id));
  const id = createHash('sha256')
    .update(JSON.stringify([quiz.lessonId, questionIds, optionIds]))
    .digest('hex')
    .slice(0, 10);
  return { id, lessonId: quiz.lessonId, questionIds, optionIds };
}

export function encodeAnswers(shape: QuizShape, answers: Answers): string {
  const positions = shape.questionIds.map((questionId, index) =>
    (answers[questionId] ?? []).map((optionId) => shape.optionIds[index].indexOf(optionId)).filter((at) => at >= 0).join(','),
  );
  return `${shape.id}:${positions.join('|')}`;
}

export async function decodeAnswers(store: StoreBackend, packed: string): Promise<Answers> {
  const at = packed.indexOf(':');
  const shape = await store.get('quizShapes', packed.slice(0, at));
  const answers: Answers = {};
  if (!shape) return answers;
  packed
    .slice(at + 1)
    .split('|')
    .forEach((positions, index) => {
      const questionId = shape.questionIds[index];
      if (questionId && positions) answers[questionId] = positions.split(',').map((position) => shape.optionIds[index][Number(position)]);
    });
  return answers;
}
