// Tells when anything a progress page shows has changed: every change to a
// student's work or a class's set-up bumps a counter in the store (see
// versionKeysOf in store/schema.ts), and a page's version is built from the
// counters of what it shows. The counters are read from the store on every
// request, so a page changed through another instance is never served stale.
import type { StoreBackend } from '../store/backend.ts';
import { versionKey } from '../store/schema.ts';

export class Versions {
  constructor(private readonly store: StoreBackend) {}

  /**
   * What a class page shows: the class's set-up and every member's work, on
   * this day (overdue marks change at midnight). Counters only grow, so the
   * sum changes whenever any member's work does.
   */
  async classPage(classId: string, day: string): Promise<string> {
    const members = await this.store.find('memberships', 'classId', classId);
    const [setup, ...work] = await this.store.versions([versionKey.class(classId), ...members.map((membership) => versionKey.student(membership.studentId))]);
    return `${day}:${setup}:${work.reduce((sum, value) => sum + value, 0)}:${members.length}`;
  }

  /** What a student's home page shows: their work and the set-up of each of their classes. */
  async studentHome(studentId: string, day: string): Promise<string> {
    const memberships = await this.store.find('memberships', 'studentId', studentId);
    const counters = await this.store.versions([versionKey.student(studentId), ...memberships.map((membership) => versionKey.class(membership.classId))]);
    return `${day}:${counters.join(':')}`;
  }
}
