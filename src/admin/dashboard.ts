// The school at a glance for its admin: who teaches, the classes and how far
// each has got, open invitations and the school-wide check-up result. Built
// from one query per collection, never one per student: a district school
// may hold thousands.
import type { AppContext } from '../context.ts';
import { passedLessonsOf } from '../learning/progress.ts';
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
  const memberships = ctx.store.findAny('memberships', 'classId', classIds);
  const [classTeachers, members, assignments, passedBy, checkups] = await Promise.all([
    ctx.store.findAny('classTeachers', 'classId', classIds),
    memberships,
    ctx.store.findAny('assignments', 'classId', classIds),
    memberships.then((rows) => passedLessonsOf(ctx.store, [...new Set(rows.map((row) => row.studentId))])),
    ctx.catalog.bank ? schoolReport(ctx, classIds) : Promise.resolve(null),
  ]);

  const studentsOf = groupBy(members, (membership) => membership.classId);
  const lessonsOf = groupBy(assignments, (assignment) => assignment.classId);
  const teachersOf = groupBy(classTeachers, (row) => row.classId);
  const classes = records
    .sort((a, b) => a.name.localeCompare(b.name) || a.createdAt.localeCompare(b.createdAt))
    .map((record): DashboardClass => {
      const students = (studentsOf.get(record.id) ?? []).map((membership) => membership.studentId);
      // A lesson removed from the course since it was assigned cannot be passed any more: it does not count.
      const lessons = (lessonsOf.get(record.id) ?? []).filter((assignment) => ctx.catalog.lesson(assignment.lessonId)).map((assignment) => assignment.lessonId);
      let passed = 0;
      for (const studentId of students) {
        const own = passedBy.get(studentId)!;
        for (const lessonId of lessons) if (own.has(lessonId)) passed += 1;
      }
      const pairs = students.length * lessons.length;
      return {
        record,
        teacherIds: teachersOfClass(record, teachersOf.get(record.id) ?? []),
        students: students.length,
        assignedLessons: lessons.length,
        passed,
        pairs,
        completion: pairs ? passed / pairs : null,
      };
    });

  const teachers = users
    .filter((user) => user.role === 'teacher' || user.role === 'admin')
    .sort((a, b) => Number(Boolean(a.deactivatedAt)) - Number(Boolean(b.deactivatedAt)) || a.displayName.localeCompare(b.displayName) || a.username.localeCompare(b.username))
    .map((user) => ({ user, active: !user.deactivatedAt, classes: classes.filter((entry) => entry.teacherIds.includes(user.id)).length }));

  return { school, teachers, classes, invites: invites.sort((a, b) => b.createdAt.localeCompare(a.createdAt)), checkups };
}
