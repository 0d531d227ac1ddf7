// GET/POST /admin/retention: the school's admin reads and sets the policy.
import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import type { AppContext } from '../context.ts';
import { currentUser, requireUser } from '../http/auth.ts';
import { afterWrite, formPage, reply } from '../http/respond.ts';
import { managedSchool } from '../http/school.ts';
import { optionalDate, parseBody } from '../http/validate.ts';
import { changePolicy, MAX_MONTHS, MIN_MONTHS, presentPolicy, schoolOf } from './policy.ts';

const wholeMonths = `must be a whole number from ${MIN_MONTHS} to ${MAX_MONTHS}`;

const policySchema = z.object({
  inactiveMonths: z
    .union([z.number(), z.string().trim().regex(/^\d+$/, wholeMonths).transform(Number)], { error: wholeMonths })
    .pipe(z.number().int(wholeMonths).min(MIN_MONTHS, wholeMonths).max(MAX_MONTHS, wholeMonths)),
  archiveClassesAfter: optionalDate,
});

export function retentionRoutes(ctx: AppContext): Router {
  const router = Router();

  const page = async (req: Request) => {
    const school = await schoolOf(ctx, managedSchool(req));
    return { title: 'Retention', saved: req.method === 'GET' && req.query.saved === '1', school, policy: presentPolicy(school.retention), values: presentPolicy(school.retention) };
  };

  router.get('/admin/retention', requireUser(), async function showRetention(req: Request, res: Response) {
    const locals = await page(req);
    reply(req, res, 'admin/retention', locals, { policy: locals.policy });
  });

  router.post('/admin/retention', requireUser(), async function saveRetention(req: Request, res: Response) {
    const locals = await page(req);
    formPage(res, 'admin/retention', locals);
    const change = parseBody(policySchema, req);
    const policy = await changePolicy(ctx, currentUser(req), locals.school, change);
    afterWrite(req, res, { policy: presentPolicy(policy) }, '/admin/retention?saved=1', 200);
  });

  return router;
}
