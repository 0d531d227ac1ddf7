// The audit log pages: GET /admin/audit (HTML or JSON) and /admin/audit.csv,
// for the school's admin only. Read-only by design: no route changes an event.
import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import type { AppContext } from '../context.ts';
import { requireUser } from '../http/auth.ts';
import { reply } from '../http/respond.ts';
import { managedSchool } from '../http/school.ts';
import { atMost, optionalDate, parseQuery, text } from '../http/validate.ts';
import { ACTION_LABELS, AUDIT_ACTIONS } from './actions.ts';
import { auditCsv } from './csv.ts';
import { auditPage, presentEvent, schoolEvents, type AuditFilter } from './log.ts';

const filterSchema = z
  .object({
    from: optionalDate,
    to: optionalDate,
    actor: text().trim().max(64, atMost(64)).optional().transform((value) => value || null),
    action: z
      .union([z.literal(''), z.enum(AUDIT_ACTIONS)], { error: 'choose one of the listed actions' })
      .optional()
      .transform((value) => value || null),
    page: z.coerce.number({ error: 'must be a whole number' }).int('must be a whole number').min(1, 'must be 1 or more').max(1_000_000, 'is too large').optional().default(1),
  })
  .refine((filter) => !filter.from || !filter.to || filter.from <= filter.to, { path: ['to'], message: 'must be on or after the From date' });

/** The filters as a query string (for the CSV link and the pager), without empty ones. */
function queryOf(filter: AuditFilter, page?: number): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(filter)) if (value) params.set(name, value);
  if (page && page > 1) params.set('page', String(page));
  const text = params.toString();
  return text ? `?${text}` : '';
}

export function auditRoutes(ctx: AppContext): Router {
  const router = Router();

  router.get('/admin/audit', requireUser(), async function showAuditLog(req: Request, res: Response) {
    const schoolId = managedSchool(req);
    const { page, ...filter } = parseQuery(filterSchema, req);
    const result = await auditPage(ctx, schoolId, filter, page);
    reply(
      req,
      res,
      'admin/audit',
      {
        title: 'Audit log',
        values: filter,
        result,
        labels: ACTION_LABELS,
        actions: AUDIT_ACTIONS,
        csvUrl: `/admin/audit.csv${queryOf(filter)}`,
        nextUrl: result.nextPage ? `/admin/audit${queryOf(filter, result.nextPage)}` : null,
        previousUrl: page > 1 ? `/admin/audit${queryOf(filter, page - 1)}` : null,
      },
      result,
    );
  });

  router.get('/admin/audit.csv', requireUser(), async function downloadAuditLog(req: Request, res: Response) {
    const schoolId = managedSchool(req);
    const { page: _page, ...filter } = parseQuery(filterSchema, req);
    const events = (await schoolEvents(ctx, schoolId, filter)).map(presentEvent);
    res.type('text/csv; charset=utf-8');
    res.attachment(`audit-log-${ctx.now().toISOString().slice(0, 10)}.csv`);
    res.send(auditCsv(events));
  });

  return router;
}
