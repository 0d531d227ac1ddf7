// The school at a glance for its admin: who teaches, the classes and how far
// each has got, open invitations and the school-wide check-up result. Built
// from one query per collection, never one per student (a district school
// may hold thousands), and each class's figures are kept until it changes
// (class-figures.ts).
import type { AppContext } from '../context.ts';
import type { ClassRecord, Invite, School, User } from '../store/backend.ts';
import { schoolReport } from '../checkups/report.ts';
import { groupBy } from '../group-by.ts';

export interface DashboardTeacher {
  user: User;
  active: boolean;
  classes: number;
}

export interface DashboardClass {
  record: ClassRecord;
  teacherIds: string[];
  students: number;
  assignedLessons: number;
  /** passed (student, assigned lesson) pairs */
  passed: number;
  /** students x assigned lessons */
  pairs: number;
  /** passed / pairs, 0-1; null when there is nothing to pass yet */
  completion: number | null;
}

export interface SchoolDashboard {
  school: School;
  teachers: DashboardTeacher[];
  classes: DashboardClass[];
  invites: Invite[];
  checkups: Awaited<ReturnType<typeof schoolReport>> | null;
}

/** Who teaches a class: its co-teacher records, or its creator for a class made before co-teachers. */
function teachersOfClass(record: ClassRecord, rows: { teacherId: string }[]): string[] {
  return rows.length ? [...new Set(rows.map((row) => row.teacherId))] : [record.teacherId];
}

export async function schoolDashboard(ctx: AppContext, school: School): Promise<SchoolDashboard> {
  const [users, records, invites] = await Promise.all([
    ctx.store.find('users', 'schoolId', school.id),
    ctx.store.find('classes', 'schoolId', school.id),
    ctx.store.find('invites', 'schoolId', school.id),
  ]);
  const classIds = records.map((record) => record.id);
  const [classTeachers, figures] = await Promise.all([ctx.store.findAny('classTeachers', 'classId', classIds), ctx.figures.figuresOf(ctx, classIds)]);
  const figuresOf = new Map(figures.map((entry) => [entry.classId, entry]));
  const teachersOf = groupBy(classTeachers, (row) => row.classId);
  const classes = records
    .sort((a, b) => a.name.localeCompare(b.name) || a.createdAt.localeCompare(b.createdAt))
    .map((record): DashboardClass => {
      const { students, assignedLessons, passed } = figuresOf.get(record.id)!;
      const pairs = students * assignedLessons;
      return {
        record,
        teacherIds: teachersOfClass(record, teachersOf.get(record.id) ?? []),
        students,
        assignedLessons,
        passed,
        pairs,
        completion: pairs ? passed / pairs : null,
      };
    });
  const checkups = ctx.catalog.bank ? schoolReport(ctx.catalog.bank, figures.map((entry) => entry.scores!)) : null;

  const teachers = users
    .filter((user) => user.role === 'teacher' || user.role === 'admin')
    .sort((a, b) => Number(Boolean(a.deactivatedAt)) - Number(Boolean(b.deactivatedAt)) || a.displayName.localeCompare(b.displayName) || a.username.localeCompare(b.username))
    .map((user) => ({ user, active: !user.deactivatedAt, classes: classes.filter((entry) => entry.teacherIds.includes(user.id)).length }));

  return { school, teachers, classes, invites: invites.sort((a, b) => b.createdAt.localeCompare(a.createdAt)), checkups };
}
