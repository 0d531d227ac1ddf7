// What a roster file would do to a school: which classes and students are
// new, which are there already, and which rows cannot be imported because
// of what is stored (a username someone else has, a teacher who is not of
// this school). Reads only; the dry run shows it, apply.ts writes it.
import type { AppContext } from '../context.ts';
import type { ClassRecord, User } from '../store/backend.ts';
import { keys } from '../store/keys.ts';
import { classKeyOf, quoted, type LineError, type RosterRow } from './parse.ts';

export interface PlannedStudent {
  username: string;
  displayName: string;
  /** the first line naming this student */
  line: number;
  /** the account, when the student is already in this school */
  existing: User | null;
}

export interface PlannedClass {
  /** classKeyOf(name) */
  key: string;
  name: string;
  /** the class, when this school has it already */
  existing: ClassRecord | null;
  /** who teaches a new class, or is added as a co-teacher of an existing one */
  teacherId: string;
  /** a teacher named in the file who does not teach this existing class yet */
  addTeacher: boolean;
  /** usernames (lower case), in file order */
  students: string[];
  /** of those, the ones already members */
  members: Set<string>;
}

export interface RosterPlan {
  errors: LineError[];
  classes: PlannedClass[];
  /** by lower-case username */
  students: Map<string, PlannedStudent>;
  created: number;
  existing: number;
  classesCreated: number;
}

/** An account of this school that may get a class: a teacher or the admin, not deactivated. */
function canTeach(user: User | undefined, schoolId: string): user is User {
  return Boolean(user && (user.role === 'teacher' || user.role === 'admin') && user.schoolId === schoolId && !user.deactivatedAt);
}

export async function planRoster(ctx: AppContext, admin: User, schoolId: string, rows: RosterRow[]): Promise<RosterPlan> {
  const errors: LineError[] = [];
  const usernames = [...new Set(rows.map((row) => row.username.toLowerCase()))];
  const teacherNames = [...new Set(rows.flatMap((row) => (row.teacher ? [row.teacher.toLowerCase()] : [])))];
  const [accounts, teachers, schoolClasses] = await Promise.all([
    ctx.store.findAny('users', 'username', usernames),
    ctx.store.findAny('users', 'username', teacherNames),
    ctx.store.find('classes', 'schoolId', schoolId),
  ]);
  const accountOf = new Map(accounts.map((user) => [user.username.toLowerCase(), user]));
  const teacherOf = new Map(teachers.map((user) => [user.username.toLowerCase(), user]));
  const classesByKey = new Map<string, ClassRecord[]>();
  for (const record of schoolClasses) classesByKey.set(classKeyOf(record.name), [...(classesByKey.get(classKeyOf(record.name)) ?? []), record]);

  const students = new Map<string, PlannedStudent>();
  const classes = new Map<string, PlannedClass>();
  for (const row of rows) {
    const username = row.username.toLowerCase();
    const account = accountOf.get(username);
    // Whoever holds the name, in this school or another, the answer is the
    // same: another school's accounts are not this admin's to know about.
    if (account && !(account.role === 'student' && account.schoolId === schoolId)) {
      errors.push({ line: row.line, message: `Username ${quoted(row.username)} is taken. Choose another one.` });
      continue;
    }
    let teacherId = admin.id;
    if (row.teacher) {
      const teacher = teacherOf.get(row.teacher.toLowerCase());
      if (!canTeach(teacher, schoolId)) {
        errors.push({ line: row.line, message: `Teacher ${quoted(row.teacher)}: there is no teacher with this username in your school.` });
        continue;
      }
      teacherId = teacher.id;
    }
    const key = classKeyOf(row.className);
    const same = classesByKey.get(key) ?? [];
    if (same.length > 1) {
      errors.push({ line: row.line, message: `Your school has ${same.length} classes called ${quoted(row.className)}. Rename all but one first, so the file names just one.` });
      continue;
    }
    if (!students.has(username)) students.set(username, { username: row.username, displayName: row.displayName, line: row.line, existing: account ?? null });
    let planned = classes.get(key);
    if (!planned) {
      const existing = same[0] ?? null;
      planned = { key, name: existing?.name ?? row.className, existing, teacherId, addTeacher: false, students: [], members: new Set() };
      classes.set(key, planned);
    }
    if (row.teacher) planned.teacherId = teacherId;
    if (!planned.students.includes(username)) planned.students.push(username);
  }

  // Which of the existing students are already in the existing classes, and which named teachers teach them already.
  await Promise.all(
    [...classes.values()].map(async (planned) => {
      if (!planned.existing) return;
      const classId = planned.existing.id;
      const teaching = planned.teacherId === planned.existing.teacherId || (await ctx.store.get('classTeachers', keys.classTeacher(classId, planned.teacherId)));
      planned.addTeacher = !teaching && planned.teacherId !== admin.id;
      const memberships = await ctx.store.getMany('memberships', planned.students.flatMap((username) => {
        const existing = students.get(username)?.existing;
        return existing ? [keys.membership(classId, existing.id)] : [];
      }));
      const memberIds = new Set(memberships.map((membership) => membership.studentId));
      for (const username of planned.students) if (memberIds.has(students.get(username)?.existing?.id ?? '')) planned.members.add(username);
    }),
  );

  const all = [...students.values()];
  return {
    errors,
    classes: [...classes.values()],
    students,
    created: all.filter((student) => !student.existing).length,
    existing: all.filter((student) => student.existing).length,
    classesCreated: [...classes.values()].filter((planned) => !planned.existing).length,
  };
}
