// What a school must be able to do on request: hand over everything stored
// about a student, and erase it. Erasure is the store's job (every backend
// removes the same records; see STUDENT_RECORDS in store/schema.ts).
import type { AppContext } from '../context.ts';
import { notFound } from '../http/errors.ts';
import { decodeAnswers } from '../learning/answer-codec.ts';
import type { Attempt } from '../store/backend.ts';
import { STUDENT_RECORDS } from '../store/schema.ts';

/**
 * Secrets, not data about the student, and the export is fetched by a
 * teacher: session cookies, and unused parent codes (anyone holding one
 * could link to the student as their parent).
 */
const NOT_EXPORTED = new Set<string>(['sessions', 'parentCodes']);

export async function exportStudentData(ctx: AppContext, studentId: string) {
  const student = await ctx.store.get('users', studentId);
  if (!student || student.role !== 'student') throw notFound();
  const { passwordHash: _hash, ...account } = student;
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
  return { exportedAt: ctx.now().toISOString(), account, classes, linkedAdults, ...records };
}

export async function eraseStudent(ctx: AppContext, studentId: string): Promise<void> {
  const student = await ctx.store.get('users', studentId);
  if (!student || student.role !== 'student') throw notFound();
  // Throttle counts are kept under a keyed hash and expire within the hour, so none names the student.
  await ctx.store.eraseStudent(studentId);
}
