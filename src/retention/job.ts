// The daily retention job: per school, once a day, erase student accounts
// unused for the school's `inactiveMonths`, archive its classes after its
// `archiveClassesAfter` day, and delete audit events older than the retention
// period. Every erasure is in the audit log, and so is each run with its counts.
//
// Safe to run as often as you like and on several instances at once: a run
// first claims the school's day by inserting that day's `retention.run` event
// (a fixed id), so a second run the same day, here or elsewhere, does nothing.
import { lastActive } from '../accounts/activity.ts';
import { auditEvent } from '../audit/events.ts';
import { isConflict, put, remove, type School, type StoreBackend, type StoreChange, type User } from '../store/backend.ts';

export interface RetentionRun {
  schoolId: string;
  erased: number;
  archived: number;
  eventsRemoved: number;
}

/** What erasure events say instead of a name: nothing about the student is kept. */
export const RETENTION_TARGET = 'a student account (retention)';

/** The moment `months` calendar months before `now` (the 31st becomes the month's last day). */
export function monthsBefore(now: Date, months: number): Date {
  const date = new Date(now);
  const day = date.getUTCDate();
  date.setUTCDate(1);
  date.setUTCMonth(date.getUTCMonth() - months);
  const lastDay = new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1, 0)).getUTCDate();
  date.setUTCDate(Math.min(day, lastDay));
  return date;
}

function dayOf(time: Date | string): string {
  return (typeof time === 'string' ? time : time.toISOString()).slice(0, 10);
}

/** Runs the job for every school whose day has not been done yet. */
export async function applyRetention(store: StoreBackend, now: Date): Promise<RetentionRun[]> {
  const runs: RetentionRun[] = [];
  for (const school of await store.list('schools')) {
    const run = await applySchoolRetention(store, school, now);
    if (run) runs.push(run);
  }
  return runs;
}

/**
 * The latest sign-in, or for an account from before sign-ins were recorded,
 * the latest of its creation and its work, so an account in use is never
 * taken for an abandoned one.
 */
async function lastUse(store: StoreBackend, student: User): Promise<string> {
  if (student.lastActiveAt) return student.lastActiveAt;
  const times = [student.createdAt];
  for (const attempt of await store.find('attempts', 'studentId', student.id)) times.push(attempt.at);
  for (const open of await store.find('lessonOpens', 'studentId', student.id)) times.push(open.at);
  for (const result of await store.find('boosterResults', 'studentId', student.id)) times.push(result.at);
  for (const response of await store.find('checkupResponses', 'studentId', student.id)) times.push(response.at);
  for (const run of await store.find('scenarioRuns', 'studentId', student.id)) times.push(run.finishedAt ?? run.startedAt);
  return times.sort().at(-1)!;
}

/** One school's run, or null when today's is already done. */
export async function applySchoolRetention(store: StoreBackend, listed: School, now: Date): Promise<RetentionRun | null> {
  const today = dayOf(now);
  const school = (await store.get('schools', listed.id)) ?? listed;
  if (school.retention.lastRunAt && dayOf(school.retention.lastRunAt) >= today) return null;
  const { inactiveMonths, archiveClassesAfter } = school.retention;
  const cutoff = monthsBefore(now, inactiveMonths).toISOString();

  const inactive: User[] = [];
  for (const user of await store.find('users', 'schoolId', school.id)) {
    if (user.role !== 'student' || lastActive(user) >= cutoff) continue;
    if ((await lastUse(store, user)) < cutoff) inactive.push(user);
  }
  const toArchive = archiveClassesAfter && today > archiveClassesAfter ? (await store.find('classes', 'schoolId', school.id)).filter((record) => !record.archivedAt) : [];
  const expired = (await store.find('auditEvents', 'schoolId', school.id)).filter((event) => event.at < cutoff);

  const run: RetentionRun = { schoolId: school.id, erased: inactive.length, archived: toArchive.length, eventsRemoved: expired.length };
  const claim: StoreChange[] = [
    runEvent(school, now, run),
    put('schools', { ...school, retention: { ...school.retention, lastRunAt: now.toISOString() } }),
    ...toArchive.map((record) => put('classes', { ...record, archivedAt: now.toISOString() })),
    ...expired.map((event) => remove('auditEvents', event.id)),
  ];
  try {
    await store.commit(claim);
  } catch (error) {
    if (isConflict(error, 'auditEvents.id')) return null; // another instance ran today's
    throw error;
  }
  for (const listedStudent of inactive) {
    // Signed in while the run was being planned: kept.
    const student = await store.get('users', listedStudent.id);
    if (!student || lastActive(student) >= cutoff) continue;
    await store.eraseStudent(student.id, [
      auditEvent({ schoolId: school.id, actor: null, action: 'student.erased', target: RETENTION_TARGET, detail: `not used for ${inactiveMonths} months`, at: now }),
    ]);
  }
  return run;
}

function runEvent(school: School, now: Date, run: RetentionRun): StoreChange {
  return auditEvent({
    // The day's fixed id is the claim: a second run the same day conflicts on it.
    id: `retention-${school.id}-${dayOf(now)}`,
    schoolId: school.id,
    actor: null,
    action: 'retention.run',
    target: 'retention policy',
    detail: `${plural(run.erased, 'inactive student account')} erased, ${plural(run.archived, 'class', 'classes')} archived, ${plural(run.eventsRemoved, 'audit entry', 'audit entries')} older than ${school.retention.inactiveMonths} months deleted`,
    at: now,
  });
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** Checked every hour; each school's run happens once a day (the first check of its day). */
const CHECK_EVERY_MS = 60 * 60 * 1000;

/**
 * The server's daily job: runs now, then checks every hour. The timer does not
 * keep the process alive; a failed run (a full disk) is logged and tried again
 * at the next check.
 */
export function startRetentionTimer(store: StoreBackend, now: () => Date, log: (message: string) => void = console.error): NodeJS.Timeout {
  const check = () => {
    applyRetention(store, now()).then(
      (runs) => {
        for (const run of runs) if (run.erased || run.archived) console.log(`Retention: ${run.erased} inactive student accounts erased, ${run.archived} classes archived (school ${run.schoolId}).`);
      },
      (error: Error) => log(`Retention was not applied: ${error.message}`),
    );
  };
  check();
  const timer = setInterval(check, CHECK_EVERY_MS);
  timer.unref();
  return timer;
}
