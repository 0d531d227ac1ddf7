// Named errors and the one error handler: JSON clients get
// {"error": {"message", "field"}}; people get a page (or their form again,
// with the message tied to the field).
import type { ErrorRequestHandler, RequestHandler } from 'express';
import { csrfTokenWhenPrinted } from './csrf.ts';
import { wantsJson } from './respond.ts';

export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly field?: string,
    /** seconds before a rate-limited request may be tried again (sent as Retry-After) */
    readonly retryAfter?: number,
  ) {
    super(message);
  }
}

export const badRequest = (message: string, field?: string) => new HttpError(400, message, field);
export const unauthorized = () => new HttpError(401, 'Please log in first.');
export const forbidden = (message = 'Your account cannot do this.') => new HttpError(403, message);
export const notFound = (message = 'We could not find that page.') => new HttpError(404, message);
export const conflict = (message: string, field?: string) => new HttpError(409, message, field);
export const invalid = (message: string, field?: string) => new HttpError(422, message, field);

export const notFoundHandler: RequestHandler = (_req, _res, next) => next(notFound());

/** Turns errors thrown by middleware (body parser, CSRF) into HttpErrors. */
function toHttpError(error: unknown): HttpError | null {
  if (error instanceof HttpError) return error;
  const e = error as { type?: string; code?: string; status?: number; message?: string };
  if (e?.type === 'entity.parse.failed') return badRequest('The request body is not valid JSON.');
  if (e?.type === 'entity.too.large') return new HttpError(413, 'The request body is too large.');
  if (e?.type === 'encoding.unsupported' || e?.type === 'charset.unsupported') return new HttpError(415, 'Unsupported body encoding.');
  if (e?.code === 'EBADCSRFTOKEN') {
    return new HttpError(403, 'This form has expired or did not come from FrameCheck. Please go back, reload the page and try again.', '_csrf');
  }
  if (typeof e?.status === 'number' && e.status >= 400 && e.status < 500) return new HttpError(e.status, e.message ?? 'Bad request');
  // The store refusing a write (a full disk): temporary, already logged once by the store, and its message is for people.
  if (e?.status === 503 && (e as { expose?: boolean }).expose) return new HttpError(503, e.message ?? 'Service unavailable');
  return null;
}

export function errorHandler(): ErrorRequestHandler {
  return (error, req, res, next) => {
    if (res.headersSent) return next(error);
    let httpError = toHttpError(error);
    if (!httpError) {
      console.error(error);
      httpError = new HttpError(500, 'Something went wrong on our side. Your last action may not have been saved.');
    }
    const { status, message, field, retryAfter } = httpError;
    if (retryAfter) res.set('Retry-After', String(retryAfter));
    const json = () => res.status(status).json({ error: { message, ...(field ? { field } : {}), ...(retryAfter ? { retryAfter } : {}) } });
    if (wantsJson(req)) {
      json();
      return;
    }
    const form = res.locals.form as { view: string; locals?: Record<string, unknown> } | undefined;
    if (form && (status === 400 || status === 409 || status === 422 || status === 429 || status === 401)) {
      res.status(status).render(form.view, {
        ...form.locals,
        error: { message, field },
        values: withoutSecrets(req.body),
        csrfToken: csrfTokenWhenPrinted(req),
      });
      return;
    }
    if (status === 401) {
      const next = req.method === 'GET' ? `?next=${encodeURIComponent(req.originalUrl)}` : '';
      res.redirect(303, `/login${next}`);
      return;
    }
    res.status(status).render('error', { title: titleFor(status), message, csrfToken: csrfTokenWhenPrinted(req) });
  };
}

function withoutSecrets(body: unknown): Record<string, unknown> {
  if (!body || typeof body !== 'object') return {};
  const { password: _p, newPassword: _n, _csrf: _c, ...rest } = body as Record<string, unknown>;
  return rest;
}

function titleFor(status: number): string {
  if (status === 403) return 'Not allowed';
  if (status === 404) return 'Not found';
  if (status === 429) return 'Too many tries';
  if (status === 503) return 'Not saved';
  if (status >= 500) return 'Something went wrong';
  return 'Something is not right';
}
