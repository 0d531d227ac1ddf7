// One route, two renderings: HTML by default, JSON on Accept: application/json.
import type { Request, Response } from 'express';
import { csrfTokenWhenPrinted } from './csrf.ts';

/**
 * Answers by Accept header. Content negotiation parses the header on every
 * request, and browsers and scripts send a handful of distinct headers: the
 * answer for each is kept (a bounded number of them; an unusual header is
 * negotiated every time once the table is full).
 */
const JSON_BY_ACCEPT = new Map<string | undefined, boolean>();
const ACCEPT_HEADERS_KEPT = 200;

export function wantsJson(req: Request): boolean {
  const accept = req.headers.accept;
  let json = JSON_BY_ACCEPT.get(accept);
  if (json === undefined) {
    json = req.accepts(['html', 'json']) === 'json';
    if (JSON_BY_ACCEPT.size < ACCEPT_HEADERS_KEPT && (accept === undefined || accept.length <= 512)) JSON_BY_ACCEPT.set(accept, json);
  }
  return json;
}

/** Renders `view` for people and sends `json` to scripts, with the same status. */
export function reply(req: Request, res: Response, view: string, locals: Record<string, unknown>, json: unknown, status = 200): void {
  if (wantsJson(req)) {
    res.status(status).json(json);
    return;
  }
  res.status(status).render(view, { ...locals, csrfToken: csrfTokenWhenPrinted(req) });
}

/** After a write: 201 with JSON for scripts, a 303 redirect for forms. */
export function afterWrite(req: Request, res: Response, json: unknown, redirectTo: string, status = 201): void {
  if (wantsJson(req)) res.status(status).json(json);
  else res.redirect(303, redirectTo);
}

/** Sets the form page that a 4xx from this handler re-renders, with the error tied to its field. */
export function formPage(res: Response, view: string, locals: Record<string, unknown> = {}): void {
  res.locals.form = { view, locals };
}

/**
 * For every page and file the routes make: nothing is kept by a browser or
 * a proxy (pages show names, scores, temporary passwords and CSRF tokens;
 * a shared school computer must not show them from its cache), and caches
 * are told that one URL answers HTML or JSON depending on Accept.
 */
export function privateResponses(_req: Request, res: Response, next: () => void): void {
  // Set directly: nothing before this sets Vary, and res.set/res.vary parse and merge on every request.
  res.setHeader('Cache-Control', 'no-store');
  res.setHeader('Vary', 'Accept');
  next();
}
