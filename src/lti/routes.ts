// LMS connection routes (LTI 1.3 Advantage). Route table first; the
// handlers below are thin and call the modules of src/lti/.
import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import type { AppContext } from '../context.ts';
import { currentUser, requireUser } from '../http/auth.ts';
import { csrf, csrfTokenWhenPrinted } from '../http/csrf.ts';
import { badRequest, invalid } from '../http/errors.ts';
import { authorize } from '../http/policy.ts';
import { afterWrite, formPage, reply, wantsJson } from '../http/respond.ts';
import { readCookie } from '../http/cookies.ts';
import { SIGNED_IN_AGE_MS } from '../http/sessions.ts';
import { parseBody, requiredText, text } from '../http/validate.ts';
import { loaded, loadClass, loadStudentOfClass, mayManageClass } from '../http/load.ts';
import type { User } from '../store/backend.ts';
import { platformUrl, toolUrl } from './addresses.ts';
import { deepLinkingResponse, launchReference, readReference } from './deep-linking.ts';
import { allowFormPostTo, allowFraming, origins } from './frames.ts';
import { publishedKeys } from './keys.ts';
import { CLAIM, LaunchRefused, startLogin, STATE_COOKIE, validateLaunch } from './launch.ts';
import { retryNow } from './outbox.ts';
import { addPlatform, createRegistration, disconnectPlatform, platformOfSchool, platformsOfSchool, presentPlatform, REGISTRATION_DAYS } from './platforms.ts';
import { classForLaunch, lessonOfLaunch, recordResourceLink, roleFromClaims, userForLaunch } from './provisioning.ts';
import { completeRegistration, type ToolUrls } from './registration.ts';
import { importRoster } from './roster.ts';
import { cartridgeFiles, zip } from './cartridge.ts';

/** Cross-site by nature: protected by state, nonce and the signed id_token instead of a CSRF token. */
export const CROSS_SITE_PATHS = new Set(['/lti/login', '/lti/launch']);

const httpsUrl = (field: string) =>
  text().refine((value) => platformUrl(value) !== null, `${field} must be an https:// address (http:// only on this computer's own address)`);

const platformSchema = z.object({
  name: text().max(80).optional(),
  issuer: httpsUrl('issuer'),
  clientId: requiredText(255),
  authUrl: httpsUrl('authUrl'),
  tokenUrl: httpsUrl('tokenUrl'),
  jwksUrl: httpsUrl('jwksUrl'),
  deploymentId: requiredText(255),
});
const registrationSchema = z.object({ name: text().max(80).optional() });

function schoolOf(user: User) {
  return { kind: 'school' as const, schoolId: user.schoolId ?? '' };
}

function urls(ctx: AppContext, req: Request): ToolUrls {
  const at = (path: string) => toolUrl(ctx.config, req, path);
  return { base: at(''), login: at('/lti/login'), launch: at('/lti/launch'), jwks: at('/lti/jwks'), deepLink: at('/lti/launch') };
}

export function ltiRoutes(ctx: AppContext): Router {
  const router = Router();
  const signedIn = requireUser();
  const teacher = requireUser('teacher', 'admin');

  router.param('classId', loadClass(ctx));
  router.param('studentId', loadStudentOfClass(ctx));
  router.get('/lti/jwks', jwks);
  router.get('/lti/cartridge.imscc', requireUser('teacher', 'admin'), cartridge);
  router.get('/lti/platforms', signedIn, listPlatforms);
  router.post('/lti/platforms', signedIn, registerPlatform);
  router.post('/lti/platforms/:platformId/disconnect', signedIn, disconnect);
  router.post('/lti/registrations', signedIn, makeRegistration);
  router.get('/lti/register', register);
  router.get('/lti/login', login);
  router.post('/lti/login', login);
  router.post('/lti/launch', launch);
  router.get('/lti/deep-link', teacher, picker);
  router.post('/lti/deep-link', teacher, deepLink);
  router.post('/classes/:classId/lti/roster', teacher, roster);
  router.post('/classes/:classId/students/:studentId/lti-retry', teacher, retry);
  return router;

  async function jwks(_req: Request, res: Response) {
    res.set('Cache-Control', 'public, max-age=300');
    res.json(await publishedKeys(ctx.store, ctx.now()));
  }

  function cartridge(req: Request, res: Response) {
    res.type('application/zip');
    res.attachment('framecheck.imscc');
    res.send(zip(cartridgeFiles(ctx.catalog, toolUrl(ctx.config, req, ''))));
  }

  async function platformsPage(user: User, req: Request) {
    const platforms = await platformsOfSchool(ctx, user.schoolId ?? '');
    return { title: 'LMS connections', platforms: platforms.map(presentPlatform), jwksUrl: toolUrl(ctx.config, req, '/lti/jwks'), urls: urls(ctx, req), registration: null };
  }

  async function listPlatforms(req: Request, res: Response) {
    const user = currentUser(req);
    authorize(user, 'school.lms', schoolOf(user));
    const page = await platformsPage(user, req);
    reply(req, res, 'lti/platforms', page, { platforms: page.platforms });
  }

  async function registerPlatform(req: Request, res: Response) {
    const user = currentUser(req);
    authorize(user, 'school.lms', schoolOf(user));
    formPage(res, 'lti/platforms', await platformsPage(user, req));
    const input = parseBody(platformSchema, req);
    const platform = await addPlatform(ctx, user, user.schoolId!, {
      name: input.name?.trim() || new URL(input.issuer).host,
      issuer: input.issuer,
      clientId: input.clientId,
      authUrl: input.authUrl,
      tokenUrl: input.tokenUrl,
      jwksUrl: input.jwksUrl,
      deploymentIds: [input.deploymentId],
    });
    afterWrite(req, res, { platform: presentPlatform(platform) }, '/lti/platforms');
  }

  async function disconnect(req: Request, res: Response) {
    const user = currentUser(req);
    authorize(user, 'school.lms', schoolOf(user));
    const platform = await platformOfSchool(ctx, user.schoolId!, String(req.params.platformId));
    await disconnectPlatform(ctx, user, platform);
    ctx.lti.tokens.forget(platform);
    afterWrite(req, res, { disconnected: platform.id }, '/lti/platforms', 200);
  }

  async function makeRegistration(req: Request, res: Response) {
    const user = currentUser(req);
    authorize(user, 'school.lms', schoolOf(user));
    const { name } = parseBody(registrationSchema, req);
    const made = await createRegistration(ctx, user, user.schoolId!, name?.trim() ?? '');
    const url = toolUrl(ctx.config, req, `/lti/register?token=${made.token}`);
    const registration = { id: made.id, url, expiresAt: made.expiresAt };
    // Shown once: the page with the URL, not a redirect.
    reply(req, res, 'lti/platforms', { ...(await platformsPage(user, req)), registration, registrationDays: REGISTRATION_DAYS }, { registration }, 201);
  }

  async function register(req: Request, res: Response) {
    const configUrl = typeof req.query.openid_configuration === 'string' ? req.query.openid_configuration : '';
    // The LMS shows this page in a frame or a window it opened: let it frame us, and keep the opener.
    allowFraming(res, origins([configUrl]));
    res.removeHeader('Cross-Origin-Opener-Policy');
    try {
      const platform = await completeRegistration(ctx, String(req.query.token ?? ''), configUrl, typeof req.query.registration_token === 'string' ? req.query.registration_token : '', urls(ctx, req));
      reply(req, res, 'lti/registered', { title: 'FrameCheck is connected', platform }, { platform: presentPlatform(platform) });
    } catch (error) {
      if (!(error instanceof Error) || !('status' in error)) throw error;
      reply(req, res, 'lti/refused', { title: 'The connection did not work', message: error.message, retryUrl: null }, { error: { message: error.message } }, 400);
    }
  }

  async function login(req: Request, res: Response) {
    const input = req.method === 'POST' ? (req.body ?? {}) : req.query;
    try {
      const { redirect, browserKey } = await startLogin(ctx, input, toolUrl(ctx.config, req, '/lti/launch'));
      // SameSite=None lets the cookie come back with the LMS's cross-site form post; it needs HTTPS.
      res.cookie(STATE_COOKIE, browserKey, { httpOnly: true, secure: req.secure, sameSite: req.secure ? 'none' : 'lax', maxAge: 10 * 60_000, path: '/lti/' });
      res.redirect(302, redirect);
    } catch (error) {
      if (error instanceof LaunchRefused) return refuse(req, res, error);
      throw error;
    }
  }

  async function launch(req: Request, res: Response) {
    try {
      const valid = await validateLaunch(ctx, ctx.lti.platformKeys, req.body ?? {}, readCookie(req, STATE_COOKIE));
      const role = roleFromClaims(valid.claims[CLAIM.roles]);
      if (!role) throw new LaunchRefused('FrameCheck works for learners and instructors; this launch has neither role.');
      const nrps = valid.claims[CLAIM.nrps] as { context_memberships_url?: unknown } | undefined;
      const membershipsUrl = platformUrl(nrps?.context_memberships_url)?.href ?? null;
      const user = await userForLaunch(ctx, valid.platform, valid.sub, role, { name: valid.claims.name, given_name: valid.claims.given_name });
      const record = await classForLaunch(ctx, valid, user, membershipsUrl);
      let destination = record && role === 'teacher' ? `/classes/${record.id}` : '/';
      let deepLinkReference: string | null = null;
      if (valid.messageType === 'LtiDeepLinkingRequest') {
        if (role !== 'teacher') throw new LaunchRefused('Only instructors can add FrameCheck lessons to a course.');
        deepLinkReference = await launchReference(ctx, valid, user);
        destination = '/lti/deep-link';
      } else {
        const lessonId = lessonOfLaunch(ctx, valid.claims);
        if (lessonId && record) await recordResourceLink(ctx, valid, record, lessonId);
        if (lessonId) destination = role === 'student' || !record ? `/lessons/${lessonId}` : `/classes/${record.id}/lessons/${lessonId}`;
      }
      const presentation = valid.claims[CLAIM.presentation] as { return_url?: unknown } | undefined;
      const settings = valid.claims[CLAIM.deepLinking] as { deep_link_return_url?: unknown } | undefined;
      const frames = origins([valid.platform.issuer, valid.platform.authUrl, String(presentation?.return_url ?? ''), String(settings?.deep_link_return_url ?? '')]);
      await startLtiSession(req, user, frames, deepLinkReference);
      // The state cookie is left to expire: a replayed launch from this browser then meets the used nonce.
      res.redirect(303, destination);
    } catch (error) {
      if (error instanceof LaunchRefused) return refuse(req, res, error);
      throw error;
    }
  }

  async function picker(req: Request, res: Response) {
    const user = currentUser(req);
    const reference = req.session.ltiDeepLink;
    if (!reference) throw badRequest('Open the lesson picker from your LMS (add an activity, then choose FrameCheck).');
    await readReference(ctx, reference, user);
    reply(req, res, 'lti/picker', { title: 'Choose lessons for your course', lessons: ctx.catalog.lessons, launch: reference, values: {} }, {
      launch: reference,
      lessons: ctx.catalog.lessons.map((lesson) => ({ id: lesson.id, title: lesson.title, order: lesson.order })),
    });
  }

  async function deepLink(req: Request, res: Response) {
    const user = currentUser(req);
    const body = (req.body ?? {}) as Record<string, unknown>;
    formPage(res, 'lti/picker', { title: 'Choose lessons for your course', lessons: ctx.catalog.lessons, launch: typeof body.launch === 'string' ? body.launch : '' });
    const reference = await readReference(ctx, body.launch, user);
    const raw = body.lessonIds;
    const lessonIds = (Array.isArray(raw) ? raw : raw === undefined ? [] : [raw]).map(String);
    if (!lessonIds.length) throw invalid('Choose at least one lesson.', 'lessonIds');
    const response = await deepLinkingResponse(ctx, reference, [...new Set(lessonIds)], (lessonId) => toolUrl(ctx.config, req, `/lessons/${lessonId}`));
    allowFormPostTo(res, response.returnUrl);
    res.status(200).render('lti/autopost', { title: 'Sending the lessons to your LMS', ...response, csrfToken: csrfTokenWhenPrinted(req) });
  }

  async function roster(req: Request, res: Response) {
    mayManageClass(req, res);
    const record = loaded(res).classRecord;
    const result = await importRoster(ctx, record);
    afterWrite(req, res, result, `/classes/${record.id}`, 200);
  }

  async function retry(req: Request, res: Response) {
    mayManageClass(req, res);
    const { classRecord: record, student } = loaded(res);
    const queued = await retryNow(ctx, record.id, student.id);
    ctx.lti.outbox.poke();
    afterWrite(req, res, { retrying: queued }, `/classes/${record.id}#lms-scores`, 200);
  }

  function refuse(req: Request, res: Response, error: LaunchRefused) {
    const retryUrl = error.retryLogin ? `/lti/login?${new URLSearchParams(error.retryLogin).toString()}` : null;
    if (wantsJson(req)) return res.status(error.status).json({ error: { message: error.message, ...(retryUrl ? { retryUrl } : {}) } });
    res.status(error.status).render('lti/refused', { title: error.status === 401 ? 'FrameCheck could not sign you in' : 'FrameCheck cannot start this', message: error.message, retryUrl, csrfToken: '' });
  }
}

declare module '../http/sessions.ts' {
  interface SessionData {
    /** the signed reference to the deep-linking launch this session came from */
    ltiDeepLink?: string;
  }
}

/** A new session id at every launch (no fixation), as password login does. */
async function startLtiSession(req: Request, user: User, frames: string[], deepLink: string | null): Promise<void> {
  await req.session.regenerate();
  req.session.userId = user.id;
  req.session.ltiFrames = frames;
  if (deepLink) req.session.ltiDeepLink = deepLink;
  req.session.cookie.maxAge = SIGNED_IN_AGE_MS;
  // Inside the LMS's frame the session cookie is a third-party cookie: SameSite=None (which needs HTTPS).
  if (req.secure) {
    req.session.cookie.sameSite = 'none';
    req.session.cookie.secure = true;
  }
  csrf.generateToken(req, true);
  await req.session.save();
}

