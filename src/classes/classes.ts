// Classes: creating them, join codes, rosters, assignments and the progress matrix.
import type { AppContext } from '../context.ts';
import { conflict, invalid, notFound } from '../http/errors.ts';
import { auditEvent } from '../audit/events.ts';
import { newId, randomCode } from '../ids.ts';
import { decodeAnswers } from '../learning/answer-codec.ts';
import { attemptsOf, isOverdue, NOT_STARTED, progressOfStudents, today, type LessonProgress } from '../learning/progress.ts';
import { insert, isConflict, put, remove, take, type Assignment, type ClassRecord, type StoreChange, type User } from '../store/backend.ts';
import { keys } from '../store/keys.ts';
import { refuseIfArchived } from './archive.ts';

export const JOIN_CODE_LENGTH = 6;

/**
 * Saves the class with a fresh join code, drawing again if another class
 * (on any instance) holds the code already: the store's unique key decides.
 */
async function saveWithNewCode(ctx: AppContext, record: Omit<ClassRecord, 'joinCode'>, alongside: StoreChange[] = []): Promise<ClassRecord> {
  for (;;) {
    const withCode = { ...record, joinCode: randomCode(JOIN_CODE_LENGTH) };
    try {
      await ctx.store.commit([put('classes', withCode), ...alongside]);
      return withCode;
    } catch (error) {
      if (!isConflict(error, 'classes.joinCode')) throw error;
    }
  }
}

/** A class of the teacher's school, taught by them (the first of its teachers). */
export async function createClass(ctx: AppContext, teacher: User, name: string): Promise<ClassRecord> {
  const id = newId();
  const at = ctx.now().toISOString();
  return saveWithNewCode(ctx, { id, schoolId: teacher.schoolId!, teacherId: teacher.id, name, createdAt: at }, [
    insert('classTeachers', { id: keys.classTeacher(id, teacher.id), classId: id, teacherId: teacher.id, addedAt: at }),
  ]);
}

/** A new code; the old one stops working at once. */
export async function regenerateJoinCode(ctx: AppContext, record: ClassRecord): Promise<ClassRecord> {
  return saveWithNewCode(ctx, record);
}

/** The classes a teacher teaches, their own and those they co-teach, oldest first. */
export async function classesOfTeacher(ctx: AppContext, teacherId: string): Promise<ClassRecord[]> {
  const taught = await ctx.store.find('classTeachers', 'teacherId', teacherId);
  return (await ctx.store.getMany('classes', taught.map((row) => row.classId))).sort((a, b) => a.createdAt.localeCompare(b.createdAt));
}

export async function studentsOf(ctx: AppContext, classId: string): Promise<User[]> {
  const memberships = await ctx.store.find('memberships', 'classId', classId);
  return (await ctx.store.getMany('users', memberships.map((membership) => membership.studentId)))
    .sort((a, b) => a.displayName.localeCompare(b.displayName) || a.username.localeCompare(b.username));
}

export async function assignmentsOf(ctx: AppContext, classId: string): Promise<Assignment[]> {
  const order = (lessonId: string) => ctx.catalog.lesson(lessonId)?.order ?? 999;
  // A lesson removed from the course since it was assigned is left out, not shown broken.
  return (await ctx.store.find('assignments', 'classId', classId))
    .filter((assignment) => ctx.catalog.lesson(assignment.lessonId) !== undefined)
    .sort((a, b) => (a.due ?? '9999').localeCompare(b.due ?? '9999') || order(a.lessonId) - order(b.lessonId));
}

/** Assigning a lesson twice changes its due date instead of adding a second row. */
export async function assignLesson(ctx: AppContext, classId: string, lessonId: string, due: string | null): Promise<{ assignment: Assignment; created: boolean }> {
  const record = await ctx.store.get('classes', classId);
  if (record) refuseIfArchived(record, 'lessonId');
  if (!ctx.catalog.lesson(lessonId)) throw invalid(`There is no lesson "${lessonId}".`, 'lessonId');
  for (;;) {
    const existing = (await ctx.store.find('assignments', 'classId', classId)).find((assignment) => assignment.lessonId === lessonId);
    const assignment: Assignment = existing
      ? { ...existing, due }
      : { id: newId(), classId, lessonId, due, createdAt: ctx.now().toISOString() };
    try {
      await ctx.store.commit([put('assignments', assignment)]);
      return { assignment, created: !existing };
    } catch (error) {
      // The same lesson was assigned meanwhile (another tab or instance): update that one instead.
      if (!isConflict(error, 'assignments.classLesson')) throw error;
    }
  }
}

export async function unassignLesson(ctx: AppContext, classId: string, assignmentId: string): Promise<void> {
  const assignment = await ctx.store.get('assignments', assignmentId);
  if (!assignment || assignment.classId !== classId) throw notFound('That assignment does not exist.');
  await ctx.store.commit([remove('assignments', assignmentId)]);
}

/** Joins a class of the student's school; a student in no school yet joins the class's school with it. */
export async function joinClass(ctx: AppContext, student: User, record: ClassRecord): Promise<void> {
  const id = keys.membership(record.id, student.id);
  if (await ctx.store.get('memberships', id)) return;
  const fresh = student.schoolId ? undefined : await ctx.store.get('users', student.id);
  try {
    await ctx.store.commit([
      insert('memberships', { id, classId: record.id, studentId: student.id, joinedAt: ctx.now().toISOString() }),
      ...(fresh ? [put('users', { ...fresh, schoolId: record.schoolId })] : []),
    ]);
  } catch (error) {
    if (!isConflict(error)) throw error; // joined twice at once: once is enough
  }
}

/** Takes a student out of a class; their account and work stay (erasing is the admin's). */
export async function removeFromClass(ctx: AppContext, actor: User, record: ClassRecord, student: User): Promise<void> {
  const id = keys.membership(record.id, student.id);
  try {
    await ctx.store.commit([
      take('memberships', id),
      auditEvent({ schoolId: record.schoolId, actor, action: 'student.removed', target: `student ${student.username}`, targetUserId: student.id, detail: `from class ${record.name}`, at: ctx.now() }),
    ]);
  } catch (error) {
    if (isConflict(error, 'memberships.id')) throw notFound('That student is not in this class.');
    throw error;
  }
}

/** Adds a teacher (or admin) of the class's school as one more teacher of the class. */
export async function addCoTeacher(ctx: AppContext, actor: User, record: ClassRecord, username: string): Promise<User> {
  const teacher = (await ctx.store.find('users', 'username', username))[0];
  const teaches = teacher && (teacher.role === 'teacher' || teacher.role === 'admin') && teacher.schoolId === record.schoolId && !teacher.deactivatedAt;
  // Someone of another school, or no teacher at all: the same answer, so nothing is learnt about other schools.
  if (!teacher || !teaches) throw invalid('There is no teacher with that username at your school.', 'username');
  const at = ctx.now();
  try {
    await ctx.store.commit([
      insert('classTeachers', { id: keys.classTeacher(record.id, teacher.id), classId: record.id, teacherId: teacher.id, addedAt: at.toISOString() }),
      auditEvent({ schoolId: record.schoolId, actor, action: 'teacher.coteacher-added', target: `teacher ${teacher.username}`, targetUserId: teacher.id, detail: `to class ${record.name}`, at }),
    ]);
  } catch (error) {
    if (isConflict(error)) throw conflict(`${teacher.displayName} already teaches this class.`, 'username');
    throw error;
  }
  return teacher;
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

export async function classOverview(ctx: AppContext, record: ClassRecord): Promise<ClassOverview> {
  const [students, assignments] = await Promise.all([studentsOf(ctx, record.id), assignmentsOf(ctx, record.id)]);
  const day = today(ctx.now());
  const cells = new Map<string, Map<string, MatrixCell>>();
  const progressOf = await progressOfStudents(ctx.store, students.map((student) => student.id));
  for (const student of students) {
    const progress = progressOf.get(student.id)!;
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

export async function studentAttempts(ctx: AppContext, studentId: string) {
  return (await attemptsOf(ctx.store, studentId))
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
export async function questionTallies(ctx: AppContext, classId: string, lessonId: string) {
  const quiz = ctx.catalog.quiz(lessonId);
  if (!quiz) return { respondents: 0, questions: [] };
  const students = await studentsOf(ctx, classId);
  const latestAttempts = (await Promise.all(students.map(async (student) => (await attemptsOf(ctx.store, student.id, lessonId)).at(-1))))
    .filter((attempt) => attempt !== undefined);
  const latest = await Promise.all(latestAttempts.map((attempt) => decodeAnswers(ctx.store, attempt.answers)));
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
