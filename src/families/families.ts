// Parents link to a child with a one-time code the child makes; the child
// sees which adults are linked and which codes are still open, and can
// cancel either. Codes are the child's secret: no teacher page or export
// shows them.
import type { AppContext } from '../context.ts';
import { invalid, notFound } from '../http/errors.ts';
import type { Requester } from '../accounts/throttles.ts';
import { normaliseCode, randomCode } from '../ids.ts';
import { assignmentsForStudent, progressByLesson, NOT_STARTED, isOverdue, today } from '../learning/progress.ts';
import { put, remove, type User } from '../store/index.ts';
import { checkupsOfClass, isComplete } from '../checkups/checkups.ts';

const CODE_DAYS = 7;

export async function createParentCode(ctx: AppContext, student: User): Promise<{ code: string; expiresAt: string }> {
  let code = randomCode(8);
  while (ctx.store.get('parentCodes', code)) code = randomCode(8);
  const expiresAt = new Date(ctx.now().getTime() + CODE_DAYS * 24 * 60 * 60 * 1000).toISOString();
  await ctx.store.commit([put('parentCodes', { id: code, studentId: student.id, expiresAt })]);
  return { code: formatCode(code), expiresAt };
}

/** Shown as ABCD-EFGH: easier to read out and type. */
export function formatCode(code: string): string {
  return `${code.slice(0, 4)}-${code.slice(4)}`;
}

export async function linkChild(ctx: AppContext, parent: User, typed: string, requester: Requester): Promise<User> {
  const code = await ctx.throttles.parentCodes.guess(requester, 'code', () => {
    const found = ctx.store.get('parentCodes', normaliseCode(typed));
    return found && ctx.store.get('users', found.studentId) ? found : undefined;
  });
  if (!code) throw invalid('That code does not work. Check it with your child, or ask them for a new one.', 'code');
  const child = ctx.store.get('users', code.studentId)!;
  if (new Date(code.expiresAt) <= ctx.now()) {
    await ctx.store.commit([remove('parentCodes', code.id)]);
    throw invalid('That code has expired. Ask your child to make a new one.', 'code');
  }
  const id = `${parent.id}:${child.id}`;
  await ctx.store.commit([
    remove('parentCodes', code.id),
    ...(ctx.store.get('parentLinks', id) ? [] : [put('parentLinks', { id, parentId: parent.id, studentId: child.id, createdAt: ctx.now().toISOString() })]),
  ]);
  return child;
}

export function linkedAdults(ctx: AppContext, studentId: string) {
  return ctx.store
    .find('parentLinks', 'studentId', studentId)
    .map((link) => ({ link, parent: ctx.store.get('users', link.parentId) }))
    .filter((entry): entry is { link: typeof entry.link; parent: User } => entry.parent !== undefined)
    .map(({ link, parent }) => ({ id: parent.id, displayName: parent.displayName, username: parent.username, linkedAt: link.createdAt }));
}

export function openCodes(ctx: AppContext, studentId: string) {
  return ctx.store
    .find('parentCodes', 'studentId', studentId)
    .filter((code) => new Date(code.expiresAt) > ctx.now())
    .map((code) => ({ code: formatCode(code.id), expiresAt: code.expiresAt }));
}

/** Cancels one of the student's unused codes; 404 for a code that is not theirs (or no longer open). */
export async function cancelCode(ctx: AppContext, studentId: string, typed: string): Promise<void> {
  const code = ctx.store.get('parentCodes', normaliseCode(typed));
  if (!code || code.studentId !== studentId) throw notFound('That code is not one of your open codes.');
  await ctx.store.commit([remove('parentCodes', code.id)]);
}

/**
 * Ends an adult's link. The student's unused codes go too: a code is not
 * marked with the adult it was made for, and an adult being removed may
 * well have seen one.
 */
export async function unlinkAdult(ctx: AppContext, studentId: string, parentId: string): Promise<void> {
  const id = `${parentId}:${studentId}`;
  if (!ctx.store.get('parentLinks', id)) throw notFound('That adult is not linked to you.');
  const codes = ctx.store.find('parentCodes', 'studentId', studentId);
  await ctx.store.commit([remove('parentLinks', id), ...codes.map((code) => remove('parentCodes', code.id))]);
}

export function childrenOf(ctx: AppContext, parentId: string): User[] {
  return ctx.store
    .find('parentLinks', 'parentId', parentId)
    .map((link) => ctx.store.get('users', link.studentId))
    .filter((child): child is User => child !== undefined)
    .sort((a, b) => a.displayName.localeCompare(b.displayName));
}

/** A linked child, else 404: a parent may not learn whether other children exist. */
export function linkedChild(ctx: AppContext, parent: User, studentId: string): User {
  const child = ctx.store.get('parentLinks', `${parent.id}:${studentId}`) ? ctx.store.get('users', studentId) : undefined;
  if (!child) throw notFound();
  return child;
}

export function childProgress(ctx: AppContext, child: User) {
  const progress = progressByLesson(ctx.store, child.id);
  const day = today(ctx.now());
  return assignmentsForStudent(ctx.store, ctx.catalog, child.id).map((assignment) => {
    const lesson = ctx.catalog.lesson(assignment.lessonId)!;
    const cell = progress.get(assignment.lessonId) ?? NOT_STARTED;
    return {
      lessonId: assignment.lessonId,
      title: assignment.title,
      summary: lesson.summary,
      parentPrompt: lesson.parentPrompt,
      due: assignment.due,
      status: cell.status,
      bestPercent: cell.bestPercent,
      attempts: cell.attempts,
      lastAttemptAt: cell.lastAttemptAt,
      overdue: isOverdue(assignment.due, cell.status, day),
    };
  });
}

/** The child's work in time order, for the parent's timeline. */
export function childTimeline(ctx: AppContext, child: User) {
  const events: { at: string; kind: 'opened' | 'attempt'; title: string; percent?: number; passed?: boolean }[] = [];
  for (const open of ctx.store.find('lessonOpens', 'studentId', child.id)) {
    events.push({ at: open.at, kind: 'opened', title: ctx.catalog.lesson(open.lessonId)?.title ?? open.lessonId });
  }
  for (const attempt of ctx.store.find('attempts', 'studentId', child.id)) {
    events.push({ at: attempt.at, kind: 'attempt', title: ctx.catalog.lesson(attempt.lessonId)?.title ?? attempt.lessonId, percent: attempt.percent, passed: attempt.passed });
  }
  return events.sort((a, b) => b.at.localeCompare(a.at)).slice(0, 30);
}

/** A parent sees only whether each check-up was completed, never the ratings. */
export function childCheckups(ctx: AppContext, child: User) {
  return ctx.store
    .find('memberships', 'studentId', child.id)
    .flatMap((membership) => checkupsOfClass(ctx, membership.classId))
    .map((checkup) => ({ phase: checkup.phase, due: checkup.due, completed: isComplete(ctx, checkup, child.id) }));
}
