// CSRF protection (synchroniser token kept in the session): forms send the
// hidden `_csrf` field, scripts the X-CSRF-Token header.
import type { Request } from 'express';
import { csrfSync } from 'csrf-sync';

export const csrf = csrfSync({
  getTokenFromRequest: (req) => {
    const fromBody = (req.body as Record<string, unknown> | undefined)?._csrf;
    if (typeof fromBody === 'string') return fromBody;
    const fromHeader = req.headers['x-csrf-token'];
    return typeof fromHeader === 'string' ? fromHeader : undefined;
  },
});

/**
 * The request's CSRF token for a page, made only if the page prints it.
 * Making a token stores it in the session, and that creates a stored
 * session for a visitor without one: so only a page with a form (login,
 * sign-up) creates one, while other pages, 404s and crawlers write nothing.
 */
export function csrfTokenWhenPrinted(req: Request): { toString(): string } {
  let token: string | undefined;
  return { toString: () => (token ??= req.csrfToken?.() ?? '') };
}
