// Per class, what the school dashboard pools: the scored check-up sittings
// and the passes of assigned lessons. A school of 2,000 students holds some
// 80,000 check-up ratings and as many quiz attempts; reading them all for
// every look at the dashboard is what made it slow. Each class's figures are
// kept at a version built from the store's change counters (the class's
// set-up and each member's work, see versionKeysOf in store/schema.ts), so a
// class is read again only when something in it changed, on whichever
// instance, and never served stale.
import type { AppContext } from '../context.ts';
import { groupBy } from '../group-by.ts';
import { passedLessonsOf } from '../learning/progress.ts';
import { versionKey } from '../store/schema.ts';
import { loadClassScores, type ClassScores } from '../checkups/report.ts';

export interface ClassFigures {
  classId: string;
  students: number;
  /** assigned lessons still in the course */
  assignedLessons: number;
  /** passed (student, assigned lesson) pairs */
  passed: number;
  /** the check-up data of the class; null without an item bank */
  scores: ClassScores | null;
}

/** Reads the figures of these classes: one query per collection for all of them. */
async function loadFigures(ctx: AppContext, classIds: string[]): Promise<ClassFigures[]> {
  const [memberships, assignments, scores] = await Promise.all([
    ctx.store.findAny('memberships', 'classId', classIds),
    ctx.store.findAny('assignments', 'classId', classIds),
    ctx.catalog.bank ? loadClassScores(ctx, classIds) : Promise.resolve(null),
  ]);
  const passedBy = await passedLessonsOf(ctx.store, [...new Set(memberships.map((membership) => membership.studentId))]);
  const studentsOf = groupBy(memberships, (membership) => membership.classId);
  const lessonsOf = groupBy(assignments, (assignment) => assignment.classId);
  return classIds.map((classId, index) => {
    const students = (studentsOf.get(classId) ?? []).map((membership) => membership.studentId);
    // A lesson removed from the course since it was assigned cannot be passed any more: it does not count.
    const lessons = (lessonsOf.get(classId) ?? []).map((assignment) => assignment.lessonId).filter((lessonId) => ctx.catalog.lesson(lessonId));
    let passed = 0;
    for (const studentId of students) {
      const own = passedBy.get(studentId)!;
      for (const lessonId of lessons) if (own.has(lessonId)) passed += 1;
    }
    return { classId, students: students.length, assignedLessons: lessons.length, passed, scores: scores ? scores[index] : null };
  });
}

export class ClassFiguresCache {
  private entries = new Map<string, { version: string; figures: ClassFigures }>();

  constructor(private readonly limit = 5000) {}

  /** The figures of these classes, in their order: kept ones where nothing changed, the rest read in one batch. */
  async figuresOf(ctx: AppContext, classIds: string[]): Promise<ClassFigures[]> {
    const membersOf = groupBy(await ctx.store.findAny('memberships', 'classId', classIds), (membership) => membership.classId);
    const keyLists = classIds.map((classId) => [versionKey.class(classId), ...(membersOf.get(classId) ?? []).map((membership) => versionKey.student(membership.studentId))]);
    const counters = await ctx.store.versions(keyLists.flat());
    let offset = 0;
    const versions = keyLists.map((list) => {
      const version = counters.slice(offset, offset + list.length).join(',');
      offset += list.length;
      return version;
    });
    const versionOf = new Map(classIds.map((classId, index) => [classId, versions[index]]));
    const result = new Map<string, ClassFigures>();
    for (const classId of classIds) {
      const entry = this.entries.get(classId);
      if (entry && entry.version === versionOf.get(classId)) result.set(classId, entry.figures);
    }
    const stale = classIds.filter((classId) => !result.has(classId));
    // Versions were read first: a change made while reading gives a newer version next time, never a stale figure.
    for (const figures of stale.length ? await loadFigures(ctx, stale) : []) {
      this.remember(figures.classId, { version: versionOf.get(figures.classId)!, figures });
      result.set(figures.classId, figures);
    }
    return classIds.map((classId) => result.get(classId)!);
  }

  private remember(classId: string, entry: { version: string; figures: ClassFigures }): void {
    this.entries.delete(classId);
    this.entries.set(classId, entry);
    // The oldest first: a Map keeps insertion order.
    for (const key of this.entries.keys()) {
      if (this.entries.size <= this.limit) break;
      this.entries.delete(key);
    }
  }
}
