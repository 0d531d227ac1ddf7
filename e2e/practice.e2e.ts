// Practice in the browser, without JavaScript: a chat scenario played to its
// end, the teacher's practice settings and technique map, then a server
// restart two weeks later with a booster on the student's home page, answered,
// and the technique map; the parent sees "practised again on". Every page goes
// through axe-core, the Nu HTML Checker and the 375 px check.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Page } from 'playwright-core';
import { catalog, rightAnswers } from '../tests/helpers.ts';
import { HttpClient } from '../tests/server-process.ts';
import { boosterItemId, boosterOptionId } from '../tests/practice-helpers.ts';
import { Site } from './site.ts';

const PASSWORD = 'a-long-secret-1';
const START = '2027-03-01T09:00:00Z';
const TWO_WEEKS_LATER = '2027-03-16T09:00:00Z';
const lesson = catalog().lessons.find((candidate) => catalog().practice.scenario(candidate.id) && catalog().practice.pool(candidate.id) && catalog().quiz(candidate.id));

const OPERATOR_TOKEN = 'e2e-practice-operator-token-0123';
let site: Site;
const state = { classId: '', studentId: '', parentCode: '' };

before(async () => {
  site = await Site.start({ FRAMECHECK_NOW: START, SETUP_TOKEN: OPERATOR_TOKEN });
});

after(async () => {
  await site?.stop();
});

async function go(page: Page, pathname: string): Promise<void> {
  assert.ok(await page.goto(site.url(pathname)), `no response for ${pathname}`);
}

async function clickThrough(page: Page, selector: string): Promise<void> {
  await Promise.all([page.waitForEvent('load'), page.click(selector)]);
}

async function text(page: Page, selector = 'main'): Promise<string> {
  return (await page.textContent(selector))?.replace(/\s+/g, ' ') ?? '';
}

async function logIn(page: Page, username: string, label: string): Promise<void> {
  await go(page, '/login');
  await site.check(page, label, { quick: true });
  await page.fill('#field-username', username);
  await page.fill('#field-password', PASSWORD);
  await clickThrough(page, 'main button[type="submit"]');
  await site.check(page, `home after ${label}`, { quick: true });
}

test('set-up: a class, a student who joined it, a parent (over the JSON API)', { timeout: 60_000 }, async () => {
  assert.ok(lesson, 'the course needs a lesson with a quiz, a scenario and a booster pool (scenarios/ and boosters/)');
  // A school made with the operator's token; its admin invites the teacher.
  const admin = new HttpClient(site.server.url);
  await admin.start();
  const school = await admin.request('POST', '/setup', { token: OPERATOR_TOKEN, schoolName: 'Practice School', username: 'practice-admin', password: PASSWORD, displayName: 'Admin' });
  assert.equal(school.status, 201);
  admin.token = school.body.csrfToken;
  const invite = (await admin.request('POST', '/admin/invites', { role: 'teacher' })).body.invite.code;
  const teacher = new HttpClient(site.server.url);
  await teacher.signup({ role: 'teacher', username: 'mr-practice', displayName: 'Mr Practice', invite });
  const made = await teacher.request('POST', '/classes', { name: 'Year 8 practice' });
  state.classId = made.body.class.id;
  await teacher.request('POST', `/classes/${state.classId}/assignments`, { lessonId: lesson.id });
  const student = new HttpClient(site.server.url);
  state.studentId = (await student.signup({ role: 'student', username: 'ivy-practice', displayName: 'Ivy', classCode: made.body.class.joinCode })).id;
  state.parentCode = (await student.request('POST', '/parent-code')).body.code;
  const parent = new HttpClient(site.server.url);
  await parent.signup({ role: 'parent', username: 'ivy-dad', displayName: 'Ivy’s dad' });
  assert.equal((await parent.request('POST', '/children', { code: state.parentCode })).status, 201);
});

test('the student plays the chat without JavaScript to an ending, sees the walk back, and replays', { timeout: 180_000 }, async () => {
  const page = await site.newPage({ javaScriptEnabled: false, viewport: { width: 375, height: 812 } });
  await logIn(page, 'ivy-practice', 'log in (practice student)');
  await go(page, `/lessons/${lesson!.id}`);
  await site.check(page, 'lesson with a practice chat', { quick: true });
  await clickThrough(page, `a[href="/lessons/${lesson!.id}/scenario"]`);
  await site.check(page, 'practice chat, first step', { screenshot: 'scenario' });
  let steps = 0;
  while (await page.locator('.reply-form').count()) {
    steps += 1;
    // The first reply each time: whatever it leads to, the chat must end.
    await clickThrough(page, '.reply-form button[name="choiceId"]');
    assert.ok(steps <= 10, 'the chat ends within 10 steps');
    if (await page.locator('.reply-form').count()) await site.check(page, `practice chat, step ${steps + 1}`, { quick: true });
  }
  assert.equal(await page.locator('.ending').count(), 1);
  assert.equal(await page.locator('.look-back-step').count(), steps, 'one look-back entry per step');
  assert.match(await text(page, '.look-back'), /You (spotted it|did not spot it this time)/);
  assert.equal(await page.locator('#get-help').count(), 1, "the lesson's help section follows");
  await site.check(page, 'practice chat, ending', { screenshot: 'scenario-ending' });
  await clickThrough(page, '.restart-form button');
  assert.equal(await page.locator('.reply-form button').count() >= 2, true);
  await site.check(page, 'practice chat, replayed', { quick: true });
  await page.context().close();

  const student = new HttpClient(site.server.url);
  assert.equal(await student.login('ivy-practice'), 200);
  const passed = await student.request('POST', `/lessons/${lesson!.id}/quiz`, { answers: rightAnswers(lesson!.id) });
  assert.equal(passed.body.attempt.passed, true);
});

test('the teacher sets the practice timing and sees the technique map and chat endings', { timeout: 120_000 }, async () => {
  const page = await site.newPage();
  await logIn(page, 'mr-practice', 'log in (practice teacher)');
  await go(page, `/classes/${state.classId}`);
  await site.check(page, 'class page with practice timing', { quick: true });
  await page.fill('#field-firstDays', '20');
  await page.fill('#field-secondDays', '10');
  await clickThrough(page, 'form[action$="/practice-settings"] button');
  assert.equal(await page.locator('#field-secondDays[aria-invalid="true"]').count(), 1, 'the error is tied to the field');
  await site.check(page, 'technique map with a timing error', { quick: true });
  await page.fill('#field-firstDays', '14');
  await page.fill('#field-secondDays', '42');
  await clickThrough(page, 'form[action$="/practice-settings"] button');
  assert.match(await text(page), /Ivy/);
  assert.match(await text(page, '#chats ~ div'), /(Safe ending|Pulled in); spotted \d+ of \d+ steps/);
  await site.check(page, 'class technique map', { screenshot: 'class-mastery' });
  await page.context().close();
});

test('two weeks later (after a restart) the booster tops the home page, is answered, and the map and parent page show it', { timeout: 180_000 }, async () => {
  await site.restart({ FRAMECHECK_NOW: TWO_WEEKS_LATER });
  const page = await site.newPage({ javaScriptEnabled: false });
  await logIn(page, 'ivy-practice', 'log in (two weeks later)');
  const home = await text(page);
  assert.ok(home.indexOf('Practice again') >= 0 && home.indexOf('Practice again') < home.indexOf('Your assignments'), 'the due booster is at the top');
  await clickThrough(page, `main a[href="/boosters/${lesson!.id}-1"]`);
  await site.check(page, 'booster', { screenshot: 'booster' });
  const pool = catalog().practice.pool(lesson!.id)!;
  for (const question of pool.set(1)) {
    for (const option of question.options.filter((candidate) => candidate.correct)) {
      await page.check(`#q-${boosterItemId(pool, 1, question.id)}-${boosterOptionId(pool, 1, question.id, option.id)}`);
    }
  }
  await clickThrough(page, 'form.quiz button[type="submit"]');
  assert.match(await text(page, '.result'), new RegExp(`${pool.set(1).length} of ${pool.set(1).length} right`));
  assert.equal(await page.locator('.review .explanation').count(), pool.set(1).length);
  await site.check(page, 'booster result', { quick: true });
  await go(page, '/boosters');
  await site.check(page, 'practice list', { quick: true });
  await go(page, '/mastery');
  assert.equal(await page.locator('.tile').count(), 10);
  await site.check(page, 'technique map', { screenshot: 'mastery' });
  await page.context().close();

  const parent = await site.newPage();
  await logIn(parent, 'ivy-dad', 'log in (parent, practice)');
  await go(parent, `/children/${state.studentId}`);
  assert.match(await text(parent), /practised again on 16 Mar 2027/);
  await site.check(parent, 'child page with practice', { quick: true });
  await parent.context().close();
});

test('axe-core, 375 px, the Nu HTML Checker and console: no problem on any practice page', { timeout: 120_000 }, async () => {
  assert.deepEqual(site.axeProblems, [], `axe found violations:\n${site.axeProblems.join('\n')}`);
  assert.deepEqual(site.overflowProblems, [], `sideways scrolling:\n${site.overflowProblems.join('\n')}`);
  assert.deepEqual(await site.validateHtml(), []);
  assert.deepEqual(site.unchecked(), [], 'pages loaded without being checked');
  assert.deepEqual(site.consoleProblems, []);
});
