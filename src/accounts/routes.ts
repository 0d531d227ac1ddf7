import { Router } from 'express';
import { z } from 'zod';
import type { AppContext } from '../context.ts';
import { currentUser, requireUser } from '../http/auth.ts';
import { csrf } from '../http/csrf.ts';
import { afterWrite, formPage, reply, wantsJson } from '../http/respond.ts';
import { startSession } from './sign-in.ts';
import { SESSION_COOKIE } from '../http/sessions.ts';
import { atMost, parseBody, requiredText, text, usernameText } from '../http/validate.ts';
import { requesterOf } from './throttles.ts';
import { changePassword, logIn, presentUser, resetNotice, signUp } from './accounts.ts';

export const username = usernameText();

const signupSchema = z.object({
  role: z.enum(['teacher', 'student', 'parent'], { error: 'choose teacher, student or parent' }),
  username,
  password: text().max(200, atMost(200)),
  displayName: requiredText(60),
  classCode: text().trim().max(20, atMost(20)).optional().transform((code) => code || undefined),
  invite: text().trim().max(40, atMost(40)).optional().transform((code) => code || undefined),
});

const loginSchema = z.object({
  username: text().trim().min(1, 'must not be empty').max(64, atMost(64)),
  password: text().min(1, 'must not be empty').max(200, atMost(200)),
});

const passwordSchema = z.object({
  password: text().max(200, atMost(200)).optional(),
  newPassword: text().max(200, atMost(200)),
});

/** Only local paths, so a crafted link cannot send someone elsewhere after login. */
function safeNext(value: unknown): string {
  return typeof value === 'string' && /^\/(?!\/)[^\\]*$/.test(value) ? value : '/';
}

export function accountRoutes(ctx: AppContext): Router {
  const router = Router();

  router.get('/session', (req, res) => {
    res.json({ user: req.user ? presentUser(req.user) : null, csrfToken: csrf.generateToken(req) });
  });

  router.get('/signup', (req, res) => {
    const role = ['teacher', 'student', 'parent'].includes(String(req.query.role)) ? String(req.query.role) : 'student';
    reply(req, res, 'accounts/signup', { title: 'Create an account', values: { role, classCode: req.query.code ?? '', invite: req.query.invite ?? '' } }, { roles: ['teacher', 'student', 'parent'] });
  });

  router.post('/signup', async (req, res) => {
    formPage(res, 'accounts/signup', { title: 'Create an account' });
    const input = parseBody(signupSchema, req);
    const user = await signUp(ctx, input, requesterOf(req));
    const csrfToken = await startSession(req, user);
    afterWrite(req, res, { user: presentUser(user), csrfToken }, '/');
  });

  router.get('/login', (req, res) => {
    reply(req, res, 'accounts/login', { title: 'Log in', next: safeNext(req.query.next), values: {} }, { user: null });
  });

  router.post('/login', async (req, res) => {
    const next = safeNext(req.body?.next ?? req.query.next);
    formPage(res, 'accounts/login', { title: 'Log in', next });
    const input = parseBody(loginSchema, req);
    const user = await logIn(ctx, input.username, input.password, requesterOf(req).address);
    const csrfToken = await startSession(req, user);
    if (wantsJson(req)) {
      const passwordReset = await resetNotice(ctx, user);
      res.json({ user: presentUser(user), csrfToken, ...(passwordReset ? { passwordReset } : {}) });
      return;
    }
    res.redirect(303, user.mustChangePassword ? '/password' : next);
  });

  router.post('/logout', requireUser(), async (req, res) => {
    await req.session.destroy();
    res.clearCookie(SESSION_COOKIE);
    if (wantsJson(req)) res.json({ ok: true });
    else res.redirect(303, '/');
  });

  router.get('/password', requireUser(), async (req, res) => {
    const user = currentUser(req);
    const resetBy = await resetNotice(ctx, user);
    reply(req, res, 'accounts/password', { title: 'Choose a new password', forced: user.mustChangePassword, resetBy, values: {} }, { mustChangePassword: user.mustChangePassword, passwordReset: resetBy });
  });

  router.post('/password', requireUser(), async (req, res) => {
    const user = currentUser(req);
    formPage(res, 'accounts/password', { title: 'Choose a new password', forced: user.mustChangePassword, resetBy: await resetNotice(ctx, user) });
    const input = parseBody(passwordSchema, req);
    await changePassword(ctx, user, { current: input.password, next: input.newPassword, keepSession: req.sessionID ?? '', address: requesterOf(req).address });
    afterWrite(req, res, { ok: true }, '/', 200);
  });

  return router;
}
