// What a school must be able to do on request: hand over everything stored
// about a student, and erase it. Only the school's admin does either (the
// policy's student.export and student.erase), and each is in the audit log.
// Erasure is the store's job (every backend removes the same records; see
// STUDENT_RECORDS in store/schema.ts).
import type { AppContext } from '../context.ts';
import { auditEvent } from '../audit/events.ts';
import { decodeAnswers } from '../learning/answer-codec.ts';
import type { Resource } from '../http/policy.ts';
import { type Attempt, type User } from '../store/backend.ts';
import { STUDENT_RECORDS } from '../store/schema.ts';

/** A student as the policy sees them. */
export function studentResource(student: User): Extract<Resource, { kind: 'student' }> {
  return { kind: 'student', id: student.id, schoolId: student.schoolId };
}

/** What audit events call an erased student: nothing that names them. */
export const ERASED_STUDENT = 'a student account';

/**
 * Secrets, not data about the student, and the export is a file that leaves
 * the platform: session cookies, and unused parent codes (anyone holding one
 * could link to the student as their parent).
 */
const NOT_EXPORTED = new Set<string>(['sessions', 'parentCodes']);

/** Everything stored about the student, as the admin downloads it (recorded in the audit log). */
export async function exportStudentData(ctx: AppContext, admin: User, student: User) {
  const studentId = student.id;
  const { passwordHash: _hash, inviteId: _invite, ...account } = student;
  const records: Record<string, unknown[]> = {};
  for (const [collection, field] of STUDENT_RECORDS) {
    if (NOT_EXPORTED.has(collection)) continue;
    records[collection] = await ctx.store.find(collection, field as never, studentId);
  }
  // Answers are kept packed; the export spells them out per question.
  records.attempts = await Promise.all((records.attempts as Attempt[]).map(async (attempt) => ({ ...attempt, answers: await decodeAnswers(ctx.store, attempt.answers) })));
  const memberships = records.memberships as { classId: string }[];
  const classRecords = await ctx.store.getMany('classes', memberships.map((membership) => membership.classId));
  const classes = memberships.map((membership) => {
    const record = classRecords.find((candidate) => candidate.id === membership.classId);
    return record ? { id: record.id, name: record.name } : { id: membership.classId };
  });
  const links = records.parentLinks as { parentId: string }[];
  const parents = await ctx.store.getMany('users', links.map((link) => link.parentId));
  const linkedAdults = links.map((link) => ({ id: link.parentId, displayName: parents.find((parent) => parent.id === link.parentId)?.displayName ?? null }));
  const at = ctx.now();
  await ctx.store.commit([auditEvent({ schoolId: student.schoolId!, actor: admin, action: 'student.exported', target: `student ${student.username}`, targetUserId: student.id, at })]);
  return { exportedAt: at.toISOString(), account, classes, linkedAdults, ...records };
}

/**
 * Erases the student; the erasure's audit event is written in the same
 * commit, and the store takes the student's name out of older events about
 * them (schema.ts scrubbedEvent).
 */
export async function eraseStudent(ctx: AppContext, admin: User, student: User): Promise<void> {
  // Throttle counts are kept under a keyed hash and expire within the hour, so none names the student.
  await ctx.store.eraseStudent(student.id, [
    auditEvent({ schoolId: student.schoolId!, actor: admin, action: 'student.erased', target: ERASED_STUDENT, at: ctx.now() }),
  ]);
}
