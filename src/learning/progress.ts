// A student's standing in each lesson, derived from attempts and lesson opens.
import type { Catalog } from '../content/catalog.ts';
import type { Store, Attempt } from '../store/index.ts';

export type Status = 'not_started' | 'in_progress' | 'passed';

export interface LessonProgress {
  status: Status;
  bestPercent: number | null;
  attempts: number;
  lastAttemptAt: string | null;
}

export const NOT_STARTED: LessonProgress = { status: 'not_started', bestPercent: null, attempts: 0, lastAttemptAt: null };

export function attemptsOf(store: Store, studentId: string, lessonId?: string): Attempt[] {
  const attempts = store.find('attempts', 'studentId', studentId);
  return (lessonId ? attempts.filter((attempt) => attempt.lessonId === lessonId) : attempts).sort((a, b) => a.at.localeCompare(b.at));
}

/** One pass over the student's attempts and opens: lessonId -> progress. */
export function progressByLesson(store: Store, studentId: string): Map<string, LessonProgress> {
  const result = new Map<string, LessonProgress>();
  const entry = (lessonId: string) => {
    let progress = result.get(lessonId);
    if (!progress) result.set(lessonId, (progress = { ...NOT_STARTED }));
    return progress;
  };
  for (const open of store.find('lessonOpens', 'studentId', studentId)) {
    const progress = entry(open.lessonId);
    if (progress.status === 'not_started') progress.status = 'in_progress';
  }
  for (const attempt of store.find('attempts', 'studentId', studentId)) {
    const progress = entry(attempt.lessonId);
    progress.attempts += 1;
    progress.bestPercent = Math.max(progress.bestPercent ?? 0, attempt.percent);
    if (!progress.lastAttemptAt || attempt.at > progress.lastAttemptAt) progress.lastAttemptAt = attempt.at;
    progress.status = attempt.passed || progress.status === 'passed' ? 'passed' : 'in_progress';
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
export function assignmentsForStudent(store: Store, catalog: Catalog, studentId: string): StudentAssignment[] {
  const byLesson = new Map<string, StudentAssignment>();
  for (const membership of store.find('memberships', 'studentId', studentId)) {
    for (const assignment of store.find('assignments', 'classId', membership.classId)) {
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
