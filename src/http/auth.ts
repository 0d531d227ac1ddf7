// Who is asking: the signed-in user is loaded once per request, and routes
// state which roles may use them.
import type { RequestHandler } from 'express';
import type { AppContext } from '../context.ts';
import type { Role, User } from '../store/backend.ts';
import { forbidden, unauthorized } from './errors.ts';
import { wantsJson } from './respond.ts';

declare module 'express-serve-static-core' {
  interface Request {
    user?: User;
  }
}

/** Pages a user who must change a reset password can still reach. */
const ALLOWED_BEFORE_NEW_PASSWORD = new Set(['/password', '/logout', '/session', '/help', '/healthz', '/privacy', '/privacy/parents']);

export function loadUser(ctx: AppContext): RequestHandler {
  return async (req, res, next) => {
    const userId = req.session?.userId;
    const found = userId ? await ctx.store.get('users', userId) : undefined;
    // A deactivated account has no session, even one that outlived the deactivation by a moment.
    const user = found?.deactivatedAt ? undefined : found;
    if (user) {
      req.user = user;
      res.locals.user = user;
      if (user.mustChangePassword && !ALLOWED_BEFORE_NEW_PASSWORD.has(req.path)) {
        if (wantsJson(req) || req.method !== 'GET') return next(forbidden('Choose a new password first (POST /password).'));
        return res.redirect(303, '/password');
      }
    }
    next();
  };
}

export function requireUser(...roles: Role[]): RequestHandler {
  return (req, _res, next) => {
    if (!req.user) return next(unauthorized());
    if (roles.length && !roles.includes(req.user.role)) return next(forbidden(`Only ${roles.join(' or ')} accounts can do this.`));
    next();
  };
}

/** The signed-in user; only call behind requireUser. */
export function currentUser(req: { user?: User }): User {
  if (!req.user) throw unauthorized();
  return req.user;
}
