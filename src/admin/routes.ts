// The admin's dashboard (http-contract.md, "Schools, admins and
// invitations": GET /admin). The actions it links to (invitations,
// deactivation, roster, audit log, retention, LMS connections) have routes
// of their own.
import { Router, type Request, type Response } from 'express';
import type { AppContext } from '../context.ts';
import { requireUser } from '../http/auth.ts';
import { notFound } from '../http/errors.ts';
import { managedSchool } from '../http/school.ts';
import { reply } from '../http/respond.ts';
import { schoolDashboard } from './dashboard.ts';
import { presentDashboard } from './presenters.ts';

export function adminRoutes(ctx: AppContext): Router {
  const router = Router();

  router.get('/admin', requireUser('admin'), showDashboard);

  async function showDashboard(req: Request, res: Response) {
    const school = await ctx.store.get('schools', managedSchool(req));
    if (!school) throw notFound('Your account does not belong to a school.');
    const page = presentDashboard(ctx, await schoolDashboard(ctx, school));
    reply(req, res, 'admin/dashboard', { title: `${school.name}: school overview`, ...page, values: {} }, page.json);
  }

  return router;
}
