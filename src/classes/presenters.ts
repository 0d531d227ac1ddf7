// What the class page shows, and the same data as JSON (nothing more).
import type { AppContext } from '../context.ts';
import type { ClassRecord, User } from '../store/backend.ts';
import type { ClassOverview } from './classes.ts';
import { checkupsOfClass, isComplete } from '../checkups/checkups.ts';
import { classIntervals } from '../practice/records.ts';
import { gradeStatusOfClass } from '../lti/outbox.ts';

/** For a class that came from an LMS course: whether its roster can be fetched, and per student whether scores reached the LMS. */
async function lmsOfClass(ctx: AppContext, classId: string) {
  const context = (await ctx.store.find('ltiContexts', 'classId', classId))[0];
  if (!context) return null;
  return { roster: Boolean(context.membershipsUrl), scores: await gradeStatusOfClass(ctx, classId) };
}

/** The teachers of a class, the creator first (co-teachers in the order they were added). */
async function teachersOf(ctx: AppContext, classId: string): Promise<User[]> {
  const rows = (await ctx.store.find('classTeachers', 'classId', classId)).sort((a, b) => a.addedAt.localeCompare(b.addedAt));
  const users = await ctx.store.getMany('users', rows.map((row) => row.teacherId));
  return rows.map((row) => users.find((user) => user.id === row.teacherId)).filter((user): user is User => user !== undefined);
}

/** A class as a reference in JSON answers (its join code is for its teachers only). */
export function presentClassRef(record: ClassRecord) {
  return { id: record.id, name: record.name, joinCode: record.joinCode };
}

export function presentStudentRef(student: User) {
  return { id: student.id, username: student.username, displayName: student.displayName };
}

export function presentRoster(record: ClassRecord, students: User[]) {
  return { class: presentClassRef(record), students: students.map(presentStudentRef) };
}

export async function presentClassPage(ctx: AppContext, overview: ClassOverview) {
  const { record, students, assignments, cells, perLesson } = overview;
  const assignedIds = new Set(assignments.map((assignment) => assignment.lessonId));
  const json = {
    class: { id: record.id, name: record.name, joinCode: record.joinCode, ...(record.archivedAt ? { archivedAt: record.archivedAt } : {}) },
    students: students.map((student) => ({ id: student.id, username: student.username, displayName: student.displayName })),
    assignments: assignments.map((assignment) => ({ id: assignment.id, lessonId: assignment.lessonId, due: assignment.due })),
    progress: students.flatMap((student) =>
      assignments.map((assignment) => {
        const cell = cells.get(student.id)!.get(assignment.lessonId)!;
        return { studentId: student.id, lessonId: assignment.lessonId, status: cell.status, bestPercent: cell.bestPercent, attempts: cell.attempts, overdue: cell.overdue };
      }),
    ),
    summary: perLesson,
    teachers: (await teachersOf(ctx, record.id)).map((teacher) => ({ id: teacher.id, displayName: teacher.displayName })),
  };
  const checkups = await Promise.all(
    (await checkupsOfClass(ctx, record.id)).map(async (checkup) => ({
      id: checkup.id,
      phase: checkup.phase,
      due: checkup.due,
      completed: (await Promise.all(students.map((student) => isComplete(ctx, checkup, student.id)))).filter(Boolean).length,
    })),
  );
  const lms = await lmsOfClass(ctx, record.id);
  return {
    json: { ...json, checkups, ...(lms ? { lms: { roster: lms.roster, scores: students.map((student) => ({ studentId: student.id, ...(lms.scores.get(student.id) ?? { status: 'none', lastError: null, lessons: 0 }) })) } } : {}) },
    lms,
    checkups,
    hasBank: Boolean(ctx.catalog.bank),
    boosterIntervals: await classIntervals(ctx.store, record.id),
    record,
    students,
    teachers: json.teachers,
    assignments: assignments.map((assignment) => ({ ...assignment, lesson: ctx.catalog.lesson(assignment.lessonId)! })),
    cells,
    perLesson,
    unassigned: ctx.catalog.lessons.filter((lesson) => !assignedIds.has(lesson.id)),
  };
}
