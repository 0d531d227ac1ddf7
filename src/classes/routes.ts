// Class routes: the class page, assignments, join codes, roster, a student's
// page, co-teachers. Every class route loads its class through the
// `classId` load step (policy: class.view) and asks the policy again for
// what it changes (class.manage); handlers stay thin.
import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import type { AppContext } from '../context.ts';
import { currentUser, requireUser } from '../http/auth.ts';
import { afterWrite, formPage, reply, wantsJson } from '../http/respond.ts';
import { optionalDate, parseBody, requiredText } from '../http/validate.ts';
import { loaded, loadClass, loadLesson, loadStudentOfClass, mayManageClass } from '../http/load.ts';
import { authorize, can } from '../http/policy.ts';
import { guessClassCode, resetPassword } from '../accounts/accounts.ts';
import { requesterOf } from '../accounts/throttles.ts';
import { eraseStudent, exportStudentData, studentResource } from '../accounts/student-data.ts';
import { invalid } from '../http/errors.ts';
import { today } from '../learning/progress.ts';
import {
  addCoTeacher,
  assignLesson,
  classOverview,
  createClass,
  joinClass,
  questionTallies,
  regenerateJoinCode,
  removeFromClass,
  studentAttempts,
  unassignLesson,
} from './classes.ts';
import { teacherHome } from '../home/home.ts';
import { studentCheckupScores } from '../checkups/report.ts';
import { progressCsv } from './csv.ts';
import { presentClassPage, presentClassRef, presentRoster, presentStudentRef } from './presenters.ts';

const createClassSchema = z.object({ name: requiredText(80) });
const assignSchema = z.object({ lessonId: requiredText(80), due: optionalDate });
const joinSchema = z.object({ classCode: requiredText(20) });
const eraseSchema = z.object({ confirm: requiredText(64) });
const coTeacherSchema = z.object({ username: requiredText(64) });

export function classRoutes(ctx: AppContext): Router {
  const router = Router();
  const signedIn = requireUser();
  const staff = requireUser('teacher', 'admin');
  const student = requireUser('student');

  // ------------------------------------------------------------ load steps
  router.param('classId', loadClass(ctx));
  router.param('studentId', loadStudentOfClass(ctx));
  router.param('lessonId', loadLesson(ctx));

  // ------------------------------------------------------------ the route table
  router.post('/classes', staff, newClass);
  router.get('/classes/:classId', signedIn, showClass);
  router.post('/classes/:classId/join-code', staff, newJoinCode);
  router.post('/classes/:classId/assignments', staff, assign);
  router.delete('/classes/:classId/assignments/:assignmentId', staff, unassign);
  router.post('/classes/:classId/assignments/:assignmentId/delete', staff, unassign);
  router.get('/classes/:classId/progress.csv', staff, progressFile);
  router.get('/classes/:classId/roster', staff, showRoster);
  router.post('/classes/:classId/teachers', staff, addTeacher);
  router.get('/classes/:classId/lessons/:lessonId', staff, showAnswers);
  router.get('/classes/:classId/students/:studentId', staff, showStudent);
  router.post('/classes/:classId/students/:studentId/reset-password', staff, resetStudentPassword);
  router.post('/classes/:classId/students/:studentId/remove', staff, removeStudent);
  // Only the school's admin exports or erases a student: a teacher is refused here (403), explicitly.
  router.get('/classes/:classId/students/:studentId/export', staff, exportStudent);
  router.post('/classes/:classId/students/:studentId/erase', staff, eraseFromClassPage);
  router.get('/join', student, showJoin);
  router.post('/join', student, join);

  // ------------------------------------------------------------ handlers
  async function newClass(req: Request, res: Response) {
    const user = currentUser(req);
    formPage(res, 'home/teacher', { title: 'Your classes', ...(await teacherHome(ctx, user)) });
    authorize(user, 'class.create', { kind: 'school', schoolId: user.schoolId ?? '' });
    const { name } = parseBody(createClassSchema, req);
    const record = await createClass(ctx, user, name);
    afterWrite(req, res, { class: presentClassRef(record) }, `/classes/${record.id}`);
  }

  async function showClass(req: Request, res: Response) {
    const user = currentUser(req);
    const { classRecord: record } = loaded(res);
    const day = today(ctx.now());
    await ctx.pages.send(req, res, `class:${record.id}:${user.id}`, await ctx.versions.classPage(record.id, day), async () => {
      const page = await presentClassPage(ctx, await classOverview(ctx, record));
      return { view: 'classes/show', locals: { title: record.name, ...page, today: day, user, currentPath: req.path }, json: page.json };
    });
  }

  async function newJoinCode(req: Request, res: Response) {
    mayManageClass(req, res);
    const record = await regenerateJoinCode(ctx, loaded(res).classRecord);
    afterWrite(req, res, { class: presentClassRef(record) }, `/classes/${record.id}`, 200);
  }

  async function assign(req: Request, res: Response) {
    mayManageClass(req, res);
    const { classRecord: record } = loaded(res);
    const input = parseBody(assignSchema, req);
    const { assignment, created } = await assignLesson(ctx, record.id, input.lessonId, input.due);
    afterWrite(req, res, { assignment: { id: assignment.id, lessonId: assignment.lessonId, due: assignment.due } }, `/classes/${record.id}#assignments`, created ? 201 : 200);
  }

  async function unassign(req: Request, res: Response) {
    mayManageClass(req, res);
    const { classRecord: record } = loaded(res);
    await unassignLesson(ctx, record.id, String(req.params.assignmentId));
    afterWrite(req, res, { ok: true }, `/classes/${record.id}#assignments`, 200);
  }

  async function progressFile(_req: Request, res: Response) {
    const { classRecord: record } = loaded(res);
    const filename = `${record.name.replace(/[^A-Za-z0-9-]+/g, '-').replace(/^-|-$/g, '') || 'class'}-progress.csv`;
    res.type('text/csv; charset=utf-8');
    res.attachment(filename);
    res.send(progressCsv(ctx, await classOverview(ctx, record)));
  }

  async function showRoster(req: Request, res: Response) {
    const { classRecord: record } = loaded(res);
    const overview = await classOverview(ctx, record);
    reply(req, res, 'classes/roster', { title: `${record.name}: roster`, record, students: overview.students }, presentRoster(record, overview.students));
  }

  async function addTeacher(req: Request, res: Response) {
    mayManageClass(req, res);
    const { classRecord: record } = loaded(res);
    if (!wantsJson(req)) {
      // A wrong username shows the class page again with the message at the field.
      const page = await presentClassPage(ctx, await classOverview(ctx, record));
      formPage(res, 'classes/show', { title: record.name, ...page, today: today(ctx.now()), user: currentUser(req) });
    }
    const input = parseBody(coTeacherSchema, req);
    const teacher = await addCoTeacher(ctx, currentUser(req), record, input.username);
    afterWrite(req, res, { teacher: { id: teacher.id, username: teacher.username, displayName: teacher.displayName } }, `/classes/${record.id}#teachers`);
  }

  async function showAnswers(req: Request, res: Response) {
    const { classRecord: record, lesson } = loaded(res);
    const tallies = await questionTallies(ctx, record.id, lesson.id);
    reply(req, res, 'classes/question-results', { title: `${lesson.title}: answers in ${record.name}`, record, lesson, tallies }, { lessonId: lesson.id, ...tallies });
  }

  async function studentPageLocals(req: Request, res: Response) {
    const { classRecord: record, student } = loaded(res);
    const attempts = await studentAttempts(ctx, student.id);
    const checkupScores = await studentCheckupScores(ctx, record.id, student.id);
    // An admin sees export and erase here; a teacher is not shown what they cannot use.
    const mayErase = can(currentUser(req), 'student.erase', studentResource(student));
    return { title: student.displayName, record, student, attempts, checkupScores, mayErase };
  }

  async function showStudent(req: Request, res: Response) {
    const locals = await studentPageLocals(req, res);
    reply(req, res, 'classes/student', locals, {
      student: presentStudentRef(locals.student),
      attempts: locals.attempts,
      checkups: locals.checkupScores.checkups,
      checkupScoresShown: locals.checkupScores.scoresShown,
    });
  }

  async function resetStudentPassword(req: Request, res: Response) {
    mayManageClass(req, res);
    const { classRecord: record, student } = loaded(res);
    const temporaryPassword = await resetPassword(ctx, currentUser(req), student);
    // Shown exactly once: 201 with the page that shows it, not a redirect.
    reply(req, res, 'classes/reset-slip', { title: 'Temporary password', record, student, temporaryPassword }, { temporaryPassword }, 201);
  }

  async function removeStudent(req: Request, res: Response) {
    mayManageClass(req, res);
    const { classRecord: record, student } = loaded(res);
    await removeFromClass(ctx, currentUser(req), record, student);
    afterWrite(req, res, { ok: true }, `/classes/${record.id}`, 200);
  }

  async function exportStudent(req: Request, res: Response) {
    const { student } = loaded(res);
    authorize(currentUser(req), 'student.export', studentResource(student));
    res.attachment(`framecheck-${student.username}.json`);
    res.json(await exportStudentData(ctx, currentUser(req), student));
  }

  async function eraseFromClassPage(req: Request, res: Response) {
    const { classRecord: record, student } = loaded(res);
    authorize(currentUser(req), 'student.erase', studentResource(student));
    formPage(res, 'classes/student', await studentPageLocals(req, res));
    const { confirm } = parseBody(eraseSchema, req);
    if (confirm.toLowerCase() !== student.username.toLowerCase()) throw invalid('Type the username exactly to confirm.', 'confirm');
    await eraseStudent(ctx, currentUser(req), student);
    afterWrite(req, res, { erased: true }, `/classes/${record.id}`, 200);
  }

  async function showJoin(req: Request, res: Response) {
    reply(req, res, 'classes/join', { title: 'Join a class', values: { classCode: req.query.code ?? '' } }, {});
  }

  async function join(req: Request, res: Response) {
    formPage(res, 'classes/join', { title: 'Join a class' });
    const { classCode } = parseBody(joinSchema, req);
    const me = currentUser(req);
    const record = await guessClassCode(ctx, requesterOf(req), classCode, me.schoolId);
    await joinClass(ctx, me, record);
    if (wantsJson(req)) res.json({ class: { id: record.id, name: record.name } });
    else res.redirect(303, '/');
  }

  return router;
}
