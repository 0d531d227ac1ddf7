// The three journeys (teacher, student, parent) through the real forms in
// Chromium, every page checked by axe-core, the Nu HTML Checker and at 375 px.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Page } from 'playwright-core';
import { FIRST_LESSON, SECOND_LESSON, catalog, rightAnswers } from '../tests/helpers.ts';
import { parseCsv } from '../tests/more-helpers.ts';
import { publicOptionId, publicQuestionId } from '../src/learning/public-ids.ts';
import { focused, tab, tabTo } from './keyboard.ts';
import { Site } from './site.ts';

const PASSWORD = 'a-long-secret-1';
const TEACHER = { username: 'ms-okafor', displayName: 'Ms Okafor' };
const STUDENT = { username: 'zoe-k', displayName: "Zoë O'Neil" };
const PARENT = { username: 'ada-k', displayName: 'Ada (Zoë’s mum)' };
const CLASS_NAME = 'Year 9 PSHE, Tuesday';

let site: Site;
// What the journeys learn and hand on to the next step.
const state = {
  classId: '',
  joinCode: '',
  parentCode: '',
  firstPercent: 0,
  secondPercent: 0,
  studentId: '',
  due: '',
  inviteCode: '',
  teacher: undefined as Page | undefined,
  student: undefined as Page | undefined,
};

before(async () => {
  site = await Site.start();
});

after(async () => {
  await site?.stop();
});

function dayFromNow(days: number): string {
  const date = new Date(Date.now() + days * 24 * 60 * 60 * 1000);
  return date.toISOString().slice(0, 10);
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

async function go(page: Page, pathname: string): Promise<void> {
  const response = await page.goto(site.url(pathname));
  assert.ok(response, `no response for ${pathname}`);
}

/** Clicks and waits for the page it leads to. */
async function clickThrough(page: Page, selector: string): Promise<void> {
  await Promise.all([page.waitForEvent('load'), page.click(selector)]);
}

async function text(page: Page, selector = 'main'): Promise<string> {
  return (await page.textContent(selector))?.replace(/\s+/g, ' ') ?? '';
}

/** The error summary names the field, links to it, and the field carries the message. */
async function assertErrorTiedToField(page: Page, field: string): Promise<void> {
  const summary = page.locator('.error-summary[role="alert"]');
  assert.equal(await summary.count(), 1, 'an error summary with role=alert');
  assert.equal(await summary.locator(`a[href="#field-${field}"]`).count(), 1, `the summary links to #field-${field}`);
  const input = page.locator(`#field-${field}`);
  assert.equal(await input.getAttribute('aria-invalid'), 'true', `#field-${field} is aria-invalid`);
  const describedBy = (await input.getAttribute('aria-describedby')) ?? '';
  assert.ok(describedBy.split(' ').includes(`error-${field}`), `#field-${field} is described by its error (${describedBy})`);
  assert.ok((await page.locator(`#error-${field}`).textContent())?.trim(), 'the error message is next to the field');
}

test('anonymous pages: landing, help, about, privacy, log in, sign up', { timeout: 120_000 }, async () => {
  const page = await site.newPage();
  await go(page, '/');
  assert.match(await text(page, 'h1'), /Spot the trick/);
  await site.check(page, 'landing', { screenshot: 'landing' });
  await clickThrough(page, 'nav a[href="/help"]');
  await site.check(page, 'help', { screenshot: 'help' });
  await go(page, '/about');
  await site.check(page, 'about');
  await clickThrough(page, 'footer a[href="/privacy"]');
  assert.match(await text(page, 'h1'), /Your data on FrameCheck/);
  await site.check(page, 'privacy (students)');
  await clickThrough(page, 'main a[href="/privacy/parents"]');
  await site.check(page, 'privacy (parents)');
  await go(page, '/login');
  await site.check(page, 'log in');
  await clickThrough(page, 'main a[href="/signup"]');
  await site.check(page, 'sign up', { screenshot: 'signup' });
  await go(page, '/lessons/no-such-lesson');
  assert.match(page.url(), /\/login/, 'an anonymous visitor is sent to log in');
  await site.check(page, 'log in (redirected)', { quick: true });
  await page.context().close();
});

test('a newcomer opens the printed setup link, creates the school, and invites a teacher', { timeout: 120_000 }, async () => {
  for (let i = 0; i < 50 && !/setup\?token=/.test(site.server.output()); i++) await new Promise((resolve) => setTimeout(resolve, 100));
  const link = /http:\/\/localhost:\d+(\/setup\?token=[\w-]+)/.exec(site.server.output());
  assert.ok(link, 'npm start printed the setup link');
  const page = await site.newPage();
  await go(page, link[1]);
  await site.check(page, 'set up the school');
  await page.fill('#field-schoolName', 'Hillside Academy');
  await page.fill('#field-displayName', 'Mr Hale');
  await page.fill('#field-username', 'head-admin');
  await page.fill('#field-password', PASSWORD);
  await clickThrough(page, 'main button[type="submit"]');
  assert.equal(new URL(page.url()).pathname, '/admin', 'the new admin goes to the admin pages');
  await site.check(page, 'after setting up the school', { quick: true });
  // The admin is signed in; invitations are made with POST /admin/invites.
  const session = await (await page.request.get(site.url('/session'), { headers: { Accept: 'application/json' } })).json();
  assert.equal(session.user.role, 'admin');
  const invite = await page.request.post(site.url('/admin/invites'), { headers: { Accept: 'application/json', 'X-CSRF-Token': session.csrfToken }, data: { role: 'teacher', note: 'Ms Okafor' } });
  assert.equal(invite.status(), 201);
  state.inviteCode = (await invite.json()).invite.code;
  await page.context().close();
});

test('a teacher signs up, creates a class and assigns two lessons, one with a due date', { timeout: 120_000 }, async () => {
  const page = await site.newPage();
  state.teacher = page;
  await go(page, '/');
  await site.check(page, 'landing (teacher)', { quick: true });
  await clickThrough(page, 'a[href="/signup?role=teacher"]');
  assert.equal(await page.isChecked('#role-teacher'), true, 'the teacher link preselects the teacher role');
  await site.check(page, 'sign up as teacher', { quick: true });

  // A first try with a short password shows the error tied to the field.
  await page.fill('#field-displayName', TEACHER.displayName);
  await page.fill('#field-username', TEACHER.username);
  await page.fill('#field-password', 'short');
  await clickThrough(page, 'main button[type="submit"]');
  await assertErrorTiedToField(page, 'password');
  assert.equal(await page.inputValue('#field-username'), TEACHER.username, 'what was typed is kept');
  await site.check(page, 'sign up with an error');
  await page.fill('#field-password', PASSWORD);
  await page.fill('#field-invite', state.inviteCode);
  await clickThrough(page, 'main button[type="submit"]');
  assert.equal(page.url(), site.url('/'));
  assert.match(await text(page, 'h1'), /Your classes/);
  await site.check(page, 'teacher home, no class yet');

  await clickThrough(page, 'main button[type="submit"]');
  await assertErrorTiedToField(page, 'name');
  await site.check(page, 'create class with an error', { quick: true });
  await page.fill('#field-name', CLASS_NAME);
  await clickThrough(page, 'main button[type="submit"]');
  const match = /\/classes\/([^/#?]+)$/.exec(page.url());
  assert.ok(match, `the new class page opens (${page.url()})`);
  state.classId = match[1];
  state.joinCode = (await text(page, '.join-box .join-code')).trim();
  assert.match(state.joinCode, /^[A-Z0-9-]{4,}$/);
  await site.check(page, 'class page, new');

  state.due = dayFromNow(10);
  await page.selectOption('#field-lessonId', FIRST_LESSON);
  await page.fill('#field-due', state.due);
  await clickThrough(page, 'form[action$="/assignments"] button[type="submit"]');
  await site.check(page, 'class page, one lesson assigned', { quick: true });
  await page.selectOption('#field-lessonId', SECOND_LESSON);
  await clickThrough(page, 'form[action$="/assignments"] button[type="submit"]');
  const assigned = await text(page, '.assignment-list');
  assert.match(assigned, new RegExp(escape(catalog().lesson(FIRST_LESSON)!.title)));
  assert.match(assigned, new RegExp(escape(catalog().lesson(SECOND_LESSON)!.title)));
  assert.match(assigned, /No due date/);
  await site.check(page, 'class page, two lessons assigned', { quick: true });

  await clickThrough(page, `a[href="/classes/${state.classId}/roster"]`);
  assert.match(await text(page), new RegExp(state.joinCode));
  await site.check(page, 'roster with join instructions');
  await go(page, '/lessons');
  await site.check(page, 'course map (teacher)', { quick: true });
  await go(page, `/lessons/${FIRST_LESSON}/quiz`);
  await site.check(page, 'quiz preview (teacher)', { quick: true });
});

test('a student signs up with the class code and reads a lesson', { timeout: 120_000 }, async () => {
  const page = await site.newPage();
  state.student = page;
  await go(page, '/');
  await site.check(page, 'landing (student)', { quick: true });
  await clickThrough(page, 'a[href="/signup?role=student"]');
  await site.check(page, 'sign up as student', { quick: true });
  await page.fill('#field-displayName', STUDENT.displayName);
  await page.fill('#field-username', STUDENT.username);
  await page.fill('#field-password', PASSWORD);
  await page.fill('#field-classCode', state.joinCode);
  await clickThrough(page, 'main button[type="submit"]');
  assert.equal(page.url(), site.url('/'));
  assert.match(await text(page, 'h1'), /Zoë O'Neil/);
  const home = await text(page);
  assert.match(home, new RegExp(escape(catalog().lesson(FIRST_LESSON)!.title)));
  assert.match(home, /Not started/);
  await site.check(page, 'student home, new');

  await go(page, '/join');
  await site.check(page, 'join a class');
  await page.fill('#field-classCode', 'NOPE99');
  await clickThrough(page, 'main button[type="submit"]');
  await assertErrorTiedToField(page, 'classCode');
  await site.check(page, 'join a class with an error', { quick: true });

  await go(page, '/');
  await site.check(page, 'student home, lesson not opened', { quick: true });
  await clickThrough(page, `main a[href="/lessons/${FIRST_LESSON}"]`);
  assert.match(await text(page, 'h1'), new RegExp(escape(catalog().lesson(FIRST_LESSON)!.title)));
  await site.check(page, 'lesson', { screenshot: 'lesson' });
  await go(page, '/lessons');
  await site.check(page, 'course map (student)');
  await go(page, '/glossary');
  await site.check(page, 'glossary');
});

test('the student takes the quiz with JavaScript turned off and sees every explanation', { timeout: 120_000 }, async () => {
  const student = state.student!;
  const page = await site.newPage({ javaScriptEnabled: false, storageState: await student.context().storageState() });
  await go(page, `/lessons/${FIRST_LESSON}`);
  await site.check(page, 'lesson (no JavaScript)', { quick: true });
  await clickThrough(page, `a[href="/lessons/${FIRST_LESSON}/quiz"]`);
  await site.check(page, 'quiz (no JavaScript)', { screenshot: 'quiz' });

  // Two wrong answers, the rest right: 8 of 10.
  const answers = rightAnswers(FIRST_LESSON);
  const quiz = catalog().quiz(FIRST_LESSON)!;
  const wrong = quiz.questions.filter((question) => question.kind === 'single').slice(0, 2).map((question) => question.id);
  for (const question of quiz.questions) {
    // The page shows opaque ids (src/learning/public-ids.ts), not the author's.
    const shown = publicQuestionId(FIRST_LESSON, question.id);
    if (wrong.includes(question.id)) {
      const option = question.options.find((candidate) => !candidate.correct)!;
      await page.check(`#q-${shown}-${publicOptionId(FIRST_LESSON, question.id, option.id)}`);
    } else {
      const right = answers[shown];
      for (const id of Array.isArray(right) ? right : [right]) await page.check(`#q-${shown}-${id}`);
    }
  }
  await clickThrough(page, 'form.quiz button[type="submit"]');
  assert.match(page.url(), new RegExp(`/lessons/${FIRST_LESSON}/quiz/attempts/`));
  const result = await text(page, '.result');
  const score = /(\d+) of (\d+) right: (\d+)%/.exec(result);
  assert.ok(score, `the score is shown: ${result}`);
  assert.equal(score[1], String(quiz.questions.length - 2));
  state.firstPercent = Number(score[3]);
  assert.equal(await page.locator('.review').count(), quiz.questions.length, 'every question is reviewed');
  assert.equal(await page.locator('.review .explanation').count(), quiz.questions.length, 'every question is explained');
  assert.equal(await page.locator('.review-wrong').count(), 2);
  assert.match(await text(page, '.review-wrong'), /Not quite/);
  await site.check(page, 'quiz result (no JavaScript)', { screenshot: 'result' });
  await page.context().close();
});

test('the student makes a code for a parent', { timeout: 120_000 }, async () => {
  const page = state.student!;
  await go(page, '/');
  assert.match(await text(page), new RegExp(`Best score: ${state.firstPercent}%`));
  await site.check(page, 'student home after the quiz', { quick: true });
  await clickThrough(page, 'nav a[href="/family"]');
  assert.match(await text(page), /No adult is linked/);
  await site.check(page, 'family page');
  await clickThrough(page, 'main form[action="/parent-code"] button');
  state.parentCode = (await text(page, '.big-code')).trim();
  assert.match(state.parentCode, /^[A-Z0-9]{4}-?[A-Z0-9]{4}$/);
  await site.check(page, 'parent code (shown once)');
  await clickThrough(page, 'nav button:text("Log out")');
  assert.equal(page.url(), site.url('/'));
  await site.check(page, 'landing after logging out', { quick: true });
  await page.context().close();
});

test('by keyboard alone: the student logs in, opens a lesson and passes its quiz', { timeout: 120_000 }, async () => {
  const page = await site.newPage();
  await go(page, '/login');
  await site.check(page, 'log in (keyboard)', { quick: true });

  const skip = await tab(page, 'first Tab on the log-in page');
  assert.match(skip.className, /skip-link/, `the first tab stop is the skip link, not ${skip.tag} "${skip.text}"`);
  assert.equal(skip.href, '#main');
  await page.keyboard.press('Enter');
  const main = await focused(page);
  assert.equal(main?.id, 'main', 'the skip link moves focus to the main content');
  const username = await tab(page, 'first Tab after the skip link');
  assert.equal(username.id, 'field-username', 'after skipping, the next stop is the username field');
  await page.keyboard.type(STUDENT.username);
  const password = await tab(page, 'Tab to the password');
  assert.equal(password.id, 'field-password');
  await page.keyboard.type(PASSWORD);
  await Promise.all([page.waitForURL(site.url('/')), page.keyboard.press('Enter')]);
  await site.check(page, 'student home (keyboard)', { quick: true });

  await tabTo(page, 'the second lesson', (stop) => stop.href === `/lessons/${SECOND_LESSON}`);
  await Promise.all([page.waitForURL(site.url(`/lessons/${SECOND_LESSON}`)), page.keyboard.press('Enter')]);
  await site.check(page, 'second lesson (keyboard)');
  await tabTo(page, 'the quiz button', (stop) => stop.href === `/lessons/${SECOND_LESSON}/quiz`);
  await Promise.all([page.waitForURL(site.url(`/lessons/${SECOND_LESSON}/quiz`)), page.keyboard.press('Enter')]);
  await site.check(page, 'second quiz (keyboard)', { quick: true });

  const answers = rightAnswers(SECOND_LESSON);
  const questions = await page.$$eval('fieldset.question', (sets) =>
    sets.map((set) => ({
      id: set.id.replace(/^q-/, ''),
      inputs: Array.from(set.querySelectorAll('input')).map((input) => ({ type: input.type, value: input.value })),
    })),
  );
  assert.ok(questions.length >= 5, 'the quiz has questions');
  for (const question of questions) {
    const right = answers[question.id];
    const wanted = Array.isArray(right) ? right : [right];
    const first = await tabTo(page, `question ${question.id}`, (stop) => stop.name === `q_${question.id}`, 40);
    if (question.inputs[0].type === 'radio') {
      assert.equal(first.value, question.inputs[0].value, 'Tab enters a radio group at its first option');
      const index = question.inputs.findIndex((input) => input.value === wanted[0]);
      if (index === 0) await page.keyboard.press('Space');
      for (let step = 0; step < index; step++) await page.keyboard.press('ArrowDown');
      const now = await focused(page);
      assert.ok(now?.checked && now.value === wanted[0], `arrow keys chose ${wanted[0]} in ${question.id}`);
      assert.ok(now.indicator, 'the chosen radio shows focus');
    } else {
      for (const [index, input] of question.inputs.entries()) {
        const stop = index === 0 ? first : await tab(page, `checkbox ${index + 1} of ${question.id}`);
        assert.equal(stop.value, input.value, 'each checkbox is one tab stop, in order');
        if (wanted.includes(input.value)) await page.keyboard.press('Space');
      }
    }
  }
  await tabTo(page, 'the send button', (stop) => stop.tag === 'button' && /Send my answers/.test(stop.text), 5);
  await Promise.all([page.waitForURL(/\/quiz\/attempts\//), page.keyboard.press('Enter')]);
  const result = await text(page, '.result');
  const score = /(\d+) of (\d+) right: (\d+)%/.exec(result);
  assert.ok(score, `the score is shown: ${result}`);
  assert.equal(score[3], '100', 'every answer given by keyboard was right');
  state.secondPercent = 100;
  await site.check(page, 'second quiz result (keyboard)', { quick: true });

  await go(page, '/');
  const home = await text(page);
  assert.match(home, /Lessons passed in the course: 2 of 12/);
  await site.check(page, 'student home after two quizzes', { screenshot: 'student-home' });
  await page.context().close();
});

test('a parent signs up, links with the code and sees the child’s scores', { timeout: 120_000 }, async () => {
  const page = await site.newPage();
  await go(page, '/');
  await site.check(page, 'landing (parent)', { quick: true });
  await clickThrough(page, 'a[href="/signup?role=parent"]');
  assert.equal(await page.isChecked('#role-parent'), true);
  await site.check(page, 'sign up as parent', { quick: true });
  await page.fill('#field-displayName', PARENT.displayName);
  await page.fill('#field-username', PARENT.username);
  await page.fill('#field-password', PASSWORD);
  await clickThrough(page, 'main button[type="submit"]');
  assert.match(await text(page, 'h1'), /Your children/);
  await site.check(page, 'parent home, no child yet');

  await page.fill('#field-code', 'WXYZ-2345');
  await clickThrough(page, 'main button[type="submit"]');
  await assertErrorTiedToField(page, 'code');
  await site.check(page, 'link a child with an error', { quick: true });
  await page.fill('#field-code', state.parentCode);
  await clickThrough(page, 'main button[type="submit"]');
  const match = /\/children\/([^/#?]+)$/.exec(page.url());
  assert.ok(match, `the child's page opens (${page.url()})`);
  state.studentId = match[1];
  assert.match(await text(page, 'h1'), /Zoë O'Neil/);
  const child = await text(page);
  assert.match(child, new RegExp(`Best score: ${state.firstPercent}%`));
  assert.match(child, /Best score: 100%/);
  assert.match(child, /Assigned lessons passed: 2 of 2/);
  assert.match(child, /Took the quiz/);
  await site.check(page, 'child page', { screenshot: 'parent-child' });
  await go(page, '/');
  await site.check(page, 'parent home with a child', { quick: true });
  await page.context().close();
});

test('the teacher sees the scores in the matrix, the chart and the answers by question', { timeout: 120_000 }, async () => {
  const page = state.teacher!;
  await go(page, '/');
  assert.match(await text(page), /1 student · 2 lessons assigned/);
  await site.check(page, 'teacher home with a class', { quick: true });
  await clickThrough(page, `main a[href="/classes/${state.classId}"]`);
  const matrix = await text(page, 'table.matrix');
  assert.match(matrix, /Zoë O'Neil/);
  assert.match(matrix, new RegExp(`${state.firstPercent}%`));
  assert.match(matrix, /100%/);
  assert.equal(await page.locator('svg.chart').count(), 1, 'a completion chart');
  const chartTable = await text(page, '#chart-heading ~ .table-scroll table');
  assert.match(chartTable, new RegExp(escape(catalog().lesson(FIRST_LESSON)!.title)));
  assert.match(chartTable, new RegExp(`${state.firstPercent}%`));
  await site.check(page, 'class page with progress', { screenshot: 'teacher-class' });

  await clickThrough(page, `.assignment-list a[href="/classes/${state.classId}/lessons/${FIRST_LESSON}"]`);
  const tallies = await text(page);
  assert.match(tallies, /\(1 student\)/);
  const quiz = catalog().quiz(FIRST_LESSON)!;
  assert.equal(await page.locator('table.tally').count(), quiz.questions.length, 'one table per question');
  assert.match(tallies, /0 of 1 right/, 'the questions the student got wrong show');
  await site.check(page, 'answers by question', { screenshot: 'question-results' });

  await go(page, `/classes/${state.classId}/students/${state.studentId}`);
  assert.match(await text(page), /Every attempt, newest first/);
  await site.check(page, 'student detail (teacher)');
  const csv = await page.request.get(site.url(`/classes/${state.classId}/progress.csv`));
  assert.equal(csv.status(), 200);
  assert.ok(parseCsv(await csv.text()).some((row) => row[0] === STUDENT.username), 'a row for the student');
});

test('check-up: the teacher assigns one, the student rates every item and sees the result', { timeout: 120_000 }, async () => {
  const teacher = state.teacher!;
  await go(teacher, `/classes/${state.classId}`);
  await site.check(teacher, 'class page before a check-up', { quick: true });
  await teacher.selectOption('#field-phase', 'before');
  await clickThrough(teacher, 'form[action$="/checkups"] button[type="submit"]');
  assert.match(await text(teacher, '#checkups ~ ul'), /0 of 1 done/);
  await site.check(teacher, 'class page with a check-up', { quick: true });

  const page = await site.newPage();
  await go(page, '/login');
  await site.check(page, 'log in (student)', { quick: true });
  await page.fill('#field-username', STUDENT.username);
  await page.fill('#field-password', PASSWORD);
  await clickThrough(page, 'main button[type="submit"]');
  await site.check(page, 'student home with a check-up', { quick: true });
  await clickThrough(page, 'main a[href^="/checkups/"]');
  await site.check(page, 'check-up, first item', { screenshot: 'checkup' });
  await clickThrough(page, '.checkup-form button[type="submit"]');
  assert.equal(await page.locator('.error-summary[role="alert"]').count(), 1, 'a missing rating is reported');
  await site.check(page, 'check-up with an error');
  let rated = 0;
  while (await page.locator('.checkup-form').count()) {
    rated += 1;
    await page.check(`#manipulative-${1 + (rated % 7)}`);
    await page.check(`#confidence-${1 + ((rated * 3) % 7)}`);
    await clickThrough(page, '.checkup-form button[type="submit"]');
    await site.check(page, `check-up after ${rated} rated`, { quick: true });
    assert.ok(rated <= 40, 'the check-up ends');
  }
  assert.match(page.url(), /\/result$/);
  assert.match(await text(page, 'h1'), /Your check-up result/);
  await site.check(page, 'check-up result');
  // The parent looked at the child's page earlier: the student can see that, and when.
  await go(page, '/family');
  assert.match(await text(page), /Last looked at your progress on \d+ \w+ \d{4}/);
  await site.check(page, 'family page with a linked adult');
  await page.context().close();

  await go(teacher, `/classes/${state.classId}/checkup-report`);
  assert.match(await text(teacher), /at least \d+ students/);
  await site.check(teacher, 'check-up report (too few to show)');
});

test('password reset: the teacher prints a slip, the student chooses a new password', { timeout: 120_000 }, async () => {
  const teacher = state.teacher!;
  await go(teacher, `/classes/${state.classId}/students/${state.studentId}`);
  await site.check(teacher, 'student detail before reset', { quick: true });
  await clickThrough(teacher, 'form[action$="/reset-password"] button');
  const temporary = (await text(teacher, '.temp-password')).trim();
  assert.ok(temporary.length >= 8, 'a temporary password is shown');
  await site.check(teacher, 'reset slip');

  const page = await site.newPage();
  await go(page, '/login');
  await site.check(page, 'log in (student)', { quick: true });
  await page.fill('#field-username', STUDENT.username);
  await page.fill('#field-password', 'not-the-password');
  await clickThrough(page, 'main button[type="submit"]');
  assert.equal(await page.locator('.error-summary[role="alert"]').count(), 1);
  await site.check(page, 'log in with an error');
  await page.fill('#field-username', STUDENT.username);
  await page.fill('#field-password', temporary);
  await clickThrough(page, 'main button[type="submit"]');
  assert.equal(page.url(), site.url('/password'));
  assert.match(await text(page), new RegExp(`Your teacher ${escape(TEACHER.displayName)} reset your password on`));
  await site.check(page, 'choose a new password');
  await page.fill('#field-newPassword', 'x');
  await clickThrough(page, 'main button[type="submit"]');
  await assertErrorTiedToField(page, 'newPassword');
  await site.check(page, 'choose a new password with an error', { quick: true });
  await page.fill('#field-newPassword', 'another-long-secret-2');
  await clickThrough(page, 'main button[type="submit"]');
  assert.equal(page.url(), site.url('/'));
  await site.check(page, 'student home after a new password', { quick: true });
  await go(page, '/lessons/no-such-lesson');
  assert.match(await text(page, 'h1'), /not found|no such/i);
  await site.check(page, 'not found page');
  await page.context().close();
});

test('axe-core finds no WCAG 2.2 A or AA violation on any visited page', (t) => {
  t.diagnostic(`${site.checked.length} pages checked: ${site.checked.map((page) => page.label).join(', ')}`);
  assert.ok(site.checked.length >= 20, `only ${site.checked.length} pages were checked`);
  assert.deepEqual(site.axeProblems, [], `axe found violations:\n${site.axeProblems.join('\n')}`);
});

test('no visited page scrolls sideways at 375 px', () => {
  assert.ok(site.checked.length > 0);
  assert.deepEqual(site.overflowProblems, [], `sideways scrolling:\n${site.overflowProblems.join('\n')}`);
});

test('the Nu HTML Checker finds no error in the served HTML of any visited page', { timeout: 120_000 }, async () => {
  const problems = await site.validateHtml();
  assert.deepEqual(problems, [], `Nu HTML Checker errors:\n${problems.join('\n')}`);
});

test('every loaded page was checked, with no console or CSP error', (t) => {
  t.diagnostic(`screenshots in docs/screenshots/: ${site.screenshots.join(', ')}`);
  assert.deepEqual(site.unchecked(), [], 'pages loaded without being checked');
  assert.deepEqual(site.consoleProblems, [], `console errors:\n${site.consoleProblems.join('\n')}`);
});
