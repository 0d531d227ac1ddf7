// Roster import for a school's admin: the upload form, the dry run and the
// import (one route), the result, and the login slips.
import express, { Router, type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import multer from 'multer';
import type { AppContext } from '../context.ts';
import { currentUser, requireUser } from '../http/auth.ts';
import { HttpError, badRequest, invalid, notFound, unauthorized } from '../http/errors.ts';
import { authorize } from '../http/policy.ts';
import { managedSchool } from '../http/school.ts';
import { formPage, reply, wantsJson } from '../http/respond.ts';
import type { RosterBatch } from '../store/backend.ts';
import { importRoster } from './apply.ts';
import { isZip, oneRosterRows, rowsAsCsv } from './oneroster.ts';
import { decodeUpload, MAX_ROWS, parseRoster, type ParsedRoster } from './parse.ts';
import { planRoster } from './plan.ts';
import { batchClasses, presentBatch, presentPlan, presentSlips, slipsPath } from './presenters.ts';
import { dropSlipPasswords, passwordsExpired, SLIP_PASSWORD_HOURS } from './slips.ts';

export const UPLOAD_PATH = '/admin/roster';
/** 2000 rows of long names are well under this. */
const MAX_UPLOAD_BYTES = 1024 * 1024;

const SAMPLE_CSV = ['class,username,displayName', '8B,amira.h,Amira H', '8B,jonas.k,Jonas', '9C,li.wei,Li W'].join('\n');

const upload = multer({
  storage: multer.memoryStorage(),
  // The file, plus the few text fields of the forms (_csrf, dryRun, and the checked file sent back as text).
  limits: { fileSize: MAX_UPLOAD_BYTES, files: 1, fields: 4, fieldSize: MAX_UPLOAD_BYTES, parts: 6 },
}).single('file');
const rawBody = express.raw({ type: ['text/csv', 'application/zip'], limit: MAX_UPLOAD_BYTES });

/**
 * Reads a roster upload's body, mounted before the CSRF check: a browser's
 * file upload carries its `_csrf` field inside the multipart body, which must
 * be read for the check to find it. Only this path, only POST, and only for a
 * signed-in session; the route itself still asks the policy.
 */
export function rosterBodyParsers(): RequestHandler {
  return (req, res, next) => {
    // Routes match without regard to case or a trailing slash; so does this.
    const path = req.path.toLowerCase().replace(/\/$/, '');
    if (req.method !== 'POST' || path !== UPLOAD_PATH || !req.session?.userId) return next();
    if (req.is(['text/csv', 'application/zip'])) return rawBody(req, res, next);
    if (!req.is('multipart/form-data')) return next();
    upload(req, res, (error: unknown) => next(error instanceof multer.MulterError ? uploadProblem(error) : error));
  };
}

function uploadProblem(error: multer.MulterError): HttpError {
  if (error.code === 'LIMIT_FILE_SIZE' || error.code === 'LIMIT_FIELD_VALUE') return new HttpError(413, 'The file is too large: at most 1 MB. Split it into smaller files.', 'file');
  if (error.code === 'LIMIT_UNEXPECTED_FILE') return badRequest('Send the CSV file in the form field "file", and only one file.', 'file');
  return badRequest('The upload could not be read. Choose the file again and send the form once more.', 'file');
}

/**
 * The roster sent: a file field (a CSV, or a OneRoster 1.2 zip), a text/csv
 * or application/zip body, or the `csv` field (the checked file, sent back
 * by the preview's Import button). `text` is what that button sends back.
 */
function uploadedRoster(req: Request): { text: string; parsed: ParsedRoster } {
  const bytes = req.file?.buffer ?? (Buffer.isBuffer(req.body) ? req.body : undefined);
  if (bytes && isZip(bytes)) {
    const parsed = oneRosterRows(bytes);
    return { text: rowsAsCsv(parsed.rows), parsed };
  }
  const sent = (req.body as Record<string, unknown> | undefined)?.csv;
  const text = bytes ? decodeUpload(bytes) : typeof sent === 'string' && sent.trim() ? sent : null;
  if (text === null) throw invalid('Choose a CSV file to upload.', 'file');
  return { text, parsed: parseRoster(text) };
}

function isDryRun(req: Request): boolean {
  const body = Buffer.isBuffer(req.body) ? undefined : (req.body as Record<string, unknown> | undefined)?.dryRun;
  return ['1', 'true', 'on'].includes(String(body ?? req.query.dryRun ?? ''));
}


interface Loaded {
  batch: RosterBatch;
}
const loaded = (res: Response) => res.locals as unknown as Loaded;

export function rosterRoutes(ctx: AppContext): Router {
  const router = Router();
  const signedIn = requireUser();

  // ------------------------------------------------------------ the route table
  router.get(UPLOAD_PATH, signedIn, showForm);
  router.post(UPLOAD_PATH, signedIn, importFile);
  router.get('/admin/roster/:batchId', signedIn, showResult);
  router.get('/admin/roster/:batchId/slips', signedIn, showSlips);
  router.post('/admin/roster/:batchId/printed', signedIn, markPrinted);

  // ------------------------------------------------------------ load steps
  router.param('batchId', async (req: Request, res: Response, next: NextFunction, batchId: string) => {
    if (!req.user) return next(unauthorized());
    const batch = await ctx.store.get('rosterBatches', batchId);
    if (!batch) throw notFound();
    authorize(req.user, 'school.manage', { kind: 'school', schoolId: batch.schoolId });
    // Past their time, the passwords go now, even if the hourly housekeeping has not come round yet.
    loaded(res).batch = passwordsExpired(batch, ctx.now()) ? await dropSlipPasswords(ctx.store, batch, 'expired', ctx.now()) : batch;
    next();
  });

  // ------------------------------------------------------------ handlers
  const formLocals = { title: 'Import a roster', sample: SAMPLE_CSV, maxRows: MAX_ROWS, hours: SLIP_PASSWORD_HOURS };

  async function showForm(req: Request, res: Response) {
    managedSchool(req);
    reply(req, res, 'admin/roster', formLocals, { columns: ['class', 'username', 'displayName', 'teacher'], maxRows: MAX_ROWS, sample: SAMPLE_CSV });
  }

  async function importFile(req: Request, res: Response) {
    const schoolId = managedSchool(req);
    const admin = currentUser(req);
    formPage(res, 'admin/roster', formLocals);
    const { text, parsed } = uploadedRoster(req);
    const dryRun = isDryRun(req);
    if (dryRun || parsed.errors.length) {
      const plan = parsed.rows.length ? await planRoster(ctx, admin, schoolId, parsed.rows) : null;
      const errors = [...parsed.errors, ...(plan?.errors ?? [])].sort((a, b) => a.line - b.line);
      return answerPreview(req, res, presentPlan(plan, errors), text, dryRun);
    }
    const { plan, batch } = await importRoster(ctx, admin, schoolId, parsed.rows);
    if (!batch) return answerPreview(req, res, presentPlan(plan, plan.errors), text, false);
    if (wantsJson(req)) {
      res.status(200).json({ created: batch.created, existing: batch.existing, classesCreated: batch.classesCreated, errors: [], slips: slipsPath(batch), batch: presentBatch(batch) });
    } else res.redirect(303, `/admin/roster/${batch.id}`);
  }

  /** The dry run's preview (200), or the refused import with its errors (422): nothing written either way. */
  function answerPreview(req: Request, res: Response, preview: ReturnType<typeof presentPlan>, text: string, dryRun: boolean) {
    const status = dryRun ? 200 : 422;
    const json = {
      ...(dryRun ? { dryRun: true } : { error: { message: `${preview.errors.length} problem${preview.errors.length === 1 ? '' : 's'} in the file: nothing was imported.`, field: 'file' } }),
      created: dryRun ? preview.created : 0,
      existing: dryRun ? preview.existing : 0,
      classesCreated: dryRun ? preview.classesCreated : 0,
      errors: preview.errors,
      slips: null,
      ...(dryRun ? { classes: preview.classes } : {}),
    };
    reply(req, res, 'admin/roster-preview', { title: dryRun ? 'Check the roster' : 'The roster was not imported', preview, dryRun, csv: text }, json, status);
  }

  async function showResult(req: Request, res: Response) {
    const { batch } = loaded(res);
    const classes = await batchClasses(ctx, batch);
    reply(req, res, 'admin/roster-result', { title: 'Roster imported', batch: presentBatch(batch), classes }, { batch: presentBatch(batch), classes });
  }

  async function showSlips(req: Request, res: Response) {
    const { batch } = loaded(res);
    const [slips, classes] = await Promise.all([presentSlips(ctx, batch), batchClasses(ctx, batch)]);
    const site = `${req.protocol}://${req.get('host') ?? 'localhost'}`;
    reply(req, res, 'admin/roster-slips', { title: 'Login slips', batch: presentBatch(batch), slips, classes, site }, { batch: presentBatch(batch), site, slips });
  }

  async function markPrinted(req: Request, res: Response) {
    const batch = await dropSlipPasswords(ctx.store, loaded(res).batch, 'printed', ctx.now());
    if (wantsJson(req)) res.json({ batch: presentBatch(batch) });
    else res.redirect(303, slipsPath(batch));
  }

  return router;
}
