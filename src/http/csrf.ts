// CSRF protection (synchroniser token kept in the session): forms send the
// hidden `_csrf` field, scripts the X-CSRF-Token header.
import { csrfSync } from 'csrf-sync';

export const csrf = csrfSync({
  getTokenFromRequest: (req) => {
    const fromBody = (req.body as Record<string, unknown> | undefined)?._csrf;
    if (typeof fromBody === 'string') return fromBody;
    const fromHeader = req.headers['x-csrf-token'];
    return typeof fromHeader === 'string' ? fromHeader : undefined;
  },
});
