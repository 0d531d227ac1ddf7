// Load steps for route parameters: each router registers the ones its paths
// use with `router.param`, so a class, a student, a lesson or a check-up is
// loaded once per request, asked about by the policy (policy.ts) and put on
// res.locals; handlers read it with `loaded(res)`. Missing and not visible
// are the same 404.
import type { Request, RequestParamHandler, Response } from 'express';
import type { AppContext } from '../context.ts';
import type { Lesson } from '../content/catalog.ts';
import type { Checkup, ClassRecord, User } from '../store/backend.ts';
import { keys } from '../store/keys.ts';
import { notFound, unauthorized } from './errors.ts';
import { authorize, type Resource } from './policy.ts';

/** What load steps put on res.locals. */
export interface Loaded {
  classRecord: ClassRecord;
  /** the class as the policy sees it (its teachers; the viewer when a student of it) */
  classResource: Extract<Resource, { kind: 'class' }>;
  student: User;
  lesson: Lesson;
  checkup: Checkup;
}

export function loaded(res: Response): Loaded {
  return res.locals as unknown as Loaded;
}

/**
 * A load step as Express wants it: errors go to the error handler. A step
 * that finishes at once (a lesson comes from the catalog in memory) goes on
 * at once, without the promises an async step needs.
 */
export function step(load: (req: Request, res: Response, value: string) => Promise<void> | void): RequestParamHandler {
  return (req, res, next, value: string) => {
    let loading: Promise<void> | void;
    try {
      loading = load(req, res, value);
    } catch (error) {
      next(error);
      return;
    }
    // next is called outside the try: an error thrown further down must not come back here.
    if (loading instanceof Promise) loading.then(() => next(), next);
    else next();
  };
}

function signedIn(req: Request): User {
  if (!req.user) throw unauthorized();
  return req.user;
}

/** The class as the policy sees it, for this viewer. */
export async function classResourceFor(ctx: AppContext, record: ClassRecord, viewer: User): Promise<Extract<Resource, { kind: 'class' }>> {
  const teacherIds = (await ctx.store.find('classTeachers', 'classId', record.id)).map((row) => row.teacherId);
  const isMember = viewer.role === 'student' && Boolean(await ctx.store.get('memberships', keys.membership(record.id, viewer.id)));
  return { kind: 'class', schoolId: record.schoolId, teacherIds, studentIds: isMember ? [viewer.id] : [] };
}

/** `:classId` on the teacher side: its teachers and its school's admin see it; a student of it gets 403; everyone else 404. */
export function loadClass(ctx: AppContext): RequestParamHandler {
  return step(async (req, res, classId) => {
    const user = signedIn(req);
    const record = await ctx.store.get('classes', classId);
    if (!record) throw notFound();
    const resource = await classResourceFor(ctx, record, user);
    authorize(user, 'class.view', resource);
    Object.assign(loaded(res), { classRecord: record, classResource: resource });
  });
}

/** `:studentId` under a loaded class: a student of that class, else 404. */
export function loadStudentOfClass(ctx: AppContext): RequestParamHandler {
  return step(async (_req, res, studentId) => {
    const { classRecord } = loaded(res);
    const member = await ctx.store.get('memberships', keys.membership(classRecord.id, studentId));
    const student = member ? await ctx.store.get('users', studentId) : undefined;
    if (!student) throw notFound('That student is not in this class.');
    loaded(res).student = student;
  });
}

/** `:lessonId`: a lesson of the course (every signed-in account reads them). */
export function loadLesson(ctx: AppContext): RequestParamHandler {
  return step((req, res, lessonId) => {
    const user = signedIn(req);
    const lesson = ctx.catalog.lesson(lessonId);
    if (!lesson) throw notFound('There is no such lesson.');
    authorize(user, 'lesson.view', { kind: 'lesson', id: lesson.id });
    loaded(res).lesson = lesson;
  });
}

/** `:checkupId` on the student side: a check-up of a class they are in, else 404. */
export function loadCheckup(ctx: AppContext): RequestParamHandler {
  return step(async (req, res, checkupId) => {
    const user = signedIn(req);
    if (user.role !== 'student') return; // the route's role check answers 403
    const checkup = await ctx.store.get('checkups', checkupId);
    const record = checkup ? await ctx.store.get('classes', checkup.classId) : undefined;
    if (!checkup || !record) throw notFound('We could not find that check-up.');
    authorize(user, 'class.attend', await classResourceFor(ctx, record, user));
    loaded(res).checkup = checkup;
  });
}

/** The policy's question for a route of a loaded class: may this user manage it? */
export function mayManageClass(req: Request, res: Response): void {
  authorize(signedIn(req), 'class.manage', loaded(res).classResource);
}
