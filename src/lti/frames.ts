// Response headers for LTI pages: who may frame a page (the LMS that
// launched it), where a form may post (the LMS's deep-linking return URL),
// and no opener policy on the registration page (its script messages the LMS).
import type { RequestHandler, Response } from 'express';

declare module '../http/sessions.ts' {
  interface SessionData {
    /** origins of the LMS that launched this session: they may show its pages in a frame */
    ltiFrames?: string[];
  }
}

function rewrite(res: Response, directive: string, sources: string): void {
  const policy = String(res.getHeader('Content-Security-Policy') ?? '');
  const pattern = new RegExp(`${directive} [^;]*`);
  res.setHeader('Content-Security-Policy', pattern.test(policy) ? policy.replace(pattern, `${directive} ${sources}`) : `${policy};${directive} ${sources}`);
}

/** Only origins (scheme://host:port) go into a policy: nothing a platform sends can add a directive. */
export function origins(urls: (string | null | undefined)[]): string[] {
  const found = new Set<string>();
  for (const value of urls) {
    if (!value) continue;
    try {
      const url = new URL(value);
      if (url.protocol === 'https:' || url.protocol === 'http:') found.add(url.origin);
    } catch {
      // not a URL: nothing to allow
    }
  }
  return [...found];
}

export function allowFraming(res: Response, frameOrigins: string[]): void {
  if (!frameOrigins.length) return;
  rewrite(res, 'frame-ancestors', ["'self'", ...frameOrigins].join(' '));
  res.removeHeader('X-Frame-Options');
}

export function allowFormPostTo(res: Response, url: string): void {
  const target = new URL(url);
  rewrite(res, 'form-action', `'self' ${target.origin} ${target.origin}${target.pathname}`);
}

/** Pages of a session that an LMS launched may be framed by that LMS; every other page keeps 'none'. */
export const launchedFraming: RequestHandler = (req, res, next) => {
  const frames = req.session?.ltiFrames;
  if (frames?.length) allowFraming(res, frames);
  next();
};
