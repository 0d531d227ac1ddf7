// Classes: creating them, join codes, rosters, assignments and the progress matrix.
import type { AppContext } from '../context.ts';
import { forbidden, invalid, notFound } from '../http/errors.ts';
import { newId, randomCode } from '../ids.ts';
import { decodeAnswers } from '../learning/answer-codec.ts';
import { attemptsOf, isOverdue, NOT_STARTED, progressByLesson, today, type LessonProgress } from '../learning/progress.ts';
import { put, remove, type Assignment, type ClassRecord, type User } from '../store/index.ts';

const JOIN_CODE_LENGTH = 6;

function uniqueJoinCode(ctx: AppContext): string {
  for (;;) {
    const code = randomCode(JOIN_CODE_LENGTH);
    if (ctx.store.find('classes', 'joinCode', code).length === 0) return code;
  }
}

export async function createClass(ctx: AppContext, teacher: User, name: string): Promise<ClassRecord> {
  const record: ClassRecord = { id: newId(), teacherId: teacher.id, name, joinCode: uniqueJoinCode(ctx), createdAt: ctx.now().toISOString() };
  await ctx.store.commit([put('classes', record)]);
  return record;
}

/** A new code; the old one stops working at once. */
export async function regenerateJoinCode(ctx: AppContext, record: ClassRecord): Promise<ClassRecord> {
  const updated = { ...record, joinCode: uniqueJoinCode(ctx) };
  await ctx.store.commit([put('classes', updated)]);
  return updated;
}

/**
 * The class, if this user may see it as its teacher. Another teacher's class
 * is 404 (not theirs to know about); a student of the class gets 403.
 */
export function classForTeacher(ctx: AppContext, user: User, classId: string): ClassRecord {
  const record = ctx.store.get('classes', classId);
  if (!record) throw notFound();
  if (user.role === 'teacher' && record.teacherId === user.id) return record;
  if (user.role === 'student' && ctx.store.get('memberships', `${classId}:${user.id}`)) throw forbidden('Only the class teacher can see this page.');
  throw notFound();
}

export function classesOfTeacher(ctx: AppContext, teacherId: string): ClassRecord[] {
  return ctx.store.find('classes', 'teacherId', teacherId).sort((a, b) => a.createdAt.localeCompare(b.createdAt));
}

export function studentsOf(ctx: AppContext, classId: string): User[] {
  return ctx.store
    .find('memberships', 'classId', classId)
    .map((membership) => ctx.store.get('users', membership.studentId))
    .filter((user): user is User => user !== undefined)
    .sort((a, b) => a.displayName.localeCompare(b.displayName) || a.username.localeCompare(b.username));
}

/** A student of this class, else 404. */
export function studentInClass(ctx: AppContext, classId: string, studentId: string): User {
  const student = ctx.store.get('memberships', `${classId}:${studentId}`) ? ctx.store.get('users', studentId) : undefined;
  if (!student) throw notFound('That student is not in this class.');
  return student;
}

export function assignmentsOf(ctx: AppContext, classId: string): Assignment[] {
  const order = (lessonId: string) => ctx.catalog.lesson(lessonId)?.order ?? 999;
  // A lesson removed from the course since it was assigned is left out, not shown broken.
  return ctx.store
    .find('assignments', 'classId', classId)
    .filter((assignment) => ctx.catalog.lesson(assignment.lessonId) !== undefined)
    .sort((a, b) => (a.due ?? '9999').localeCompare(b.due ?? '9999') || order(a.lessonId) - order(b.lessonId));
}

/** Assigning a lesson twice changes its due date instead of adding a second row. */
export async function assignLesson(ctx: AppContext, classId: string, lessonId: string, due: string | null): Promise<{ assignment: Assignment; created: boolean }> {
  if (!ctx.catalog.lesson(lessonId)) throw invalid(`There is no lesson "${lessonId}".`, 'lessonId');
  const existing = ctx.store.find('assignments', 'classId', classId).find((assignment) => assignment.lessonId === lessonId);
  const assignment: Assignment = existing
    ? { ...existing, due }
    : { id: newId(), classId, lessonId, due, createdAt: ctx.now().toISOString() };
  await ctx.store.commit([put('assignments', assignment)]);
  return { assignment, created: !existing };
}

export async function unassignLesson(ctx: AppContext, classId: string, assignmentId: string): Promise<void> {
  const assignment = ctx.store.get('assignments', assignmentId);
  if (!assignment || assignment.classId !== classId) throw notFound('That assignment does not exist.');
  await ctx.store.commit([remove('assignments', assignmentId)]);
}

export async function joinClass(ctx: AppContext, student: User, record: ClassRecord): Promise<void> {
  const id = `${record.id}:${student.id}`;
  if (ctx.store.get('memberships', id)) return;
  await ctx.store.commit([put('memberships', { id, classId: record.id, studentId: student.id, joinedAt: ctx.now().toISOString() })]);
}

export async function removeFromClass(ctx: AppContext, classId: string, studentId: string): Promise<void> {
  const id = `${classId}:${studentId}`;
  if (!ctx.store.get('memberships', id)) throw notFound('That student is not in this class.');
  await ctx.store.commit([remove('memberships', id)]);
}

export interface MatrixCell extends LessonProgress {
  studentId: string;
  lessonId: string;
  overdue: boolean;
}

export interface ClassOverview {
  record: ClassRecord;
  students: User[];
  assignments: Assignment[];
  /** studentId -> lessonId -> cell */
  cells: Map<string, Map<string, MatrixCell>>;
  /** per assigned lesson: how many passed, started, average best percent */
  perLesson: { lessonId: string; title: string; passed: number; inProgress: number; notStarted: number; averageBest: number | null; overdue: number }[];
}

export function classOverview(ctx: AppContext, record: ClassRecord): ClassOverview {
  const students = studentsOf(ctx, record.id);
  const assignments = assignmentsOf(ctx, record.id);
  const day = today(ctx.now());
  const cells = new Map<string, Map<string, MatrixCell>>();
  for (const student of students) {
    const progress = progressByLesson(ctx.store, student.id);
    const row = new Map<string, MatrixCell>();
    for (const assignment of assignments) {
      const cell = progress.get(assignment.lessonId) ?? NOT_STARTED;
      row.set(assignment.lessonId, {
        ...cell,
        studentId: student.id,
        lessonId: assignment.lessonId,
        overdue: isOverdue(assignment.due, cell.status, day),
      });
    }
    cells.set(student.id, row);
  }
  const perLesson = assignments.map((assignment) => {
    const column = students.map((student) => cells.get(student.id)!.get(assignment.lessonId)!);
    const bests = column.map((cell) => cell.bestPercent).filter((value): value is number => value !== null);
    return {
      lessonId: assignment.lessonId,
      title: ctx.catalog.lesson(assignment.lessonId)?.title ?? assignment.lessonId,
      passed: column.filter((cell) => cell.status === 'passed').length,
      inProgress: column.filter((cell) => cell.status === 'in_progress').length,
      notStarted: column.filter((cell) => cell.status === 'not_started').length,
      averageBest: bests.length ? Math.round(bests.reduce((sum, value) => sum + value, 0) / bests.length) : null,
      overdue: column.filter((cell) => cell.overdue).length,
    };
  });
  return { record, students, assignments, cells, perLesson };
}

export function studentAttempts(ctx: AppContext, studentId: string) {
  return attemptsOf(ctx.store, studentId)
    .reverse()
    .map((attempt) => ({
      id: attempt.id,
      lessonId: attempt.lessonId,
      title: ctx.catalog.lesson(attempt.lessonId)?.title ?? attempt.lessonId,
      at: attempt.at,
      score: attempt.score,
      max: attempt.max,
      percent: attempt.percent,
      passed: attempt.passed,
    }));
}

export interface OptionTally {
  optionId: string;
  text: string;
  correct: boolean;
  chosen: number;
}

/**
 * Per question of one quiz: how many students chose each option in their
 * latest attempt, so a teacher sees which misconception to discuss.
 */
export function questionTallies(ctx: AppContext, classId: string, lessonId: string) {
  const quiz = ctx.catalog.quiz(lessonId);
  if (!quiz) return { respondents: 0, questions: [] };
  const latest = studentsOf(ctx, classId)
    .map((student) => attemptsOf(ctx.store, student.id, lessonId).at(-1))
    .filter((attempt) => attempt !== undefined)
    .map((attempt) => decodeAnswers(ctx.store, attempt.answers));
  const questions = quiz.questions.map((question) => {
    const options: OptionTally[] = question.options.map((option) => ({ optionId: option.id, text: option.text, correct: option.correct, chosen: 0 }));
    let right = 0;
    for (const answers of latest) {
      const chosen = answers[question.id] ?? [];
      for (const id of chosen) {
        const tally = options.find((option) => option.optionId === id);
        if (tally) tally.chosen += 1;
      }
      const correctIds = question.options.filter((option) => option.correct).map((option) => option.id);
      if (chosen.length === correctIds.length && correctIds.every((id) => chosen.includes(id))) right += 1;
    }
    return { questionId: question.id, prompt: question.prompt, kind: question.kind, right, options };
  });
  return { respondents: latest.length, questions };
}
