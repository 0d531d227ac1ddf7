// Schools: the setup of a school and its admin, and invitations
// (http-contract.md, "Schools, admins and invitations"). Handlers stay thin;
// the work is in schools.ts.
import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import type { AppContext } from '../context.ts';
import { presentUser } from '../accounts/accounts.ts';
import { startSession } from '../accounts/sign-in.ts';
import { currentUser, requireUser } from '../http/auth.ts';
import { conflict, invalid, notFound, unauthorized } from '../http/errors.ts';
import { loaded, step } from '../http/load.ts';
import { eraseStudent, exportStudentData, studentResource } from '../accounts/student-data.ts';
import type { User } from '../store/backend.ts';
import { authorize } from '../http/policy.ts';
import { managedSchool } from '../http/school.ts';
import { afterWrite, formPage, reply, wantsJson } from '../http/respond.ts';
import { atMost, parseBody, requiredText, text } from '../http/validate.ts';
import { username } from '../accounts/routes.ts';
import { createInvite, deactivateTeacher, hasSchool, setUpSchool, setupAccess } from './schools.ts';

const setupSchema = z.object({
  token: text().trim().min(1, 'must not be empty').max(200, atMost(200)),
  schoolName: requiredText(80),
  username,
  password: text().max(200, atMost(200)),
  displayName: requiredText(60),
});

const eraseSchema = z.object({ confirm: requiredText(64) });

const inviteSchema = z.object({
  role: z.enum(['teacher', 'admin'], { error: 'choose teacher or admin' }).default('teacher'),
  note: text().trim().max(120, atMost(120)).optional().transform((note) => note ?? ''),
});

export function schoolRoutes(ctx: AppContext): Router {
  const router = Router();
  const signedIn = requireUser();

  // ------------------------------------------------------------ load steps
  // The account a route is about, asked about by the policy: another school's is 404.
  router.param('userId', step(async (req, res, userId) => {
    const admin = signedInUser(req);
    const teacher = await ctx.store.get('users', userId);
    if (!teacher || (teacher.role !== 'teacher' && teacher.role !== 'admin')) throw notFound();
    authorize(admin, 'teacher.deactivate', { kind: 'teacher', id: teacher.id, schoolId: teacher.schoolId });
    res.locals.teacher = teacher;
  }));
  router.param('studentId', step(async (req, res, studentId) => {
    const admin = signedInUser(req);
    const student = await ctx.store.get('users', studentId);
    if (!student || student.role !== 'student') throw notFound();
    // Both export and erase are the admin's alone; the policy asks the same for each.
    authorize(admin, 'student.export', studentResource(student));
    authorize(admin, 'student.erase', studentResource(student));
    loaded(res).student = student;
  }));

  // ------------------------------------------------------------ the route table
  router.get('/setup', showSetup);
  router.post('/setup', setUp);
  router.post('/admin/invites', signedIn, invite);
  router.post('/admin/teachers/:userId/deactivate', signedIn, deactivate);
  router.post('/admin/students/:studentId/export', signedIn, exportStudent);
  router.post('/admin/students/:studentId/erase', signedIn, erase);

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
    managedSchool(req);
    const admin = currentUser(req);
    const input = parseBody(inviteSchema, req);
    const { code, invite } = await createInvite(ctx, admin, input.role, input.note);
    const url = `/signup?role=teacher&invite=${encodeURIComponent(code)}`;
    const json = { invite: { code, url, role: invite.role, note: invite.note, expiresAt: invite.expiresAt } };
    // Shown once, on the page that answers the request (like a parent code).
    if (wantsJson(req)) res.status(201).json(json);
    else reply(req, res, 'schools/invite', { title: 'Invitation', ...json.invite, link: `${req.protocol}://${req.get('host')}${url}` }, json, 201);
  }

  async function deactivate(req: Request, res: Response) {
    const teacher = res.locals.teacher as User;
    if (teacher.deactivatedAt) throw conflict('That account is deactivated already.');
    const { movedClasses } = await deactivateTeacher(ctx, currentUser(req), teacher);
    afterWrite(req, res, { teacher: { id: teacher.id, username: teacher.username, deactivated: true }, movedClasses }, '/admin', 200);
  }

  async function exportStudent(req: Request, res: Response) {
    const { student } = loaded(res);
    res.attachment(`framecheck-${student.username}.json`);
    res.json(await exportStudentData(ctx, currentUser(req), student));
  }

  async function erase(req: Request, res: Response) {
    const { student } = loaded(res);
    formPage(res, 'schools/student-data', { title: student.displayName, student });
    const { confirm } = parseBody(eraseSchema, req);
    if (confirm.toLowerCase() !== student.username.toLowerCase()) throw invalid('Type the username exactly to confirm.', 'confirm');
    await eraseStudent(ctx, currentUser(req), student);
    afterWrite(req, res, { erased: true }, '/', 200);
  }

  return router;
}

function signedInUser(req: Request): User {
  if (!req.user) throw unauthorized();
  return req.user;
}
