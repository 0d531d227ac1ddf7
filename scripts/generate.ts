// Generates realistic data straight into a DATA_DIR through the store (not
// HTTP), for the benchmark, the crash tests and the demo. Passwords here use
// a deliberately FAST scrypt cost (GENERATOR_PASSWORD_COST) so that tens of
// thousands of accounts can be made in seconds; the server itself always
// hashes new passwords at full cost.
import { hashPassword } from '../src/accounts/passwords.ts';
import type { Catalog } from '../src/content/catalog.ts';
import { gradeQuiz, type Answers } from '../src/learning/grading.ts';
import { encodeAnswers, quizShape } from '../src/learning/answer-codec.ts';
import { put, type StoreBackend, type StoreChange } from '../src/store/backend.ts';
import { EmbeddedBackend } from '../src/store/embedded.ts';
import { keys } from '../src/store/keys.ts';

export const GENERATOR_PASSWORD_COST = 16;
export const GENERATED_PASSWORD = 'generated-pass-1';

export interface GenerateOptions {
  classes: number;
  studentsPerClass: number;
  /** average quiz attempts per student */
  attemptsPerStudent: number;
  /** classes per teacher */
  classesPerTeacher?: number;
  /** size of class c0 (the benchmark's measured class), when it differs */
  firstClassSize?: number;
  now?: Date;
  /** deterministic pseudo-random numbers */
  seed?: number;
}

export interface Generated {
  /** the school's admin (admin0) */
  admins: string[];
  teachers: string[];
  students: string[];
  classIds: string[];
  attempts: number;
}

function random(seed: number) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export async function generate(store: StoreBackend, catalog: Catalog, options: GenerateOptions): Promise<Generated> {
  const rand = random(options.seed ?? 42);
  const now = options.now ?? new Date();
  const iso = (daysAgo: number) => new Date(now.getTime() - daysAgo * 86_400_000).toISOString();
  const hash = await hashPassword(GENERATED_PASSWORD, GENERATOR_PASSWORD_COST);
  const perTeacher = options.classesPerTeacher ?? 3;
  const result: Generated = { admins: ['admin0'], teachers: [], students: [], classIds: [], attempts: 0 };
  let batch: StoreChange[] = [];
  const flush = async (force = false) => {
    if (batch.length >= 5000 || (force && batch.length)) {
      await store.commit(batch);
      batch = [];
    }
  };
  const lessons = catalog.lessons;
  for (const lesson of lessons) {
    const quiz = catalog.quiz(lesson.id);
    if (quiz) batch.push(put('quizShapes', quizShape(quiz)));
  }
  // One school holds everything generated, with an admin (admin0) who runs it.
  const schoolId = 'school0';
  batch.push(put('schools', { id: schoolId, name: 'Generated School', createdAt: iso(150), retention: { inactiveMonths: 12, archiveClassesAfter: null, lastRunAt: null } }));
  batch.push(put('users', { id: 'a0', role: 'admin', schoolId, username: 'admin0', displayName: 'Admin 0', passwordHash: hash, mustChangePassword: false, createdAt: iso(150) }));
  let teacherId = '';
  for (let c = 0; c < options.classes; c++) {
    if (c % perTeacher === 0) {
      teacherId = `t${c / perTeacher}`;
      const username = `teacher${c / perTeacher}`;
      result.teachers.push(username);
      batch.push(put('users', { id: teacherId, role: 'teacher', schoolId, username, displayName: `Teacher ${c / perTeacher}`, passwordHash: hash, mustChangePassword: false, createdAt: iso(120) }));
    }
    const classId = `c${c}`;
    result.classIds.push(classId);
    batch.push(put('classes', { id: classId, schoolId, teacherId, name: `Class ${c}`, joinCode: `J${String(c).padStart(5, '0')}`, createdAt: iso(100) }));
    batch.push(put('classTeachers', { id: keys.classTeacher(classId, teacherId), classId, teacherId, addedAt: iso(100) }));
    lessons.forEach((lesson, index) => {
      batch.push(put('assignments', { id: `${classId}-a${index}`, classId, lessonId: lesson.id, due: iso(60 - index * 7).slice(0, 10), createdAt: iso(100) }));
    });
    const size = c === 0 && options.firstClassSize ? options.firstClassSize : options.studentsPerClass;
    for (let s = 0; s < size; s++) {
      const studentId = `s${c}-${s}`;
      const username = `student${c}-${s}`;
      result.students.push(username);
      batch.push(put('users', { id: studentId, role: 'student', schoolId, username, displayName: `Student ${c}-${s}`, passwordHash: hash, mustChangePassword: false, createdAt: iso(90) }));
      batch.push(put('memberships', { id: keys.membership(classId, studentId), classId, studentId, joinedAt: iso(90) }));
      const attempts = Math.round(options.attemptsPerStudent * (0.5 + rand()));
      for (let a = 0; a < attempts; a++) {
        const lesson = lessons[Math.floor(rand() * lessons.length)];
        const quiz = catalog.quiz(lesson.id);
        if (!quiz) continue;
        const answers: Answers = {};
        for (const question of quiz.questions) {
          const pick = rand() < 0.7 ? question.options.filter((o) => o.correct) : [question.options[Math.floor(rand() * question.options.length)]];
          answers[question.id] = question.kind === 'single' ? [pick[0].id] : pick.map((o) => o.id);
        }
        const grade = gradeQuiz(quiz, answers);
        const at = iso(rand() * 80);
        batch.push(put('lessonOpens', { id: keys.lessonOpen(studentId, lesson.id), studentId, lessonId: lesson.id, at }));
        batch.push(put('attempts', { id: `${studentId}-q${a}`, studentId, lessonId: lesson.id, at, score: grade.score, max: grade.max, percent: grade.percent, passed: grade.passed, answers: encodeAnswers(quizShape(quiz), answers) }));
        result.attempts++;
      }
      await flush();
    }
  }
  await flush(true);
  if (store instanceof EmbeddedBackend) await store.compact();
  return result;
}
