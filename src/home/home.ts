// Each role's home page: what to do next.
import type { AppContext } from '../context.ts';
import type { User } from '../store/backend.ts';
import { classesOfTeacher } from '../classes/classes.ts';
import { childrenOf } from '../families/families.ts';
import { checkupsOfClass, checkupStatus } from '../checkups/checkups.ts';
import { presentBoosterList, scheduleOf } from '../practice/practice.ts';
import { assignmentsForStudent, isOverdue, NOT_STARTED, progressByLesson, today } from '../learning/progress.ts';

export async function studentHome(ctx: AppContext, student: User) {
  const progress = await progressByLesson(ctx.store, student.id);
  const day = today(ctx.now());
  const assignments = (await assignmentsForStudent(ctx.store, ctx.catalog, student.id)).map((assignment) => {
    const cell = progress.get(assignment.lessonId) ?? NOT_STARTED;
    return { ...assignment, status: cell.status, bestPercent: cell.bestPercent, overdue: isOverdue(assignment.due, cell.status, day) };
  });
  const passedInCourse = ctx.catalog.lessons.filter((lesson) => progress.get(lesson.id)?.status === 'passed').length;
  const memberships = await ctx.store.find('memberships', 'studentId', student.id);
  const records = await ctx.store.getMany('classes', memberships.map((membership) => membership.classId));
  const classes = memberships
    .map((membership) => records.find((record) => record.id === membership.classId))
    .filter((record) => record !== undefined)
    .map((record) => ({ id: record.id, name: record.name }));
  const checkups = [];
  for (const record of classes) {
    for (const checkup of await checkupsOfClass(ctx, record.id)) {
      checkups.push({ id: checkup.id, phase: checkup.phase, due: checkup.due, className: record.name, status: await checkupStatus(ctx, checkup, student.id) });
    }
  }
  // Practice sets that came due and are not done yet: they go at the top of the page.
  const boosters = presentBoosterList(ctx, (await scheduleOf(ctx, student.id)).due.filter((booster) => !booster.done));
  return {
    boosters,
    assignments,
    checkups,
    classes,
    course: { passed: passedInCourse, total: ctx.catalog.lessons.length },
    json: {
      assignments: assignments.map(({ lessonId, title, due, status, bestPercent, overdue }) => ({ lessonId, title, due, status, bestPercent, overdue })),
      course: { passed: passedInCourse, total: ctx.catalog.lessons.length },
      classes,
      checkups,
      boosters: boosters.map(({ id, lessonId, title, due }) => ({ id, lessonId, title, due })),
    },
  };
}

export async function teacherHome(ctx: AppContext, teacher: User) {
  const classes = await Promise.all(
    (await classesOfTeacher(ctx, teacher.id)).map(async (record) => ({
      id: record.id,
      name: record.name,
      joinCode: record.joinCode,
      students: (await ctx.store.find('memberships', 'classId', record.id)).length,
      assignments: (await ctx.store.find('assignments', 'classId', record.id)).length,
    })),
  );
  return { classes, json: { classes } };
}

export async function parentHome(ctx: AppContext, parent: User) {
  const children = (await childrenOf(ctx, parent.id)).map((child) => ({ id: child.id, displayName: child.displayName }));
  return { children, json: { children } };
}
