// The grade outbox: a student's best score for a launched lesson is queued
// in the store in the same commit as the quiz attempt, and a worker sends
// it to the LMS's line item (AGS), retrying with backoff until it arrives.
// One row per student and resource link holds the newest score; a send is
// marked done only if no newer score replaced it meanwhile, so the LMS never
// gets an older score after a newer one. Every instance runs a worker; each
// send is claimed first (an insert only one instance can make), so no score
// is sent twice.
import type { AppContext } from '../context.ts';
import { insert, isConflict, put, remove, take, type Attempt, type LtiGrade, type StoreChange, type User } from '../store/backend.ts';
import { keys } from '../store/keys.ts';
import { attemptsOf } from '../learning/progress.ts';
import { postScore, type TokenClient } from './services.ts';

/** Retry delays: 1 s, 2 s, 4 s … capped at a minute. */
export const FIRST_RETRY_MS = 1000;
export const MAX_RETRY_MS = 60_000;
const TICK_MS = 1000;
/**
 * A claim older than this was left by an instance killed mid-send (a send
 * takes at most a token request and a score request, 10 s each): the row is
 * tried again. On the embedded store one process holds the data (LOCK), so
 * its claims are cleared at start-up instead and the queue resumes at once.
 */
export const CLAIM_LEASE_MS = 30_000;
/** How long a stopping worker waits for a send in flight to finish and release its claim. */
const STOP_WAIT_MS = 2000;

export function retryDelay(tries: number): number {
  return Math.min(MAX_RETRY_MS, FIRST_RETRY_MS * 2 ** Math.max(0, tries - 1));
}

/**
 * The outbox rows a new attempt queues: one per LMS resource link of this
 * lesson in the student's classes, when the best score (or passing) changed.
 * The first attempt always counts, even at 0%.
 */
export async function gradeChanges(ctx: AppContext, student: User, attempt: Attempt): Promise<StoreChange[]> {
  // Only an account an LMS launch made has an LTI identity: for everyone else
  // (nearly every student outside an LMS) a quiz answer reads nothing more.
  if (!student.fromLms) return [];
  const earlier = await attemptsOf(ctx.store, student.id, attempt.lessonId);
  const memberships = await ctx.store.find('memberships', 'studentId', student.id);
  const links = (await ctx.store.findAny('ltiResourceLinks', 'classId', memberships.map((membership) => membership.classId)))
    .filter((link) => link.lessonId === attempt.lessonId && link.lineItemUrl);
  if (!links.length) return [];
  const previousBest = earlier.length ? Math.max(...earlier.map((one) => one.percent)) : null;
  const passedBefore = earlier.some((one) => one.passed);
  const best = Math.max(previousBest ?? 0, attempt.percent);
  const passed = passedBefore || attempt.passed;
  if (previousBest !== null && best === previousBest && passed === passedBefore) return [];
  const changes: StoreChange[] = [];
  for (const link of links) {
    const id = keys.ltiGrade(link.id, student.id);
    const before = await ctx.store.get('ltiGrades', id);
    changes.push(
      put('ltiGrades', {
        id,
        studentId: student.id,
        classId: link.classId,
        linkId: link.id,
        lessonId: link.lessonId,
        percent: best,
        passed,
        timestamp: attempt.at,
        seq: (before?.seq ?? 0) + 1,
        status: 'pending',
        tries: 0,
        nextTryAt: new Date().toISOString(),
        lastError: null,
        sentAt: null,
      }),
    );
  }
  return changes;
}

/** Sends waiting scores, from start-up until stopped. */
export class GradeOutbox {
  private timer: NodeJS.Timeout | null = null;
  private running = false;
  private stopped = false;
  /** the tick in progress, so stopping can let its send finish */
  private current: Promise<void> | null = null;

  constructor(
    private readonly ctx: AppContext,
    private readonly tokens: TokenClient,
  ) {}

  start(): void {
    this.stopped = false;
    this.schedule(0);
  }

  /** Stops looking at the queue; resolves once a send in flight ended (or after a short wait). */
  stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const current = this.current;
    if (!current) return Promise.resolve();
    return Promise.race([current, new Promise<void>((resolve) => setTimeout(resolve, STOP_WAIT_MS).unref())]);
  }

  /** Claims left by a process that is gone: only the embedded store can know there is no other instance. */
  private async clearLeftClaims(): Promise<void> {
    if (this.claimsCleared || this.ctx.store.kind !== 'embedded') return;
    const left = await this.ctx.store.list('ltiGradeClaims');
    if (left.length) await this.ctx.store.commit(left.map((claim) => remove('ltiGradeClaims', claim.id)));
    this.claimsCleared = true;
  }
  private claimsCleared = false;

  /** Look at the queue now (a teacher pressed retry, or a score was queued). */
  poke(): void {
    if (!this.stopped && !this.running) this.schedule(0);
  }

  private schedule(delay: number): void {
    if (this.stopped) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.tick(), delay);
    this.timer.unref();
  }

  private tick(): Promise<void> {
    if (this.running || this.stopped) return Promise.resolve();
    this.current = this.work().finally(() => {
      this.current = null;
    });
    return this.current;
  }

  private async work(): Promise<void> {
    this.running = true;
    try {
      await this.clearLeftClaims();
      const due = (await this.ctx.store.find('ltiGrades', 'status', 'pending')).filter((row) => Date.parse(row.nextTryAt) <= Date.now());
      for (const row of due.sort((a, b) => a.timestamp.localeCompare(b.timestamp))) {
        if (this.stopped) break;
        await this.send(row);
      }
    } catch {
      // the store is closing or refusing writes: the rows stay queued for the next tick
    } finally {
      this.running = false;
      this.schedule(TICK_MS);
    }
  }

  /**
   * This instance's right to make this try of this row, or null when another
   * instance has it. A claim left by a stopped instance is cleared after the
   * lease by moving the row to its next try (a new claim id).
   */
  private async claim(row: LtiGrade): Promise<string | null> {
    const { store } = this.ctx;
    const id = keys.ltiGradeClaim(row.id, row.seq, row.tries);
    try {
      await store.commit([insert('ltiGradeClaims', { id, gradeId: row.id, studentId: row.studentId, claimedAt: new Date().toISOString() })]);
      // Another instance may have finished this very try between our read and our claim (its claim gone with it).
      const now = await store.get('ltiGrades', row.id);
      if (now && now.status === 'pending' && now.seq === row.seq && now.tries === row.tries) return id;
      await store.commit([remove('ltiGradeClaims', id)]);
      return null;
    } catch (error) {
      if (!isConflict(error)) throw error;
    }
    const held = await store.get('ltiGradeClaims', id);
    if (held && Date.now() - Date.parse(held.claimedAt) > CLAIM_LEASE_MS) {
      const fresh = await store.get('ltiGrades', row.id);
      if (fresh && fresh.seq === row.seq && fresh.tries === row.tries) {
        // take: of several instances clearing it at once, one does.
        await store.commit([take('ltiGradeClaims', id), put('ltiGrades', { ...fresh, tries: fresh.tries + 1, lastError: 'The send was cut off; trying again.', nextTryAt: new Date().toISOString() })]).catch((error) => {
          if (!isConflict(error)) throw error;
        });
      }
    }
    return null;
  }

  private async send(row: LtiGrade): Promise<void> {
    const { store } = this.ctx;
    const claim = await this.claim(row);
    if (!claim) return;
    let problem: string | null = null;
    try {
      const link = await store.get('ltiResourceLinks', row.linkId);
      const platform = link && (await store.get('ltiPlatforms', link.platformId));
      const identity = platform && (await store.find('ltiIdentities', 'userId', row.studentId)).find((one) => one.platformId === platform.id);
      if (!link?.lineItemUrl || !platform) problem = 'The LMS is no longer connected.';
      else if (!identity) problem = 'The student has no LMS account.';
      else {
        await postScore(this.tokens, platform, link.lineItemUrl, {
          userId: identity.sub,
          scoreGiven: row.percent,
          scoreMaximum: 100,
          activityProgress: row.passed ? 'Completed' : 'InProgress',
          gradingProgress: 'FullyGraded',
          timestamp: row.timestamp,
        });
      }
    } catch (error) {
      problem = (error as Error).message || 'The LMS did not take the score.';
    }
    const fresh = await store.get('ltiGrades', row.id);
    // A newer score came meanwhile: it goes next, in order (the claim goes either way).
    if (!fresh || fresh.seq !== row.seq) return void (await store.commit([remove('ltiGradeClaims', claim)]));
    const tries = fresh.tries + 1;
    const next: LtiGrade = problem
      ? { ...fresh, tries, lastError: problem, nextTryAt: new Date(Date.now() + retryDelay(tries)).toISOString() }
      : { ...fresh, tries, status: 'sent', lastError: null, sentAt: this.ctx.now().toISOString() };
    await store.commit([remove('ltiGradeClaims', claim), put('ltiGrades', next)]);
  }
}

/** Per student of a class: whether their LMS scores arrived. */
export async function gradeStatusOfClass(ctx: AppContext, classId: string): Promise<Map<string, { status: 'sent' | 'waiting'; lastError: string | null; lessons: number }>> {
  const result = new Map<string, { status: 'sent' | 'waiting'; lastError: string | null; lessons: number }>();
  for (const row of await ctx.store.find('ltiGrades', 'classId', classId)) {
    const entry = result.get(row.studentId) ?? { status: 'sent' as const, lastError: null, lessons: 0 };
    entry.lessons += 1;
    if (row.status === 'pending') {
      entry.status = 'waiting';
      entry.lastError = row.lastError ?? entry.lastError;
    }
    result.set(row.studentId, entry);
  }
  return result;
}

/** A teacher's retry: the student's waiting scores in this class are tried again now. */
export async function retryNow(ctx: AppContext, classId: string, studentId: string): Promise<number> {
  const rows = (await ctx.store.find('ltiGrades', 'studentId', studentId)).filter((row) => row.classId === classId && row.status === 'pending');
  if (rows.length) await ctx.store.commit(rows.map((row) => put('ltiGrades', { ...row, nextTryAt: new Date().toISOString() })));
  return rows.length;
}
