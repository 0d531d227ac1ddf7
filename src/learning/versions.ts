// Tells when anything a progress page shows has changed: every change to a
// student's work or a class's set-up bumps a counter in the store (see
// versionKeysOf in store/schema.ts), and a page's version is built from the
// counters of what it shows. The counters are read from the store on every
// request, so a page changed through another instance is never served stale.
import type { StoreBackend } from '../store/backend.ts';
import { versionKey } from '../store/schema.ts';

/** Classes whose member lists are kept; past this many, the kept lists are dropped and found again. */
const CLASSES_KEPT = 5_000;

export class Versions {
  /**
   * Each class's members as of a version of its set-up. Joining or leaving
   * a class bumps its set-up counter (versionKeysOf), so a list kept for the
   * counter the store still reports is the class's list: a class page then
   * reads its counters in one go instead of finding every membership first
   * (35 lookups in the district's 20,000 memberships, or a query on
   * PostgreSQL).
   */
  private readonly members = new Map<string, { setup: number; studentIds: string[] }>();

  constructor(private readonly store: StoreBackend) {}

  /**
   * What a class page shows: the class's set-up and every member's work, on
   * this day (overdue marks change at midnight). Counters only grow, so the
   * sum changes whenever any member's work does.
   */
  async classPage(classId: string, day: string): Promise<string> {
    // The set-up counter is read before the members: a list found after it is
    // at least that recent, and any later change to the class bumps the counter.
    let setupBefore: number;
    const kept = this.members.get(classId);
    if (kept) {
      const [setup, ...work] = await this.counters(classId, kept.studentIds);
      if (setup === kept.setup) return classPageVersion(day, setup, work);
      setupBefore = setup;
    } else {
      [setupBefore] = await this.store.versions([versionKey.class(classId)]);
    }
    const studentIds = (await this.store.find('memberships', 'classId', classId)).map((membership) => membership.studentId);
    if (this.members.size >= CLASSES_KEPT) this.members.clear();
    this.members.set(classId, { setup: setupBefore, studentIds });
    const [setup, ...work] = await this.counters(classId, studentIds);
    return classPageVersion(day, setup, work);
  }

  private counters(classId: string, studentIds: string[]): Promise<number[]> {
    return this.store.versions([versionKey.class(classId), ...studentIds.map((studentId) => versionKey.student(studentId))]);
  }

  /** What a student's home page shows: their work and the set-up of each of their classes. */
  async studentHome(studentId: string, day: string): Promise<string> {
    const memberships = await this.store.find('memberships', 'studentId', studentId);
    const counters = await this.store.versions([versionKey.student(studentId), ...memberships.map((membership) => versionKey.class(membership.classId))]);
    return `${day}:${counters.join(':')}`;
  }
}

function classPageVersion(day: string, setup: number, work: number[]): string {
  return `${day}:${setup}:${work.reduce((sum, value) => sum + value, 0)}:${work.length}`;
}
