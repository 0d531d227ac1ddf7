import { Router } from 'express';
import type { AppContext } from '../context.ts';
import { reply } from '../http/respond.ts';
import { parentHome, studentHome, teacherHome } from './home.ts';
import { today } from '../learning/progress.ts';

export function homeRoutes(ctx: AppContext): Router {
  const router = Router();

  // For monitors and load balancers: 503 while the store refuses writes, so nobody is sent
  // to a server that cannot save answers; 200 again as soon as writes work.
  router.get('/healthz', (_req, res) => {
    const health = ctx.store.health();
    if (health.ok) res.json({ status: 'ok' });
    else res.status(503).json({ status: 'failing', reason: health.reason, since: health.since.toISOString() });
  });

  router.get('/help', async (req, res) => {
    const help = ctx.help.current();
    reply(req, res, 'home/help', { title: 'Get help', help }, { help });
  });

  router.get('/about', async (req, res) => {
    reply(req, res, 'home/about', { title: 'About FrameCheck' }, { about: 'FrameCheck teaches teenagers to recognise the framing that extremist recruiters use online.' });
  });

  router.get('/', async (req, res) => {
    const user = req.user;
    if (!user) return reply(req, res, 'home/landing', { title: 'FrameCheck' }, { user: null });
    if (user.role === 'student') {
      return ctx.pages.send(req, res, `home:${user.id}`, await ctx.versions.studentHome(user.id, today(ctx.now())), async () => {
        const page = await studentHome(ctx, user);
        return { view: 'home/student', locals: { title: 'Your lessons', ...page, user, currentPath: req.path }, json: page.json };
      });
    }
    if (user.role === 'teacher' || user.role === 'admin') {
      // An admin may also teach: their classes, with the way to the school's overview on top.
      const page = await teacherHome(ctx, user);
      const school = user.role === 'admin' && user.schoolId ? await ctx.store.get('schools', user.schoolId) : undefined;
      const admin = school ? { schoolName: school.name, dashboard: '/admin' } : null;
      return reply(req, res, 'home/teacher', { title: 'Your classes', ...page, admin, values: {} }, admin ? { ...page.json, admin } : page.json);
    }
    const page = await parentHome(ctx, user);
    return reply(req, res, 'home/parent', { title: 'Your children', ...page, values: {} }, page.json);
  });

  return router;
}
