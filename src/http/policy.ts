// Who may do what: the one place that decides. Routes load what a request is
// about (router.param load steps), describe it as a Resource and ask
// `authorize(user, action, resource)`; nothing else compares roles or ids to
// grant access.
//
// The rules in words:
// - Nothing crosses a school's boundary: a user of one school is refused
//   everything about another school as if it did not exist (404).
// - An admin runs their school: invitations, teachers, rosters, the audit
//   log, retention, LMS connections, and the only one who exports or erases
//   a student. An admin may also teach.
// - A teacher acts on students only through classes they teach (404 for a
//   class of a colleague: its existence is not theirs to know).
// - A student acts on their own work, and sees that a class they are in
//   exists (403 on its teacher pages) and may take its check-ups.
// - A parent sees only linked children; they belong to no school.
// - Lessons are the course: every signed-in account may read them.
// - Co-teachers: the class's teachers (any of them) or the admin add one, of
//   the same school. A deactivated account may do nothing at all.
import type { User } from '../store/backend.ts';
import { forbidden, notFound } from './errors.ts';

export type Resource =
  | { kind: 'school'; schoolId: string }
  /** studentIds: the students known to be in it (the viewer, when they are one of them) */
  | { kind: 'class'; schoolId: string | undefined; teacherIds: readonly string[]; studentIds?: readonly string[] }
  | { kind: 'lesson'; id: string }
  | { kind: 'teacher'; id: string; schoolId: string | null | undefined }
  | { kind: 'student'; id: string; schoolId: string | null | undefined }
  | { kind: 'child'; id: string; parentIds: readonly string[] };

/** Every action a route can ask about, with the kind of resource it is asked on. */
export interface Actions {
  /** dashboard, invitations, deactivations, roster import, audit log, retention */
  'school.manage': 'school';
  /** connect or disconnect an LMS (LTI platforms) */
  'school.lms': 'school';
  /** make a new class in this school */
  'class.create': 'school';
  /** the class page, its progress, answers, roster, check-up and mastery reports */
  'class.view': 'class';
  /** assignments, join codes, check-ups, co-teachers, removing a student, password resets */
  'class.manage': 'class';
  /** a student's part in a class: its check-ups */
  'class.attend': 'class';
  /** read a lesson, its quiz and its practice chat */
  'lesson.view': 'lesson';
  /** deactivate a teacher (their sessions end, their classes move on) */
  'teacher.deactivate': 'teacher';
  /** a student's account data as a file */
  'student.export': 'student';
  /** erase every record about a student */
  'student.erase': 'student';
  /** a parent's view of a linked child */
  'child.view': 'child';
}

export type Action = keyof Actions;
type ResourceOf<A extends Action> = Extract<Resource, { kind: Actions[A] }>;

/** allow; forbidden (403: you may know it exists, your role may not do this); hidden (404). */
export type Decision = 'allow' | 'forbidden' | 'hidden';

function sameSchool(user: User, schoolId: string | null | undefined): boolean {
  return Boolean(schoolId) && user.schoolId === schoolId;
}

function isStaff(user: User): boolean {
  return user.role === 'admin' || user.role === 'teacher';
}

const RULES: { [A in Action]: (user: User, resource: ResourceOf<A>) => Decision } = {
  'school.manage': (user, school) => (!sameSchool(user, school.schoolId) ? 'hidden' : user.role === 'admin' ? 'allow' : 'forbidden'),
  'school.lms': (user, school) => (!sameSchool(user, school.schoolId) ? 'hidden' : user.role === 'admin' ? 'allow' : 'forbidden'),
  'class.create': (user, school) => (!sameSchool(user, school.schoolId) ? 'hidden' : isStaff(user) ? 'allow' : 'forbidden'),
  'class.view': (user, record) => classRule(user, record),
  'class.manage': (user, record) => classRule(user, record),
  'class.attend': (user, record) => (sameSchool(user, record.schoolId) && user.role === 'student' && record.studentIds?.includes(user.id) ? 'allow' : 'hidden'),
  'lesson.view': () => 'allow',
  'teacher.deactivate': (user, teacher) => (!sameSchool(user, teacher.schoolId) ? 'hidden' : user.role !== 'admin' ? 'forbidden' : teacher.id === user.id ? 'forbidden' : 'allow'),
  'student.export': (user, student) => adminOfStudent(user, student),
  'student.erase': (user, student) => adminOfStudent(user, student),
  'child.view': (user, child) => (user.role === 'parent' && child.parentIds.includes(user.id) ? 'allow' : 'hidden'),
};

/** A class is its teachers' and its school admin's; to everyone else it does not exist. */
function classRule(user: User, record: ResourceOf<'class.view'>): Decision {
  if (!sameSchool(user, record.schoolId)) return 'hidden';
  if (record.teacherIds.includes(user.id) || user.role === 'admin') return 'allow';
  // A student of the class knows it exists; its teacher pages are not theirs.
  if (user.role === 'student' && record.studentIds?.includes(user.id)) return 'forbidden';
  return 'hidden';
}

function adminOfStudent(user: User, student: ResourceOf<'student.erase'>): Decision {
  if (!sameSchool(user, student.schoolId)) return 'hidden';
  return user.role === 'admin' ? 'allow' : 'forbidden';
}

export function decide<A extends Action>(user: User, action: A, resource: ResourceOf<A>): Decision {
  if (user.deactivatedAt) return 'forbidden';
  return (RULES[action] as (user: User, resource: ResourceOf<A>) => Decision)(user, resource);
}

export function can<A extends Action>(user: User, action: A, resource: ResourceOf<A>): boolean {
  return decide(user, action, resource) === 'allow';
}

/** Throws the contract's 404 or 403 unless the user may do this. */
export function authorize<A extends Action>(user: User, action: A, resource: ResourceOf<A>): void {
  const decision = decide(user, action, resource);
  if (decision === 'hidden') throw notFound();
  if (decision === 'forbidden') throw forbidden('Your account may not do this.');
}
