// helmet's security headers, worked out once. With no per-request
// directives (no nonces), helmet sets the same headers on every response,
// but through a chain of a dozen middlewares: about a tenth of a bare
// request's cost. helmet still decides what the headers are; this runs it
// once against a recording response and replays what it set.
import type { RequestHandler } from 'express';
import helmet, { type HelmetOptions } from 'helmet';

export function securityHeaders(options: HelmetOptions): RequestHandler {
  const headers = new Map<string, string | number | readonly string[]>();
  const recorder = {
    setHeader: (name: string, value: string | number | readonly string[]) => headers.set(name.toLowerCase(), value),
    removeHeader: (name: string) => headers.delete(name.toLowerCase()),
    getHeader: (name: string) => headers.get(name.toLowerCase()),
  };
  let finished = false;
  helmet(options)({} as never, recorder as never, (error?: unknown) => {
    if (error) throw error;
    finished = true;
  });
  // helmet runs synchronously; if a future version did not, replaying would be wrong.
  if (!finished) throw new Error('helmet did not set its headers synchronously');
  const recorded = [...headers];
  return (_req, res, next) => {
    for (const [name, value] of recorded) res.setHeader(name, value);
    next();
  };
}
