// Signing someone in: one place for the login, the signup and the school setup.
import type { Request } from 'express';
import { csrf } from '../http/csrf.ts';
import { SIGNED_IN_AGE_MS } from '../http/sessions.ts';
import type { User } from '../store/backend.ts';

/** A new session id at every sign-in (no fixation), with a fresh CSRF token. */
export async function startSession(req: Request, user: User): Promise<string> {
  await new Promise<void>((resolve, reject) => req.session.regenerate((error) => (error ? reject(error) : resolve())));
  req.session.userId = user.id;
  req.session.cookie.maxAge = SIGNED_IN_AGE_MS;
  const token = csrf.generateToken(req, true);
  await new Promise<void>((resolve, reject) => req.session.save((error) => (error ? reject(error) : resolve())));
  return token;
}
