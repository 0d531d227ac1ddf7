// The ids a student's page and the JSON API use for quiz questions and
// options. Authors name them for their own use ("pool-replies", options
// `a`..`d`), and a name or a letter can give the answer away, so pages show
// an opaque id instead: a hash of the quiz, the question and the option,
// the same for every student and every restart. Grading maps them back to
// the author's ids, which is what stored attempts keep (answer-codec.ts).
import { createHash } from 'node:crypto';
import type { Quiz, QuizQuestion } from '../content/catalog.ts';

export interface QuizIds {
  /** author's question id to public id */
  question: Map<string, string>;
  /** public question id to the question */
  questionByPublic: Map<string, QuizQuestion>;
  /** per author's question id: author's option id to public id */
  option: Map<string, Map<string, string>>;
  /** per author's question id: public option id to author's option id */
  optionByPublic: Map<string, Map<string, string>>;
}

function digest(...parts: string[]): string {
  return createHash('sha256').update(parts.join('\u0000')).digest('hex').slice(0, 10);
}

/** `q` + 10 hex digits: unique within a quiz, says nothing about the question. */
export function publicQuestionId(lessonId: string, questionId: string): string {
  return `q${digest('framecheck-quiz-question', lessonId, questionId)}`;
}

/** `o` + 10 hex digits: says nothing about the option's text, letter or place in the file. */
export function publicOptionId(lessonId: string, questionId: string, optionId: string): string {
  return `o${digest('framecheck-quiz-option', lessonId, questionId, optionId)}`;
}

const cache = new WeakMap<Quiz, QuizIds>();

/** The id maps of a loaded quiz, computed once. */
export function quizIds(quiz: Quiz): QuizIds {
  let ids = cache.get(quiz);
  if (ids) return ids;
  ids = { question: new Map(), questionByPublic: new Map(), option: new Map(), optionByPublic: new Map() };
  for (const question of quiz.questions) {
    const publicId = publicQuestionId(quiz.lessonId, question.id);
    ids.question.set(question.id, publicId);
    ids.questionByPublic.set(publicId, question);
    const forward = new Map<string, string>();
    const back = new Map<string, string>();
    for (const option of question.options) {
      const optionId = publicOptionId(quiz.lessonId, question.id, option.id);
      forward.set(option.id, optionId);
      back.set(optionId, option.id);
    }
    ids.option.set(question.id, forward);
    ids.optionByPublic.set(question.id, back);
  }
  cache.set(quiz, ids);
  return ids;
}

const orders = new WeakMap<Quiz, readonly QuizQuestion[]>();

/** A loaded quiz's questions in the order students see them (questionOrder), worked out once. */
export function quizQuestionOrder(quiz: Quiz): readonly QuizQuestion[] {
  let order = orders.get(quiz);
  if (!order) orders.set(quiz, (order = questionOrder(quiz.questions)));
  return order;
}

/**
 * The order a student sees the questions in: the file's order, except that
 * the two halves of a matched pair are never next to each other (the first
 * answer would give the second away). A question that would sit next to its
 * other half is moved down to the first place where it does not (or, at the
 * end of the quiz, up to the last such place). The same
 * quiz always gives the same order, so an attempt reviews in the order it
 * was taken.
 */
export function questionOrder<T extends { pair?: string }>(questions: readonly T[]): T[] {
  const waiting = [...questions];
  const order: T[] = [];
  const clashes = (question: T) => question.pair !== undefined && order.length > 0 && order[order.length - 1].pair === question.pair;
  while (waiting.length) {
    const next = waiting.findIndex((question) => !clashes(question));
    if (next >= 0) {
      order.push(...waiting.splice(next, 1));
      continue;
    }
    // Only the other half of the last question is left: put it earlier, at the
    // last place where neither neighbour belongs to its pair.
    const [question] = waiting.splice(0, 1);
    const apart = (at: number) => order[at - 1]?.pair !== question.pair && order[at]?.pair !== question.pair;
    let at = order.length - 1;
    while (at >= 0 && !apart(at)) at--;
    order.splice(at >= 0 ? at : order.length, 0, question);
  }
  return order;
}
