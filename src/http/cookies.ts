// Reading one cookie from a request, for the two places that need one by
// name: the session cookie (every request) and the LMS launch's state cookie.
import type { Request } from 'express';

/** The value of cookie `name` as sent (still percent-encoded), if the request has it. */
export function rawCookie(req: Request, name: string): string | undefined {
  const header = req.headers.cookie;
  if (!header) return undefined;
  let at = header.indexOf(`${name}=`);
  // A match inside another cookie's name or value (xframecheck.sid=) is not it.
  while (at > 0 && header[at - 1] !== ' ' && header[at - 1] !== ';') at = header.indexOf(`${name}=`, at + 1);
  if (at === -1) return undefined;
  const end = header.indexOf(';', at);
  return header.slice(at + name.length + 1, end === -1 ? undefined : end).trim();
}

/** The decoded value of cookie `name`; one that is not valid percent-encoding counts as absent. */
export function readCookie(req: Request, name: string): string | undefined {
  const raw = rawCookie(req, name);
  if (raw === undefined) return undefined;
  try {
    return decodeURIComponent(raw);
  } catch {
    return undefined;
  }
}
