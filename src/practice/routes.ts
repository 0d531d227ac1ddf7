// Practice routes: the chat scenarios, boosters and the technique map
// (http-contract.md, "Practice, boosters and mastery"). Handlers stay thin;
// the work is in practice.ts.
import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import type { AppContext } from '../context.ts';
import type { Lesson } from '../content/catalog.ts';
import type { ClassRecord } from '../store/index.ts';
import { currentUser, requireUser } from '../http/auth.ts';
import { unauthorized } from '../http/errors.ts';
import { afterWrite, formPage, reply, wantsJson } from '../http/respond.ts';
import { parseBody } from '../http/validate.ts';
import { loadClass, mayManageClass } from '../http/load.ts';
import { authorize } from '../http/policy.ts';
import { lessonOrThrow } from '../learning/learning.ts';
import { readAnswers } from '../learning/grading.ts';
import { MAX_INTERVAL_DAYS } from './boosters.ts';
import type { Scenario } from './content.ts';
import { LEVEL_LABELS, MASTERY_RULE } from './mastery.ts';
import { boosterResultsOf, saveClassIntervals } from './records.ts';
import {
  boosterReview,
  chooseReply,
  classPractice,
  dueBoosterOrThrow,
  ownBoosterResult,
  presentBooster,
  presentBoosterList,
  presentBoosterResult,
  restartScenario,
  scenarioOrThrow,
  scenarioPage,
  scheduleOf,
  studentMastery,
  submitBooster,
  type DueBooster,
} from './practice.ts';

const answerSchema = z
  .object({
    choiceId: z.string({ error: 'must be the id of a reply' }).trim().min(1, 'pick a reply').max(64).optional(),
    restart: z.union([z.literal('1'), z.literal(1), z.literal(true)], { error: 'must be 1 to start again' }).optional(),
  })
  .refine((input) => input.choiceId !== undefined || input.restart !== undefined, { path: ['choiceId'], message: 'pick a reply' });

const days = (what: string) =>
  z.coerce
    .number({ error: `${what} must be a number of days` })
    .int(`${what} must be a whole number of days`)
    .min(1, `${what} must be at least 1 day`)
    .max(MAX_INTERVAL_DAYS, `${what} must be at most ${MAX_INTERVAL_DAYS} days`);
const intervalsSchema = z
  .object({ firstDays: days('The first booster'), secondDays: days('The second booster') })
  .refine((input) => input.secondDays > input.firstDays, { path: ['secondDays'], message: 'The second booster must come later than the first' });

/** What the load steps put on res.locals. */
interface Loaded {
  lesson: Lesson;
  scenario: Scenario;
  due: DueBooster;
  classRecord: ClassRecord;
}
const loaded = (res: Response) => res.locals as unknown as Loaded;

export function practiceRoutes(ctx: AppContext): Router {
  const router = Router();
  const signedIn = requireUser();
  const student = requireUser('student');
  const staff = requireUser('teacher', 'admin');

  // ------------------------------------------------------------ the route table
  router.get('/lessons/:lessonId/scenario', signedIn, showScenario);
  router.post('/lessons/:lessonId/scenario', student, answerScenario);
  router.get('/boosters', student, listBoosters);
  router.get('/boosters/:boosterId', student, showBooster);
  router.post('/boosters/:boosterId', student, answerBooster);
  router.get('/boosters/:boosterId/results/:resultId', student, showBoosterResult);
  router.get('/mastery', student, showMastery);
  router.get('/classes/:classId/mastery', staff, showClassMastery);
  router.post('/classes/:classId/practice-settings', staff, saveSettings);

  // ------------------------------------------------------------ load steps
  // Parameters load before a route's role check runs, so each step first
  // leaves a request without the right user to that check (401/403).
  router.param('lessonId', (req, res, next, lessonId: string) => {
    if (!req.user) return next(unauthorized());
    loaded(res).lesson = lessonOrThrow(ctx, lessonId);
    authorize(req.user, 'lesson.view', { kind: 'lesson', id: lessonId });
    loaded(res).scenario = scenarioOrThrow(ctx, lessonId);
    next();
  });
  router.param('boosterId', async (req, res, next, boosterId: string) => {
    if (req.user?.role !== 'student') return next();
    loaded(res).due = await dueBoosterOrThrow(ctx, req.user, boosterId);
    next();
  });
  router.param('classId', loadClass(ctx));

  // ------------------------------------------------------------ handlers
  async function showScenario(req: Request, res: Response) {
    const { lesson, scenario } = loaded(res);
    const page = await scenarioPage(ctx, currentUser(req), lesson, scenario);
    reply(req, res, 'practice/scenario', { title: `Chat: ${scenario.title}`, lesson, ...page, values: {} }, page.json);
  }

  async function answerScenario(req: Request, res: Response) {
    const { lesson, scenario } = loaded(res);
    const me = currentUser(req);
    formPage(res, 'practice/scenario', { title: `Chat: ${scenario.title}`, lesson, ...(await scenarioPage(ctx, me, lesson, scenario)) });
    const input = parseBody(answerSchema, req);
    const next = input.restart !== undefined ? await restartScenario(ctx, me, lesson, scenario) : await chooseReply(ctx, me, lesson, scenario, input.choiceId!);
    afterWrite(req, res, next, `/lessons/${lesson.id}/scenario#${'ending' in next ? 'ending' : 'reply'}`);
  }

  async function listBoosters(req: Request, res: Response) {
    const schedule = await scheduleOf(ctx, currentUser(req).id);
    const due = presentBoosterList(ctx, schedule.due);
    const upcoming = presentBoosterList(ctx, schedule.upcoming);
    reply(req, res, 'practice/boosters', { title: 'Practice again', due, upcoming }, {
      boosters: due.map(({ id, lessonId, due: day, done }) => ({ id, lessonId, due: day, done })),
    });
  }

  const boosterSeed = (studentId: string, due: DueBooster, attempt: number) => `${studentId}:${due.booster.id}:${attempt}`;
  const resultsOfBooster = async (studentId: string, due: DueBooster) => (await boosterResultsOf(ctx.store, studentId)).filter((result) => result.boosterId === due.booster.id);

  async function showBooster(req: Request, res: Response) {
    const { due } = loaded(res);
    const me = currentUser(req);
    const items = presentBooster(due, boosterSeed(me.id, due, (await resultsOfBooster(me.id, due)).length + 1));
    const lesson = ctx.catalog.lesson(due.booster.lessonId)!;
    reply(req, res, 'practice/booster', { title: `Practice again: ${lesson.title}`, lesson, booster: due.booster, items, values: {} }, {
      booster: { id: due.booster.id, items: items.map(({ id, kind, text, cards, options }) => ({ id, kind, text, cards, options })) },
    });
  }

  async function answerBooster(req: Request, res: Response) {
    const { due } = loaded(res);
    const me = currentUser(req);
    const lesson = ctx.catalog.lesson(due.booster.lessonId)!;
    const items = presentBooster(due, boosterSeed(me.id, due, (await resultsOfBooster(me.id, due)).length + 1));
    formPage(res, 'practice/booster', { title: `Practice again: ${lesson.title}`, lesson, booster: due.booster, items });
    const answers = readAnswers(due.quiz, (req.body ?? {}) as Record<string, unknown>);
    const { result } = await submitBooster(ctx, me, due, answers);
    afterWrite(req, res, { result: presentBoosterResult(due, result) }, `/boosters/${due.booster.id}/results/${result.id}`);
  }

  async function showBoosterResult(req: Request, res: Response) {
    const { due } = loaded(res);
    const me = currentUser(req);
    const result = await ownBoosterResult(ctx, me, due, String(req.params.resultId));
    const number = (await resultsOfBooster(me.id, due)).findIndex((candidate) => candidate.id === result.id) + 1;
    const lesson = ctx.catalog.lesson(due.booster.lessonId)!;
    const review = boosterReview(due, result, boosterSeed(me.id, due, number));
    reply(req, res, 'practice/booster-result', { title: `Your practice: ${lesson.title}`, lesson, booster: due.booster, result, review }, { result: presentBoosterResult(due, result) });
  }

  async function showMastery(req: Request, res: Response) {
    const techniques = await studentMastery(ctx, currentUser(req).id);
    reply(req, res, 'practice/mastery', { title: 'Your technique map', techniques, labels: LEVEL_LABELS, rule: MASTERY_RULE }, {
      techniques: techniques.map(({ id, name, level, evidence }) => ({ id, name, level, evidence })),
    });
  }

  async function classMasteryLocals(record: ClassRecord) {
    const page = await classPractice(ctx, record);
    return { page, locals: { title: `${record.name}: practice and technique map`, record, ...page, labels: LEVEL_LABELS, values: { firstDays: page.intervals.firstDays, secondDays: page.intervals.secondDays } } };
  }

  async function showClassMastery(req: Request, res: Response) {
    const { page, locals } = await classMasteryLocals(loaded(res).classRecord);
    reply(req, res, 'practice/class-mastery', locals, page.json);
  }

  async function saveSettings(req: Request, res: Response) {
    mayManageClass(req, res);
    const record = loaded(res).classRecord;
    formPage(res, 'practice/class-mastery', (await classMasteryLocals(record)).locals);
    const intervals = parseBody(intervalsSchema, req);
    await saveClassIntervals(ctx.store, record.id, intervals, ctx.now().toISOString());
    if (wantsJson(req)) res.status(200).json({ intervals });
    else res.redirect(303, `/classes/${record.id}/mastery#boosters`);
  }

  return router;
}

