// What a school must be able to do on request: hand over everything stored
// about a student, and erase it. Erased records are gone from memory at once
// and from every file after the compaction that follows.
import type { AppContext } from '../context.ts';
import { notFound } from '../http/errors.ts';
import { decodeAnswers } from '../learning/answer-codec.ts';
import { remove, type Attempt, type Change, type CollectionName } from '../store/index.ts';

/** Every collection that holds records about a student, and the field that names them. */
const STUDENT_RECORDS: [CollectionName, 'studentId' | 'userId'][] = [
  ['memberships', 'studentId'],
  ['attempts', 'studentId'],
  ['lessonOpens', 'studentId'],
  ['parentCodes', 'studentId'],
  ['parentLinks', 'studentId'],
  ['checkupSittings', 'studentId'],
  ['checkupResponses', 'studentId'],
  ['researchIds', 'studentId'],
  ['scenarioRuns', 'studentId'],
  ['boosterResults', 'studentId'],
  ['sessions', 'userId'],
];

/**
 * Secrets, not data about the student, and the export is fetched by a
 * teacher: session cookies, and unused parent codes (anyone holding one
 * could link to the student as their parent).
 */
const NOT_EXPORTED = new Set<CollectionName>(['sessions', 'parentCodes']);

export function exportStudentData(ctx: AppContext, studentId: string) {
  const student = ctx.store.get('users', studentId);
  if (!student || student.role !== 'student') throw notFound();
  const { passwordHash: _hash, ...account } = student;
  const records: Record<string, unknown[]> = {};
  for (const [collection, field] of STUDENT_RECORDS) {
    if (NOT_EXPORTED.has(collection)) continue;
    records[collection] = ctx.store.find(collection, field as never, studentId);
  }
  // Answers are kept packed; the export spells them out per question.
  records.attempts = (records.attempts as Attempt[]).map((attempt) => ({ ...attempt, answers: decodeAnswers(ctx.store, attempt.answers) }));
  const classes = (records.memberships as { classId: string }[]).map((membership) => {
    const record = ctx.store.get('classes', membership.classId);
    return record ? { id: record.id, name: record.name } : { id: membership.classId };
  });
  const linkedAdults = (records.parentLinks as { parentId: string }[]).map((link) => {
    const parent = ctx.store.get('users', link.parentId);
    return { id: link.parentId, displayName: parent?.displayName ?? null };
  });
  return { exportedAt: ctx.now().toISOString(), account, classes, linkedAdults, ...records };
}

export async function eraseStudent(ctx: AppContext, studentId: string): Promise<void> {
  const student = ctx.store.get('users', studentId);
  if (!student || student.role !== 'student') throw notFound();
  const changes: Change[] = [remove('users', studentId)];
  for (const [collection, field] of STUDENT_RECORDS) {
    for (const record of ctx.store.find(collection, field as never, studentId)) changes.push(remove(collection, record.id));
  }
  await ctx.store.commit(changes);
  // Fold the journal now, so the erased data leaves the files without waiting.
  await ctx.store.compact();
}
