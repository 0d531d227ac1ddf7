import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import type { AppContext } from '../context.ts';
import { currentUser, requireUser } from '../http/auth.ts';
import { conflict } from '../http/errors.ts';
import { afterWrite, formPage, reply, wantsJson } from '../http/respond.ts';
import { atMost, optionalDate, parseBody, text } from '../http/validate.ts';
import { loadCheckup, loadClass, loaded, mayManageClass } from '../http/load.ts';
import { toCsv } from '../classes/csv.ts';
import {
  assignCheckup,
  bankOrThrow,
  checkupCsvRows,
  checkupsOfClass,
  ensureSitting,
  presentScore,
  recordResponse,
  scoreOf,
  sittingProgress,
  MIN_REPORT_N,
  PHASES,
} from './checkups.ts';
import { classesWithReportShown, classReport } from './report.ts';

const assignSchema = z.object({
  phase: z.enum(['before', 'after', 'booster'], { error: 'choose before, after or booster' }),
  due: optionalDate,
});

const scale = z.coerce.number({ error: 'choose a number from 1 to 7' }).int('choose a whole number from 1 to 7').min(1, 'choose a number from 1 to 7').max(7, 'choose a number from 1 to 7');
const responseSchema = z.object({
  itemId: text().min(1, 'must not be empty').max(100, atMost(100)),
  manipulative: scale,
  confidence: scale,
});

const PHASE_TITLES = { before: 'Check-up before the course', after: 'Check-up after the course', booster: 'Booster check-up' };

export function checkupRoutes(ctx: AppContext): Router {
  const router = Router();
  const staff = requireUser('teacher', 'admin');
  const student = requireUser('student');

  // ------------------------------------------------------------ load steps
  router.param('classId', loadClass(ctx));
  router.param('checkupId', loadCheckup(ctx));

  // ------------------------------------------------------------ the route table
  router.post('/classes/:classId/checkups', staff, assign);
  router.get('/checkups/:checkupId', student, showItem);
  router.post('/checkups/:checkupId/responses', student, answer);
  router.get('/checkups/:checkupId/result', student, showResult);
  router.get('/classes/:classId/checkup-report', staff, showReport);
  router.get('/classes/:classId/checkup.csv', staff, reportFile);

  // ------------------------------------------------------------ handlers
  async function assign(req: Request, res: Response) {
    mayManageClass(req, res);
    const record = loaded(res).classRecord;
    const input = parseBody(assignSchema, req);
    const { checkup, created } = await assignCheckup(ctx, record.id, input.phase, input.due);
    afterWrite(req, res, { checkup: { id: checkup.id, phase: checkup.phase, due: checkup.due } }, `/classes/${record.id}#checkups`, created ? 201 : 200);
  }

  async function showItem(req: Request, res: Response) {
    const me = currentUser(req);
    const { checkup } = loaded(res);
    const sitting = await ensureSitting(ctx, checkup, me);
    const { answered, total, next } = await sittingProgress(ctx, sitting);
    const item = next ? bankOrThrow(ctx).items.get(next)! : null;
    reply(
      req,
      res,
      'checkups/take',
      { title: PHASE_TITLES[checkup.phase], checkup, answered, total, item, values: {} },
      { checkup: { id: checkup.id, phase: checkup.phase, total, answered }, item: item ? { id: item.publicId, kind: item.type, text: item.text, from: item.from ?? null } : null },
    );
  }

  async function answer(req: Request, res: Response) {
    const me = currentUser(req);
    const { checkup } = loaded(res);
    if (!wantsJson(req)) {
      // Re-show the same item with the message next to the scale that is missing.
      const sitting = await ensureSitting(ctx, checkup, me);
      const { answered, total, next } = await sittingProgress(ctx, sitting);
      formPage(res, 'checkups/take', { title: PHASE_TITLES[checkup.phase], checkup, answered, total, item: next ? bankOrThrow(ctx).items.get(next) : null });
    }
    const input = parseBody(responseSchema, req);
    const progress = await recordResponse(ctx, checkup, me, input);
    afterWrite(req, res, progress, progress.answered === progress.total ? `/checkups/${checkup.id}/result` : `/checkups/${checkup.id}`);
  }

  async function showResult(req: Request, res: Response) {
    const me = currentUser(req);
    const { checkup } = loaded(res);
    const score = await scoreOf(ctx, checkup, me.id);
    if (!score) throw conflict('Finish the check-up first to see your result.');
    const bank = bankOrThrow(ctx);
    const beforeCheckup = checkup.phase === 'before' ? undefined : (await checkupsOfClass(ctx, checkup.classId)).find((c) => c.phase === 'before');
    const before = beforeCheckup ? await scoreOf(ctx, beforeCheckup, me.id) : null;
    const items = score.items.map((item) => ({ id: item.publicId, technique: item.manipulative ? item.technique : null, techniqueName: item.manipulative ? bank.techniques[item.technique] : null, manipulative: item.manipulative, rating: item.rating, explanation: item.explanation, html: item.html }));
    reply(
      req,
      res,
      'checkups/result',
      { title: 'Your check-up result', checkup, score: presentScore(score), before: before ? presentScore(before) : null, items },
      {
        result: {
          ...presentScore(score),
          items: items.map(({ id, technique, rating, explanation }) => ({ id, technique, rating, explanation })),
          ...(before ? { before: presentScore(before) } : {}),
        },
      },
    );
  }

  async function showReport(req: Request, res: Response) {
    const record = loaded(res).classRecord;
    const report = await classReport(ctx, record.id);
    const checkups = await checkupsOfClass(ctx, record.id);
    reply(req, res, 'checkups/report', { title: `${record.name}: check-up results`, record, report, checkups, phases: PHASES }, { report });
  }

  async function reportFile(_req: Request, res: Response) {
    const record = loaded(res).classRecord;
    // Item-level ratings of a class too small for its report would show each student's answers.
    if (!(await classesWithReportShown(ctx, [record.id])).has(record.id)) {
      throw conflict(`The item-level data can be downloaded once at least ${MIN_REPORT_N} students have taken both the before and the after check-up, so that no student can be picked out.`);
    }
    const rows = await checkupCsvRows(ctx, record.id);
    res.type('text/csv; charset=utf-8');
    res.attachment('checkup-items.csv');
    res.send(toCsv(rows));
  }

  return router;
}
