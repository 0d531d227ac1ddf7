// A student's standing in each lesson, derived from attempts and lesson opens.
import type { Catalog } from '../content/catalog.ts';
import type { StoreBackend, Attempt, AttemptTotal, LessonOpen } from '../store/backend.ts';

export type Status = 'not_started' | 'in_progress' | 'passed';

export interface LessonProgress {
  status: Status;
  bestPercent: number | null;
  attempts: number;
  lastAttemptAt: string | null;
}

export const NOT_STARTED: LessonProgress = { status: 'not_started', bestPercent: null, attempts: 0, lastAttemptAt: null };

export async function attemptsOf(store: StoreBackend, studentId: string, lessonId?: string): Promise<Attempt[]> {
  const attempts = await store.find('attempts', 'studentId', studentId);
  return (lessonId ? attempts.filter((attempt) => attempt.lessonId === lessonId) : attempts).sort((a, b) => a.at.localeCompare(b.at));
}

/** The student's lesson opens and attempt totals: lessonId -> progress. */
export async function progressByLesson(store: StoreBackend, studentId: string): Promise<Map<string, LessonProgress>> {
  const [opens, totals] = await Promise.all([store.find('lessonOpens', 'studentId', studentId), store.attemptTotals([studentId])]);
  return progressFrom(opens, totals);
}

/** progressByLesson for many students at once (a class page): studentId -> lessonId -> progress. */
export async function progressOfStudents(store: StoreBackend, studentIds: string[]): Promise<Map<string, Map<string, LessonProgress>>> {
  const [opens, totals] = await Promise.all([store.findAny('lessonOpens', 'studentId', studentIds), store.attemptTotals(studentIds)]);
  const opensOf = byStudent(opens);
  const totalsOf = byStudent(totals);
  return new Map(studentIds.map((studentId) => [studentId, progressFrom(opensOf.get(studentId) ?? [], totalsOf.get(studentId) ?? [])]));
}

/**
 * The lessons each student has passed (studentId -> lesson ids): the
 * "passed" of progressOfStudents, from attempts alone, for a whole school's
 * completion figures.
 */
export async function passedLessonsOf(store: StoreBackend, studentIds: string[]): Promise<Map<string, Set<string>>> {
  const passed = new Map<string, Set<string>>(studentIds.map((studentId) => [studentId, new Set()]));
  for (const total of await store.attemptTotals(studentIds)) if (total.passed) passed.get(total.studentId)?.add(total.lessonId);
  return passed;
}

function byStudent<T extends { studentId: string }>(records: T[]): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const record of records) {
    const group = groups.get(record.studentId);
    if (group) group.push(record);
    else groups.set(record.studentId, [record]);
  }
  return groups;
}

function progressFrom(opens: LessonOpen[], totals: AttemptTotal[]): Map<string, LessonProgress> {
  const result = new Map<string, LessonProgress>();
  const entry = (lessonId: string) => {
    let progress = result.get(lessonId);
    if (!progress) result.set(lessonId, (progress = { ...NOT_STARTED }));
    return progress;
  };
  for (const open of opens) {
    const progress = entry(open.lessonId);
    if (progress.status === 'not_started') progress.status = 'in_progress';
  }
  for (const total of totals) {
    const progress = entry(total.lessonId);
    progress.attempts = total.attempts;
    progress.bestPercent = total.bestPercent;
    progress.lastAttemptAt = total.lastAttemptAt;
    progress.status = total.passed ? 'passed' : 'in_progress';
  }
  return result;
}

export interface StudentAssignment {
  lessonId: string;
  title: string;
  summary: string;
  order: number;
  due: string | null;
}

/** Lessons assigned in any of the student's classes; the earlier due date wins. */
export async function assignmentsForStudent(store: StoreBackend, catalog: Catalog, studentId: string): Promise<StudentAssignment[]> {
  const byLesson = new Map<string, StudentAssignment>();
  const memberships = await store.find('memberships', 'studentId', studentId);
  for (const membership of memberships) {
    for (const assignment of await store.find('assignments', 'classId', membership.classId)) {
      const lesson = catalog.lesson(assignment.lessonId);
      if (!lesson) continue;
      const known = byLesson.get(lesson.id);
      if (!known || earlierDue(assignment.due, known.due)) {
        byLesson.set(lesson.id, { lessonId: lesson.id, title: lesson.title, summary: lesson.summary, order: lesson.order, due: assignment.due });
      }
    }
  }
  return [...byLesson.values()].sort(byDueThenOrder);
}

function earlierDue(a: string | null, b: string | null): boolean {
  if (a === null) return false;
  return b === null || a < b;
}

export function byDueThenOrder(a: { due: string | null; order: number }, b: { due: string | null; order: number }): number {
  if (a.due !== b.due) {
    if (a.due === null) return 1;
    if (b.due === null) return -1;
    return a.due < b.due ? -1 : 1;
  }
  return a.order - b.order;
}

/** A due date (YYYY-MM-DD) has passed when today is later, and the lesson is not passed. */
export function isOverdue(due: string | null, status: Status, today: string): boolean {
  return due !== null && status !== 'passed' && due < today;
}

export function today(now: Date): string {
  return now.toISOString().slice(0, 10);
}
