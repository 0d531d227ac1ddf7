// Schools: the setup of a school and its admin, and invitations
// (http-contract.md, "Schools, admins and invitations"). Handlers stay thin;
// the work is in schools.ts.
import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import type { AppContext } from '../context.ts';
import { presentUser } from '../accounts/accounts.ts';
import { startSession } from '../accounts/sign-in.ts';
import { currentUser, requireUser } from '../http/auth.ts';
import { notFound } from '../http/errors.ts';
import { authorize } from '../http/policy.ts';
import { afterWrite, formPage, reply, wantsJson } from '../http/respond.ts';
import { atLeast, atMost, parseBody, requiredText, text } from '../http/validate.ts';
import { username } from '../accounts/routes.ts';
import { createInvite, hasSchool, setUpSchool, setupAccess } from './schools.ts';

const setupSchema = z.object({
  token: text().trim().min(1, 'must not be empty').max(200, atMost(200)),
  schoolName: requiredText(80),
  username,
  password: text().max(200, atMost(200)),
  displayName: requiredText(60),
});

const inviteSchema = z.object({
  role: z.enum(['teacher', 'admin'], { error: 'choose teacher or admin' }).default('teacher'),
  note: text().trim().max(120, atMost(120)).optional().transform((note) => note ?? ''),
});

export function schoolRoutes(ctx: AppContext): Router {
  const router = Router();
  const signedIn = requireUser();

  // ------------------------------------------------------------ the route table
  router.get('/setup', showSetup);
  router.post('/setup', setUp);
  router.post('/admin/invites', signedIn, invite);

  // ------------------------------------------------------------ the handlers
  /** The form while there is no school; afterwards only for the operator's token. */
  async function showSetup(req: Request, res: Response) {
    const token = typeof req.query.token === 'string' ? req.query.token : '';
    if ((await hasSchool(ctx.store)) && (await setupAccess(ctx, token)) !== 'operator') throw notFound();
    reply(req, res, 'schools/setup', { title: 'Set up your school', values: { token } }, { setup: { schoolExists: await hasSchool(ctx.store) } });
  }

  async function setUp(req: Request, res: Response) {
    formPage(res, 'schools/setup', { title: 'Set up your school' });
    const input = parseBody(setupSchema, req);
    const { school, admin } = await setUpSchool(ctx, input);
    const csrfToken = await startSession(req, admin);
    afterWrite(req, res, { school: { id: school.id, name: school.name }, user: presentUser(admin), csrfToken }, '/admin');
  }

  async function invite(req: Request, res: Response) {
    const admin = currentUser(req);
    authorize(admin, 'school.manage', { kind: 'school', schoolId: admin.schoolId ?? '' });
    const input = parseBody(inviteSchema, req);
    const { code, invite } = await createInvite(ctx, admin, input.role, input.note);
    const url = `/signup?role=teacher&invite=${encodeURIComponent(code)}`;
    const json = { invite: { code, url, role: invite.role, note: invite.note, expiresAt: invite.expiresAt } };
    // Shown once, on the page that answers the request (like a parent code).
    if (wantsJson(req)) res.status(201).json(json);
    else reply(req, res, 'schools/invite', { title: 'Invitation', ...json.invite, link: `${req.protocol}://${req.get('host')}${url}` }, json, 201);
  }

  return router;
}
