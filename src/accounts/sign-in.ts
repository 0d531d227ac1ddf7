// Signing someone in: one place for the login, the signup and the school setup.
import type { Request } from 'express';
import { csrf } from '../http/csrf.ts';
import { SIGNED_IN_AGE_MS } from '../http/sessions.ts';
import type { User } from '../store/backend.ts';

/** A new session id at every sign-in (no fixation), with a fresh CSRF token. */
export async function startSession(req: Request, user: User): Promise<string> {
  await req.session.regenerate();
  req.session.userId = user.id;
  req.session.cookie.maxAge = SIGNED_IN_AGE_MS;
  const token = csrf.generateToken(req, true);
  await req.session.save();
  return token;
}
