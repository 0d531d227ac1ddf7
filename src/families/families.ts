// Parents link to a child with a one-time code the child makes; the child
// sees which adults are linked and which codes are still open, and can
// cancel either. Codes are the child's secret: no teacher page or export
// shows them.
import type { AppContext } from '../context.ts';
import { invalid, notFound } from '../http/errors.ts';
import type { Requester } from '../accounts/throttles.ts';
import { normaliseCode, randomCode } from '../ids.ts';
import { assignmentsForStudent, progressByLesson, NOT_STARTED, isOverdue, today } from '../learning/progress.ts';
import { insert, isConflict, put, remove, take, type User } from '../store/backend.ts';
import { keys } from '../store/keys.ts';
import { checkupsOfClass, isComplete } from '../checkups/checkups.ts';

const CODE_DAYS = 7;

export async function createParentCode(ctx: AppContext, student: User): Promise<{ code: string; expiresAt: string }> {
  const expiresAt = new Date(ctx.now().getTime() + CODE_DAYS * 24 * 60 * 60 * 1000).toISOString();
  for (;;) {
    const code = randomCode(8);
    try {
      await ctx.store.commit([insert('parentCodes', { id: code, studentId: student.id, expiresAt })]);
      return { code: formatCode(code), expiresAt };
    } catch (error) {
      if (!isConflict(error, 'parentCodes.id')) throw error; // that code is in use: draw another
    }
  }
}

/** Shown as ABCD-EFGH: easier to read out and type. */
export function formatCode(code: string): string {
  return `${code.slice(0, 4)}-${code.slice(4)}`;
}

export async function linkChild(ctx: AppContext, parent: User, typed: string, requester: Requester): Promise<User> {
  const code = await ctx.throttles.parentCodes.guess(requester, 'code', async () => {
    const found = await ctx.store.get('parentCodes', normaliseCode(typed));
    return found && (await ctx.store.get('users', found.studentId)) ? found : undefined;
  });
  if (!code) throw invalid('That code does not work. Check it with your child, or ask them for a new one.', 'code');
  const child = (await ctx.store.get('users', code.studentId))!;
  if (new Date(code.expiresAt) <= ctx.now()) {
    await ctx.store.commit([remove('parentCodes', code.id)]);
    throw invalid('That code has expired. Ask your child to make a new one.', 'code');
  }
  const id = keys.parentLink(parent.id, child.id);
  const linked = await ctx.store.get('parentLinks', id);
  try {
    // `take`: a code redeemed at the same moment by someone else fails here, and nothing is linked.
    await ctx.store.commit([
      take('parentCodes', code.id),
      ...(linked ? [] : [put('parentLinks', { id, parentId: parent.id, studentId: child.id, createdAt: ctx.now().toISOString() })]),
    ]);
  } catch (error) {
    if (isConflict(error, 'parentCodes.id')) throw invalid('That code has just been used. Ask your child for a new one.', 'code');
    throw error;
  }
  return child;
}

export async function linkedAdults(ctx: AppContext, studentId: string) {
  const links = await ctx.store.find('parentLinks', 'studentId', studentId);
  const parents = await ctx.store.getMany('users', links.map((link) => link.parentId));
  return links
    .map((link) => ({ link, parent: parents.find((parent) => parent.id === link.parentId) }))
    .filter((entry): entry is { link: typeof entry.link; parent: User } => entry.parent !== undefined)
    .map(({ link, parent }) => ({ id: parent.id, displayName: parent.displayName, username: parent.username, linkedAt: link.createdAt, lastViewedAt: link.lastViewedAt ?? null }));
}

/** Views closer together than this count as one: opening a child's page again and again costs no write. */
export const VIEW_RECORD_INTERVAL_MS = 10 * 60 * 1000;

/**
 * Notes that a parent looked at a child's progress, so the child can see
 * when. The link is taken and put back in one commit: if the child removed
 * the link a moment ago, the commit fails and no link comes back.
 */
export async function recordParentView(ctx: AppContext, parent: User, child: User): Promise<void> {
  const id = keys.parentLink(parent.id, child.id);
  const link = await ctx.store.get('parentLinks', id);
  if (!link) return;
  const now = ctx.now();
  if (link.lastViewedAt && now.getTime() - new Date(link.lastViewedAt).getTime() < VIEW_RECORD_INTERVAL_MS) return;
  try {
    await ctx.store.commit([take('parentLinks', id), put('parentLinks', { ...link, lastViewedAt: now.toISOString() })]);
  } catch (error) {
    if (!isConflict(error, 'parentLinks.id')) throw error; // the link ended meanwhile: nothing to record
  }
}

export async function openCodes(ctx: AppContext, studentId: string) {
  return (await ctx.store.find('parentCodes', 'studentId', studentId))
    .filter((code) => new Date(code.expiresAt) > ctx.now())
    .map((code) => ({ code: formatCode(code.id), expiresAt: code.expiresAt }));
}

/** Cancels one of the student's unused codes; 404 for a code that is not theirs (or no longer open). */
export async function cancelCode(ctx: AppContext, studentId: string, typed: string): Promise<void> {
  const code = await ctx.store.get('parentCodes', normaliseCode(typed));
  if (!code || code.studentId !== studentId) throw notFound('That code is not one of your open codes.');
  await ctx.store.commit([remove('parentCodes', code.id)]);
}

/**
 * Ends an adult's link. The student's unused codes go too: a code is not
 * marked with the adult it was made for, and an adult being removed may
 * well have seen one.
 */
export async function unlinkAdult(ctx: AppContext, studentId: string, parentId: string): Promise<void> {
  const id = keys.parentLink(parentId, studentId);
  if (!(await ctx.store.get('parentLinks', id))) throw notFound('That adult is not linked to you.');
  const codes = await ctx.store.find('parentCodes', 'studentId', studentId);
  await ctx.store.commit([remove('parentLinks', id), ...codes.map((code) => remove('parentCodes', code.id))]);
}

export async function childrenOf(ctx: AppContext, parentId: string): Promise<User[]> {
  const links = await ctx.store.find('parentLinks', 'parentId', parentId);
  return (await ctx.store.getMany('users', links.map((link) => link.studentId)))
    .sort((a, b) => a.displayName.localeCompare(b.displayName));
}

/** A linked child, else 404: a parent may not learn whether other children exist. */
export async function linkedChild(ctx: AppContext, parent: User, studentId: string): Promise<User> {
  const child = (await ctx.store.get('parentLinks', keys.parentLink(parent.id, studentId))) ? await ctx.store.get('users', studentId) : undefined;
  if (!child) throw notFound();
  return child;
}

export async function childProgress(ctx: AppContext, child: User) {
  const progress = await progressByLesson(ctx.store, child.id);
  const day = today(ctx.now());
  return (await assignmentsForStudent(ctx.store, ctx.catalog, child.id)).map((assignment) => {
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
export async function childTimeline(ctx: AppContext, child: User) {
  const events: { at: string; kind: 'opened' | 'attempt'; title: string; percent?: number; passed?: boolean }[] = [];
  for (const open of await ctx.store.find('lessonOpens', 'studentId', child.id)) {
    events.push({ at: open.at, kind: 'opened', title: ctx.catalog.lesson(open.lessonId)?.title ?? open.lessonId });
  }
  for (const attempt of await ctx.store.find('attempts', 'studentId', child.id)) {
    events.push({ at: attempt.at, kind: 'attempt', title: ctx.catalog.lesson(attempt.lessonId)?.title ?? attempt.lessonId, percent: attempt.percent, passed: attempt.passed });
  }
  return events.sort((a, b) => b.at.localeCompare(a.at)).slice(0, 30);
}

/** A parent sees only whether each check-up was completed, never the ratings. */
export async function childCheckups(ctx: AppContext, child: User) {
  const result = [];
  for (const membership of await ctx.store.find('memberships', 'studentId', child.id)) {
    for (const checkup of await checkupsOfClass(ctx, membership.classId)) {
      result.push({ phase: checkup.phase, due: checkup.due, completed: await isComplete(ctx, checkup, child.id) });
    }
  }
  return result;
}
