// Tells when anything a progress page shows has changed: every change to a
// student's work or a class's set-up bumps a number, and a page's version is
// built from the numbers of what it shows.
import type { Store, CollectionName } from '../store/index.ts';

const STUDENT_WORK: CollectionName[] = ['attempts', 'lessonOpens', 'checkupSittings', 'checkupResponses', 'scenarioRuns', 'boosterResults'];
const CLASS_SETUP: CollectionName[] = ['classes', 'memberships', 'assignments', 'checkups', 'practiceSettings'];

export class Versions {
  private counter = 0;
  private students = new Map<string, number>();
  private classes = new Map<string, number>();

  constructor(private readonly store: Store) {
    store.onChange((collection, before, after) => {
      const record = (after ?? before) as Record<string, string> | undefined;
      if (!record) return;
      if (STUDENT_WORK.includes(collection)) this.students.set(record.studentId, ++this.counter);
      else if (CLASS_SETUP.includes(collection)) {
        this.classes.set(collection === 'classes' ? record.id : record.classId, ++this.counter);
        if (collection === 'memberships') this.students.set(record.studentId, ++this.counter);
      } else if (collection === 'users') this.students.set(record.id, ++this.counter);
    });
  }

  student(studentId: string): number {
    return this.students.get(studentId) ?? 0;
  }

  class(classId: string): number {
    return this.classes.get(classId) ?? 0;
  }

  /**
   * What a class page shows: the class's set-up and every member's work, on
   * this day (overdue marks change at midnight). Counters only grow, so the
   * sum changes whenever any member's work does.
   */
  classPage(classId: string, day: string): string {
    let work = 0;
    for (const membership of this.store.find('memberships', 'classId', classId)) work += this.student(membership.studentId);
    return `${day}:${this.class(classId)}:${work}`;
  }

  /** What a student's home page shows: their work and the set-up of each of their classes. */
  studentHome(studentId: string, day: string): string {
    let version = `${day}:${this.student(studentId)}`;
    for (const membership of this.store.find('memberships', 'studentId', studentId)) version += `:${this.class(membership.classId)}`;
    return version;
  }
}
