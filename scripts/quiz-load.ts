// The quiz answers the measurement scripts send: every question answered
// right, in the opaque ids the quiz page shows (src/learning/public-ids.ts),
// each request from the next of the signed-in students, as the page's own
// fetch sends it.
import type autocannon from 'autocannon';
import type { Quiz } from '../src/content/catalog.ts';
import { publicOptionId, publicQuestionId } from '../src/learning/public-ids.ts';

/**
 * Makes the `requests` of an autocannon run. Every run made from one call
 * shares the turn of students, so two instances loaded at once are not sent
 * the same student at the same moment.
 */
export function quizSubmissions(quiz: Quiz, students: { cookie: string; token: string }[]): () => autocannon.Request[] {
  const lessonId = quiz.lessonId;
  const answers = Object.fromEntries(
    quiz.questions.map((q) => [publicQuestionId(lessonId, q.id), q.options.filter((o) => o.correct).map((o) => publicOptionId(lessonId, q.id, o.id))]),
  );
  const body = JSON.stringify({ answers });
  let next = 0;
  return () => [
    {
      method: 'POST',
      path: `/lessons/${lessonId}/quiz`,
      setupRequest: (request) => {
        const student = students[next++ % students.length];
        return { ...request, body, headers: { Accept: 'application/json', 'Content-Type': 'application/json', Cookie: student.cookie, 'X-CSRF-Token': student.token } };
      },
    },
  ];
}
