import { Router } from 'express';
import { z } from 'zod';
import type { AppContext } from '../context.ts';
import { currentUser, requireUser } from '../http/auth.ts';
import { afterWrite, formPage, reply } from '../http/respond.ts';
import { loaded, step } from '../http/load.ts';
import { authorize } from '../http/policy.ts';
import { parseBody, requiredText } from '../http/validate.ts';
import { childPractice } from '../practice/practice.ts';
import { parentHome } from '../home/home.ts';
import { requesterOf } from '../accounts/throttles.ts';
import { cancelCode, childCheckups, childProgress, childTimeline, createParentCode, linkChild, linkedAdults, linkedChild, openCodes, recordParentView, unlinkAdult } from './families.ts';

const linkSchema = z.object({ code: requiredText(20) });

export function familyRoutes(ctx: AppContext): Router {
  const router = Router();
  const student = requireUser('student');
  const parent = requireUser('parent');

  // A child is loaded once, and only for a parent linked to them (the policy's child.view); else 404.
  router.param('studentId', step(async (req, res, studentId) => {
    if (req.user?.role !== 'parent') return; // the route's role check answers
    const links = await ctx.store.find('parentLinks', 'studentId', studentId);
    authorize(req.user, 'child.view', { kind: 'child', id: studentId, parentIds: links.map((link) => link.parentId) });
    loaded(res).student = await linkedChild(ctx, req.user, studentId);
  }));

  router.get('/family', student, async (req, res) => {
    const me = currentUser(req);
    const adults = await linkedAdults(ctx, me.id);
    const codes = await openCodes(ctx, me.id);
    reply(req, res, 'families/family', { title: 'Your family', adults, codes }, { adults, codes });
  });

  router.post('/parent-code', student, async (req, res) => {
    const { code, expiresAt } = await createParentCode(ctx, currentUser(req));
    // Shown once, on the page that answers the request.
    reply(req, res, 'families/code', { title: 'Your code for a parent', code, expiresAt }, { code, expiresAt }, 201);
  });

  router.post('/parent-code/:code/cancel', student, async (req, res) => {
    await cancelCode(ctx, currentUser(req).id, String(req.params.code));
    afterWrite(req, res, { ok: true }, '/family', 200);
  });

  router.post('/family/adults/:parentId/remove', student, async (req, res) => {
    await unlinkAdult(ctx, currentUser(req).id, String(req.params.parentId));
    afterWrite(req, res, { ok: true }, '/family', 200);
  });

  router.post('/children', parent, async (req, res) => {
    formPage(res, 'home/parent', { title: 'Your children', ...(await parentHome(ctx, currentUser(req))) });
    const { code } = parseBody(linkSchema, req);
    const child = await linkChild(ctx, currentUser(req), code, requesterOf(req));
    afterWrite(req, res, { child: { id: child.id, displayName: child.displayName } }, `/children/${child.id}`);
  });

  router.get('/children/:studentId', parent, async (req, res) => {
    const child = loaded(res).student;
    // First: when the view cannot be recorded (the store refuses writes), the progress is not shown either.
    await recordParentView(ctx, currentUser(req), child);
    const progress = await childProgress(ctx, child);
    const timeline = await childTimeline(ctx, child);
    const checkups = await childCheckups(ctx, child);
    const practice = await childPractice(ctx, child.id);
    reply(req, res, 'families/child', { title: child.displayName, child, progress, timeline, checkups, practice }, {
      checkups,
      practice,
      child: { id: child.id, displayName: child.displayName },
      progress: progress.map(({ lessonId, title, status, bestPercent, due, summary, parentPrompt, overdue }) => ({ lessonId, title, status, bestPercent, due, summary, parentPrompt, overdue })),
    });
  });

  return router;
}
