// Each role's home page: what to do next.
import type { AppContext } from '../context.ts';
import type { User } from '../store/index.ts';
import { classesOfTeacher } from '../classes/classes.ts';
import { childrenOf } from '../families/families.ts';
import { checkupsOfClass, checkupStatus } from '../checkups/checkups.ts';
import { presentBoosterList, scheduleOf } from '../practice/practice.ts';
import { assignmentsForStudent, isOverdue, NOT_STARTED, progressByLesson, today } from '../learning/progress.ts';

export function studentHome(ctx: AppContext, student: User) {
  const progress = progressByLesson(ctx.store, student.id);
  const day = today(ctx.now());
  const assignments = assignmentsForStudent(ctx.store, ctx.catalog, student.id).map((assignment) => {
    const cell = progress.get(assignment.lessonId) ?? NOT_STARTED;
    return { ...assignment, status: cell.status, bestPercent: cell.bestPercent, overdue: isOverdue(assignment.due, cell.status, day) };
  });
  const passedInCourse = ctx.catalog.lessons.filter((lesson) => progress.get(lesson.id)?.status === 'passed').length;
  const classes = ctx.store
    .find('memberships', 'studentId', student.id)
    .map((membership) => ctx.store.get('classes', membership.classId))
    .filter((record) => record !== undefined)
    .map((record) => ({ id: record.id, name: record.name }));
  const checkups = classes.flatMap((record) =>
    checkupsOfClass(ctx, record.id).map((checkup) => ({ id: checkup.id, phase: checkup.phase, due: checkup.due, className: record.name, status: checkupStatus(ctx, checkup, student.id) })),
  );
  // Practice sets that came due and are not done yet: they go at the top of the page.
  const boosters = presentBoosterList(ctx, scheduleOf(ctx, student.id).due.filter((booster) => !booster.done));
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

export function teacherHome(ctx: AppContext, teacher: User) {
  const classes = classesOfTeacher(ctx, teacher.id).map((record) => ({
    id: record.id,
    name: record.name,
    joinCode: record.joinCode,
    students: ctx.store.find('memberships', 'classId', record.id).length,
    assignments: ctx.store.find('assignments', 'classId', record.id).length,
  }));
  return { classes, json: { classes } };
}

export function parentHome(ctx: AppContext, parent: User) {
  const children = childrenOf(ctx, parent.id).map((child) => ({ id: child.id, displayName: child.displayName }));
  return { children, json: { children } };
}
