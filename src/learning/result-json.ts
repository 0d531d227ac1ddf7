// The JSON a quiz answer is acknowledged with, put together from bytes made
// once per loaded quiz.
//
// A quiz answer is the platform's most frequent write, and most of its
// answer (about 3.6 KB for ten questions) is the questions' explanations,
// which never change: only the score, the attempt's id and which questions
// were right do. Serialising the whole object on every answer made a fresh
// JSON text and then its bytes each time, and on a server taking fifty
// answers at once that garbage costs more in collections than the
// serialising itself (docs/performance-notes.md). Here each question's
// result is serialised twice per quiz (right and wrong) and an answer only
// copies the pieces into one buffer. The bytes are exactly JSON.stringify's
// for the object presentAttempt describes (tests/result-json.test.ts).
import type { Quiz } from '../content/catalog.ts';
import type { Grade } from './grading.ts';
import { quizIds, quizQuestionOrder } from './public-ids.ts';

interface QuestionPieces {
  questionId: string;
  /** `{"questionId":…,"correct":true,"explanation":…}` */
  right: Buffer;
  wrong: Buffer;
}

const COMMA = Buffer.from(',');
const CLOSE = Buffer.from(']}}');
const pieces = new WeakMap<Quiz, QuestionPieces[]>();

function piecesOf(quiz: Quiz): QuestionPieces[] {
  let made = pieces.get(quiz);
  if (!made) {
    const ids = quizIds(quiz);
    made = quizQuestionOrder(quiz).map((question) => {
      const piece = (correct: boolean) => Buffer.from(JSON.stringify({ questionId: ids.question.get(question.id)!, correct, explanation: question.explanation }));
      return { questionId: question.id, right: piece(true), wrong: piece(false) };
    });
    pieces.set(quiz, made);
  }
  return made;
}

/** `{"attempt":{id, score, max, percent, passed, results}}` as UTF-8 bytes, results in the order the student saw the questions. */
export function attemptResultJson(quiz: Quiz, attemptId: string, grade: Grade): Buffer {
  const correct = new Set<string>();
  for (const result of grade.results) if (result.correct) correct.add(result.questionId);
  const head = Buffer.from(
    `{"attempt":{"id":${JSON.stringify(attemptId)},"score":${grade.score},"max":${grade.max},"percent":${grade.percent},"passed":${grade.passed},"results":[`,
  );
  const parts: Buffer[] = [head];
  for (const [index, piece] of piecesOf(quiz).entries()) {
    if (index > 0) parts.push(COMMA);
    parts.push(correct.has(piece.questionId) ? piece.right : piece.wrong);
  }
  parts.push(CLOSE);
  return Buffer.concat(parts);
}
