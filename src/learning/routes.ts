import { Router } from 'express';
import type { AppContext } from '../context.ts';
import type { Lesson } from '../content/catalog.ts';
import { currentUser, requireUser } from '../http/auth.ts';
import { reply, wantsJson } from '../http/respond.ts';
import { loaded, loadLesson } from '../http/load.ts';
import { readAnswers } from './grading.ts';
import {
  attemptReview,
  glossary,
  ownAttempt,
  presentAttempt,
  presentQuiz,
  quizOrThrow,
  quizSeed,
  recordLessonOpen,
  submitQuiz,
} from './learning.ts';
import { attemptsOf, progressByLesson } from './progress.ts';
import { attemptResultJson } from './result-json.ts';

export function learningRoutes(ctx: AppContext): Router {
  const router = Router();
  const signedIn = requireUser();
  // Every lesson route loads its lesson once (404 for no such lesson; the policy's lesson.view).
  router.param('lessonId', loadLesson(ctx));

  router.get('/lessons', signedIn, async (req, res) => {
    const user = currentUser(req);
    const progress = user.role === 'student' ? await progressByLesson(ctx.store, user.id) : null;
    const lessons = ctx.catalog.lessons.map((lesson) => ({
      id: lesson.id,
      title: lesson.title,
      summary: lesson.summary,
      minutes: lesson.minutes,
      order: lesson.order,
      ...(progress ? { status: progress.get(lesson.id)?.status ?? 'not_started', bestPercent: progress.get(lesson.id)?.bestPercent ?? null } : {}),
    }));
    reply(req, res, 'learning/lessons', { title: 'The course', lessons }, { lessons });
  });

  router.get('/glossary', signedIn, async (req, res) => {
    const terms = glossary(ctx);
    reply(req, res, 'learning/glossary', { title: 'Glossary of techniques', terms }, { terms });
  });

  router.get('/lessons/:lessonId', signedIn, async (req, res) => {
    const user = currentUser(req);
    const lesson = loaded(res).lesson;
    if (user.role === 'student') await recordLessonOpen(ctx, user, lesson.id);
    await ctx.pages.sendToRole(req, res, `lesson:${lesson.id}`, user, async () => lessonPage(ctx, lesson));
  });

  router.get('/lessons/:lessonId/quiz', signedIn, async (req, res) => {
    const user = currentUser(req);
    const lesson = loaded(res).lesson;
    const quiz = presentQuiz(quizOrThrow(ctx, lesson.id), await quizSeed(ctx, user, lesson.id));
    const attempts = user.role === 'student' ? await attemptsOf(ctx.store, user.id, lesson.id) : [];
    const best = attempts.reduce<number | null>((top, attempt) => Math.max(top ?? 0, attempt.percent), null);
    reply(req, res, 'learning/quiz', { title: `Quiz: ${lesson.title}`, lesson, quiz, attemptCount: attempts.length, best, values: {} }, {
      quiz: { lessonId: quiz.lessonId, passPercent: quiz.passPercent, questions: quiz.questions.map(({ cardsHtml: _html, source: _source, ...question }) => question) },
    });
  });

  router.post('/lessons/:lessonId/quiz', requireUser('student'), async (req, res) => {
    const student = currentUser(req);
    const lesson = loaded(res).lesson;
    const quiz = quizOrThrow(ctx, lesson.id);
    const answers = readAnswers(quiz, (req.body ?? {}) as Record<string, unknown>);
    const { attempt, grade } = await submitQuiz(ctx, student, quiz, answers);
    if (wantsJson(req)) {
      // The same JSON as res.json would send for presentAttempt's object, from bytes made once per quiz.
      res.status(201).setHeader('Content-Type', 'application/json; charset=utf-8');
      res.send(attemptResultJson(quiz, attempt.id, grade));
      return;
    }
    res.redirect(303, `/lessons/${lesson.id}/quiz/attempts/${attempt.id}`);
  });

  router.get('/lessons/:lessonId/quiz/attempts/:attemptId', requireUser('student'), async (req, res) => {
    const student = currentUser(req);
    const lesson = loaded(res).lesson;
    const quiz = quizOrThrow(ctx, lesson.id);
    const attempt = await ownAttempt(ctx, student, lesson.id, String(req.params.attemptId));
    const all = await attemptsOf(ctx.store, student.id, lesson.id);
    const number = all.findIndex((candidate) => candidate.id === attempt.id) + 1;
    const review = await attemptReview(ctx, quiz, attempt, `${student.id}:${lesson.id}:${number}`);
    const best = Math.max(...all.map((candidate) => candidate.percent));
    reply(req, res, 'learning/result', { title: `Your result: ${lesson.title}`, lesson, quiz, review, attempt, number, best, next: ctx.catalog.lessons[ctx.catalog.lessons.indexOf(lesson) + 1] }, {
      attempt: { id: attempt.id, at: attempt.at, ...presentAttempt(quiz, review.grade) },
    });
  });

  return router;
}

/** A lesson as a page and as JSON: the same for every reader of one role (the page cache keeps one copy per role). */
function lessonPage(ctx: AppContext, lesson: Lesson) {
  const index = ctx.catalog.lessons.indexOf(lesson);
  const hasQuiz = Boolean(ctx.catalog.quiz(lesson.id));
  const hasScenario = Boolean(ctx.catalog.practice.scenario(lesson.id));
  return {
    view: 'learning/lesson',
    locals: { title: lesson.title, lesson, hasQuiz, hasScenario, previous: ctx.catalog.lessons[index - 1], next: ctx.catalog.lessons[index + 1] },
    json: {
      lesson: {
        id: lesson.id,
        title: lesson.title,
        summary: lesson.summary,
        minutes: lesson.minutes,
        order: lesson.order,
        contentNote: lesson.contentNote ?? null,
        parentPrompt: lesson.parentPrompt,
        sources: lesson.sources,
        html: lesson.html,
        hasQuiz,
        hasScenario,
      },
    },
  };
}
