// Grading is a pure function of a quiz and the chosen option ids.
import type { Quiz } from '../content/catalog.ts';
import { invalid } from '../http/errors.ts';
import { quizIds } from './public-ids.ts';

export type Answers = Record<string, string[]>;

export interface QuestionResult {
  questionId: string;
  correct: boolean;
  explanation: string;
  chosen: string[];
  correctOptionIds: string[];
}

export interface Grade {
  score: number;
  max: number;
  percent: number;
  passed: boolean;
  results: QuestionResult[];
}

/** Each question's right options, sorted, worked out once per loaded quiz (grading runs on every answer). */
const rightOptions = new WeakMap<Quiz, Map<string, readonly string[]>>();

function rightOptionsOf(quiz: Quiz): Map<string, readonly string[]> {
  let right = rightOptions.get(quiz);
  if (!right) {
    right = new Map(quiz.questions.map((question) => [question.id, question.options.filter((option) => option.correct).map((option) => option.id).sort()]));
    rightOptions.set(quiz, right);
  }
  return right;
}

/** An unanswered question is wrong; a question is right only when exactly the right options are chosen. */
export function gradeQuiz(quiz: Quiz, answers: Answers): Grade {
  const right = rightOptionsOf(quiz);
  const results = quiz.questions.map((question) => {
    const given = answers[question.id] ?? [];
    const chosen = given.length < 2 ? [...given] : [...new Set(given)].sort();
    const correctOptionIds = [...right.get(question.id)!];
    const correct = chosen.length === correctOptionIds.length && chosen.every((id, index) => id === correctOptionIds[index]);
    return { questionId: question.id, correct, explanation: question.explanation, chosen, correctOptionIds };
  });
  const score = results.filter((result) => result.correct).length;
  const max = quiz.questions.length;
  const percent = Math.round((100 * score) / max);
  return { score, max, percent, passed: percent >= quiz.passPercent, results };
}

/**
 * Accepts JSON `answers: {questionId: optionId | optionId[]}` or form fields
 * `q_<questionId>` (repeated for several) in the opaque ids the page shows
 * (public-ids.ts), refuses ids the quiz does not have, and returns the
 * answers in the author's ids, which grading and stored attempts use.
 */
export function readAnswers(quiz: Quiz, body: Record<string, unknown>): Answers {
  const raw: Record<string, unknown> = {};
  if (body.answers !== undefined) {
    if (typeof body.answers !== 'object' || body.answers === null || Array.isArray(body.answers)) {
      throw invalid('answers must be an object of questionId to option id(s).', 'answers');
    }
    Object.assign(raw, body.answers);
  }
  for (const [key, value] of Object.entries(body)) {
    if (key.startsWith('q_')) raw[key.slice(2)] = value;
  }
  const publicIds = quizIds(quiz);
  const answers: Answers = {};
  for (const [questionId, value] of Object.entries(raw)) {
    const question = publicIds.questionByPublic.get(questionId);
    if (!question) throw invalid(`This quiz has no question "${questionId}".`, `answers.${questionId}`);
    const ids = Array.isArray(value) ? value : [value];
    if (!ids.every((id): id is string => typeof id === 'string')) throw invalid('Each answer must be an option id.', `answers.${questionId}`);
    const options = publicIds.optionByPublic.get(question.id)!;
    for (const id of ids) {
      if (!options.has(id)) throw invalid(`Question "${questionId}" has no option "${id}".`, `answers.${questionId}`);
    }
    if (question.kind === 'single' && ids.length > 1) throw invalid(`Question "${questionId}" takes one answer.`, `answers.${questionId}`);
    answers[question.id] = ids.map((id) => options.get(id)!);
  }
  return answers;
}

/** A stable shuffle: the same seed gives the same order (one order per attempt). */
export function shuffled<T>(items: readonly T[], seed: string): T[] {
  let state = 2166136261;
  for (let i = 0; i < seed.length; i++) state = Math.imul(state ^ seed.charCodeAt(i), 16777619);
  const random = () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const result = [...items];
  for (let i = result.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [result[i], result[j]] = [result[j], result[i]];
  }
  return result;
}
