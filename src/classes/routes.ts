import { Router } from 'express';
import { z } from 'zod';
import type { AppContext } from '../context.ts';
import { currentUser, requireUser } from '../http/auth.ts';
import { afterWrite, formPage, reply, wantsJson } from '../http/respond.ts';
import { optionalDate, parseBody, requiredText } from '../http/validate.ts';
import { guessClassCode, resetPassword } from '../accounts/accounts.ts';
import { requesterOf } from '../accounts/throttles.ts';
import { eraseStudent, exportStudentData } from '../accounts/student-data.ts';
import { invalid, notFound } from '../http/errors.ts';
import { today } from '../learning/progress.ts';
import {
  assignLesson,
  classForTeacher,
  classOverview,
  createClass,
  joinClass,
  questionTallies,
  regenerateJoinCode,
  removeFromClass,
  studentAttempts,
  studentInClass,
  unassignLesson,
} from './classes.ts';
import { teacherHome } from '../home/home.ts';
import { studentCheckupScores } from '../checkups/report.ts';
import { progressCsv } from './csv.ts';
import { presentClassPage } from './presenters.ts';

const createClassSchema = z.object({ name: requiredText(80) });
const assignSchema = z.object({ lessonId: requiredText(80), due: optionalDate });
const joinSchema = z.object({ classCode: requiredText(20) });
const eraseSchema = z.object({ confirm: requiredText(64) });

export function classRoutes(ctx: AppContext): Router {
  const router = Router();
  const teacher = requireUser('teacher');

  router.post('/classes', teacher, async (req, res) => {
    formPage(res, 'home/teacher', { title: 'Your classes', ...(await teacherHome(ctx, currentUser(req))) });
    const { name } = parseBody(createClassSchema, req);
    const record = await createClass(ctx, currentUser(req), name);
    afterWrite(req, res, { class: { id: record.id, name: record.name, joinCode: record.joinCode } }, `/classes/${record.id}`);
  });

  router.get('/classes/:classId', requireUser(), async (req, res) => {
    const user = currentUser(req);
    const record = await classForTeacher(ctx, user, String(req.params.classId));
    const day = today(ctx.now());
    await ctx.pages.send(req, res, `class:${record.id}:${user.id}`, await ctx.versions.classPage(record.id, day), async () => {
      const page = await presentClassPage(ctx, await classOverview(ctx, record));
      return { view: 'classes/show', locals: { title: record.name, ...page, today: day, user, currentPath: req.path }, json: page.json };
    });
  });

  router.post('/classes/:classId/join-code', teacher, async (req, res) => {
    const record = await regenerateJoinCode(ctx, await classForTeacher(ctx, currentUser(req), String(req.params.classId)));
    afterWrite(req, res, { class: { id: record.id, name: record.name, joinCode: record.joinCode } }, `/classes/${record.id}`, 200);
  });

  router.post('/classes/:classId/assignments', teacher, async (req, res) => {
    const record = await classForTeacher(ctx, currentUser(req), String(req.params.classId));
    const input = parseBody(assignSchema, req);
    const { assignment, created } = await assignLesson(ctx, record.id, input.lessonId, input.due);
    afterWrite(req, res, { assignment: { id: assignment.id, lessonId: assignment.lessonId, due: assignment.due } }, `/classes/${record.id}#assignments`, created ? 201 : 200);
  });

  const unassign = async (req: import('express').Request, res: import('express').Response) => {
    const record = await classForTeacher(ctx, currentUser(req), String(req.params.classId));
    await unassignLesson(ctx, record.id, String(req.params.assignmentId));
    afterWrite(req, res, { ok: true }, `/classes/${record.id}#assignments`, 200);
  };
  router.delete('/classes/:classId/assignments/:assignmentId', teacher, unassign);
  router.post('/classes/:classId/assignments/:assignmentId/delete', teacher, unassign);

  router.get('/classes/:classId/progress.csv', teacher, async (req, res) => {
    const record = await classForTeacher(ctx, currentUser(req), String(req.params.classId));
    const filename = `${record.name.replace(/[^A-Za-z0-9-]+/g, '-').replace(/^-|-$/g, '') || 'class'}-progress.csv`;
    res.type('text/csv; charset=utf-8');
    res.attachment(filename);
    res.send(progressCsv(ctx, await classOverview(ctx, record)));
  });

  router.get('/classes/:classId/roster', teacher, async (req, res) => {
    const record = await classForTeacher(ctx, currentUser(req), String(req.params.classId));
    const overview = await classOverview(ctx, record);
    reply(req, res, 'classes/roster', { title: `${record.name}: roster`, record, students: overview.students }, {
      class: { id: record.id, name: record.name, joinCode: record.joinCode },
      students: overview.students.map((student) => ({ id: student.id, username: student.username, displayName: student.displayName })),
    });
  });

  router.get('/classes/:classId/lessons/:lessonId', teacher, async (req, res) => {
    const record = await classForTeacher(ctx, currentUser(req), String(req.params.classId));
    const lesson = ctx.catalog.lesson(String(req.params.lessonId));
    if (!lesson) throw notFound('There is no such lesson.');
    const tallies = await questionTallies(ctx, record.id, lesson.id);
    reply(req, res, 'classes/question-results', { title: `${lesson.title}: answers in ${record.name}`, record, lesson, tallies }, { lessonId: lesson.id, ...tallies });
  });

  router.get('/classes/:classId/students/:studentId', teacher, async (req, res) => {
    const record = await classForTeacher(ctx, currentUser(req), String(req.params.classId));
    const student = await studentInClass(ctx, record.id, String(req.params.studentId));
    const attempts = await studentAttempts(ctx, student.id);
    const checkupScores = await studentCheckupScores(ctx, record.id, student.id);
    reply(req, res, 'classes/student', { title: student.displayName, record, student, attempts, checkupScores }, {
      student: { id: student.id, username: student.username, displayName: student.displayName },
      attempts,
      checkups: checkupScores.checkups,
      checkupScoresShown: checkupScores.scoresShown,
    });
  });

  router.post('/classes/:classId/students/:studentId/reset-password', teacher, async (req, res) => {
    const record = await classForTeacher(ctx, currentUser(req), String(req.params.classId));
    const student = await studentInClass(ctx, record.id, String(req.params.studentId));
    const temporaryPassword = await resetPassword(ctx, student.id);
    // Shown exactly once: 201 with the page that shows it, not a redirect.
    reply(req, res, 'classes/reset-slip', { title: 'Temporary password', record, student, temporaryPassword }, { temporaryPassword }, 201);
  });

  router.get('/classes/:classId/students/:studentId/export', teacher, async (req, res) => {
    const record = await classForTeacher(ctx, currentUser(req), String(req.params.classId));
    const student = await studentInClass(ctx, record.id, String(req.params.studentId));
    res.attachment(`framecheck-${student.username}.json`);
    res.json(await exportStudentData(ctx, student.id));
  });

  router.post('/classes/:classId/students/:studentId/erase', teacher, async (req, res) => {
    const record = await classForTeacher(ctx, currentUser(req), String(req.params.classId));
    const student = await studentInClass(ctx, record.id, String(req.params.studentId));
    formPage(res, 'classes/student', { title: student.displayName, record, student, attempts: await studentAttempts(ctx, student.id), checkupScores: await studentCheckupScores(ctx, record.id, student.id) });
    const { confirm } = parseBody(eraseSchema, req);
    if (confirm.toLowerCase() !== student.username.toLowerCase()) throw invalid('Type the username exactly to confirm.', 'confirm');
    await eraseStudent(ctx, student.id);
    afterWrite(req, res, { erased: true }, `/classes/${record.id}`, 200);
  });

  router.post('/classes/:classId/students/:studentId/remove', teacher, async (req, res) => {
    const record = await classForTeacher(ctx, currentUser(req), String(req.params.classId));
    await removeFromClass(ctx, record.id, String(req.params.studentId));
    afterWrite(req, res, { ok: true }, `/classes/${record.id}`, 200);
  });

  router.get('/join', requireUser('student'), async (req, res) => {
    reply(req, res, 'classes/join', { title: 'Join a class', values: { classCode: req.query.code ?? '' } }, {});
  });

  router.post('/join', requireUser('student'), async (req, res) => {
    formPage(res, 'classes/join', { title: 'Join a class' });
    const { classCode } = parseBody(joinSchema, req);
    const me = currentUser(req);
    const record = await guessClassCode(ctx, requesterOf(req), classCode, me.schoolId);
    await joinClass(ctx, me, record);
    if (wantsJson(req)) res.json({ class: { id: record.id, name: record.name } });
    else res.redirect(303, '/');
  });

  return router;
}
