// npm run demo: a demo school to walk through (its admin, a teacher, a class with
// students and their attempts, a check-up before and after, a linked parent),
// then the real server on it. Data goes to DATA_DIR (default ./demo-data),
// which is wiped and re-made on every run.
import { existsSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { hashPassword } from '../src/accounts/passwords.ts';
import { formFor, orderItems } from '../src/checkups/checkups.ts';
import { loadConfig } from '../src/config.ts';
import { loadCatalog } from '../src/content/catalog.ts';
import { encodeAnswers, quizShape } from '../src/learning/answer-codec.ts';
import { gradeQuiz, type Answers } from '../src/learning/grading.ts';
import { put, type StoreChange } from '../src/store/backend.ts';
import { EmbeddedBackend } from '../src/store/embedded.ts';
import { keys } from '../src/store/keys.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
process.env.DATA_DIR ??= path.join(ROOT, 'demo-data');
const config = loadConfig();
const MARKER = path.join(config.dataDir, '.framecheck-demo');

if (existsSync(config.dataDir) && !existsSync(MARKER)) {
  console.error(`${config.dataDir} holds data that is not a demo; refusing to wipe it. Set DATA_DIR to another folder.`);
  process.exit(1);
}
rmSync(config.dataDir, { recursive: true, force: true });
mkdirSync(config.dataDir, { recursive: true });
writeFileSync(MARKER, 'This folder was made by npm run demo and is wiped on every run.\n');
writeFileSync(
  path.join(config.dataDir, 'help.yaml'),
  `school: Riverside Demo School
contacts:
  - name: Safeguarding lead
    details: Ms Okafor, room 14, or ask at reception
  - name: School counsellor
    details: Mr Lind, drop in at lunchtime on Tuesdays and Thursdays
helplines:
  - name: Example Youth Helpline (demo entry; a school adds its real local ones)
    phone: 0800 000 0000
    hours: every day, 9am to 9pm
`,
);

const catalog = loadCatalog(ROOT);
// The demo school is always an embedded one, in its own folder.
const store = await EmbeddedBackend.open(config.dataDir);
const now = new Date();
const day = (offset: number) => new Date(now.getTime() + offset * 86_400_000);
const changes: StoreChange[] = [];
const SCHOOL = 'demo-school';
changes.push(put('schools', { id: SCHOOL, name: 'Riverside Demo School', createdAt: day(-41).toISOString(), retention: { inactiveMonths: 12, archiveClassesAfter: null, lastRunAt: null } }));
const user = async (id: string, role: 'admin' | 'teacher' | 'student' | 'parent', username: string, displayName: string, password: string) => {
  changes.push(put('users', { id, role, schoolId: role === 'parent' ? null : SCHOOL, username, displayName, passwordHash: await hashPassword(password, config.passwordCost), mustChangePassword: false, createdAt: day(-40).toISOString() }));
};

await user('demo-a', 'admin', 'demo-admin', 'Mr Hale', 'demo-admin-pass');
await user('demo-t', 'teacher', 'demo-teacher', 'Ms Rivera', 'demo-teacher-pass');
await user('demo-p', 'parent', 'demo-parent', 'Sam’s mum', 'demo-parent-pass');
const names = ['Sam', 'Aisha', 'Dmitri', 'Lena', 'Tomás', 'Priya', 'Kofi', 'Mei'];
for (const [i, name] of names.entries()) await user(`demo-s${i}`, 'student', `demo-student-${i + 1}`, name, 'demo-student-pass');

changes.push(put('classes', { id: 'demo-class', schoolId: SCHOOL, teacherId: 'demo-t', name: 'Year 9 PSHE (demo)', joinCode: 'RVR7K2', createdAt: day(-40).toISOString() }));
changes.push(put('classTeachers', { id: keys.classTeacher('demo-class', 'demo-t'), classId: 'demo-class', teacherId: 'demo-t', addedAt: day(-40).toISOString() }));
const assigned = catalog.lessons.slice(0, 4);
assigned.forEach((lesson, i) => {
  changes.push(put('assignments', { id: `demo-a${i}`, classId: 'demo-class', lessonId: lesson.id, due: day(-14 + i * 7).toISOString().slice(0, 10), createdAt: day(-30).toISOString() }));
});
for (const quiz of assigned.map((lesson) => catalog.quiz(lesson.id)!)) changes.push(put('quizShapes', quizShape(quiz)));

// Students got further the earlier the lesson; some answers wrong, so the per-question view has something to show.
names.forEach((_, s) => {
  const studentId = `demo-s${s}`;
  changes.push(put('memberships', { id: keys.membership('demo-class', studentId), classId: 'demo-class', studentId, joinedAt: day(-35).toISOString() }));
  assigned.forEach((lesson, l) => {
    if (l > 3 - (s % 4)) return;
    changes.push(put('lessonOpens', { id: keys.lessonOpen(studentId, lesson.id), studentId, lessonId: lesson.id, at: day(-20 + l * 5).toISOString() }));
    const quiz = catalog.quiz(lesson.id)!;
    const tries = (s + l) % 3 === 0 ? 2 : 1;
    for (let t = 0; t < tries; t++) {
      const answers: Answers = {};
      quiz.questions.forEach((question, q) => {
        const wrong = (q + s + t) % (t === 0 ? 3 : 6) === 0;
        const right = question.options.filter((option) => option.correct).map((option) => option.id);
        answers[question.id] = wrong ? [question.options.find((option) => !option.correct)!.id] : question.kind === 'single' ? [right[0]] : right;
      });
      const grade = gradeQuiz(quiz, answers);
      changes.push(put('attempts', { id: `${studentId}-${lesson.id}-${t}`, studentId, lessonId: lesson.id, at: day(-19 + l * 5 + t).toISOString(), score: grade.score, max: grade.max, percent: grade.percent, passed: grade.passed, answers: encodeAnswers(quizShape(quiz), answers) }));
    }
  });
});

// A check-up before and after the course, taken by six students: ratings improve and ordinary posts are not rated more suspicious.
const bank = catalog.bank;
if (bank) {
  for (const [phase, offset] of [['before', -30], ['after', -2]] as const) {
    const checkupId = `demo-checkup-${phase}`;
    changes.push(put('checkups', { id: checkupId, classId: 'demo-class', phase, due: day(offset).toISOString().slice(0, 10), createdAt: day(offset - 3).toISOString() }));
    names.slice(0, 6).forEach((_, s) => {
      const studentId = `demo-s${s}`;
      const form = formFor('demo-class', studentId, phase);
      const itemIds = orderItems(bank.form(form));
      changes.push(put('checkupSittings', { id: keys.sitting(checkupId, studentId), checkupId, studentId, form, itemIds, startedAt: day(offset).toISOString() }));
      itemIds.forEach((itemId, k) => {
        const item = bank.items.get(itemId)!;
        const base = item.manipulative ? (phase === 'before' ? 4 : 6) : phase === 'before' ? 3 : 2;
        const rating = Math.min(7, Math.max(1, base + ((s + k) % 3) - 1));
        changes.push(put('checkupResponses', { id: keys.checkupResponse(checkupId, studentId, itemId), checkupId, studentId, itemId, manipulative: rating, confidence: 4 + (k % 3), at: day(offset).toISOString() }));
      });
    });
  }
}

changes.push(put('parentLinks', { id: keys.parentLink('demo-p', 'demo-s0'), parentId: 'demo-p', studentId: 'demo-s0', createdAt: day(-10).toISOString() }));
await store.commit(changes);
await store.close();

console.log(`
FrameCheck demo school is ready in ${config.dataDir}.
Log in at http://localhost:${config.port}/login with:
  admin    demo-admin      / demo-admin-pass     (runs the school: invites teachers, exports or erases a student)
  teacher  demo-teacher    / demo-teacher-pass   (class "Year 9 PSHE (demo)", join code RVR7K2)
  student  demo-student-1  / demo-student-pass   (Sam; demo-student-2 ... demo-student-8 too)
  parent   demo-parent     / demo-parent-pass    (linked to Sam)
`);
await import('../server.ts');
