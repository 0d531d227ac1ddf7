// The school admin in the browser, without JavaScript: log in, the home page
// leads to the school overview, which shows teachers, classes with their
// completion bars, the school-wide check-up result and the invitation form;
// the deactivate button opens its confirm step with no script. Every page
// goes through axe-core, the Nu HTML Checker and the 375 px check.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Page } from 'playwright-core';
import { hashPassword } from '../src/accounts/passwords.ts';
import { formFor } from '../src/checkups/checkups.ts';
import { put, type StoreChange } from '../src/store/backend.ts';
import { keys } from '../src/store/keys.ts';
import { catalog, FIRST_LESSON, SECOND_LESSON } from '../tests/helpers.ts';
import { Site } from './site.ts';

const PASSWORD = 'a-long-secret-1';
const NOW = '2027-03-01T09:00:00Z';
let site: Site;

before(async () => {
  site = await Site.start({ FRAMECHECK_NOW: NOW });
  await site.seed(seedSchool, { FRAMECHECK_NOW: NOW });
});

after(async () => {
  await site?.stop();
});

/** A school with its admin, two teachers, a class of 6 that took both check-ups and a class of 3 that did not. */
async function seedSchool(store: import('../src/store/backend.ts').StoreBackend): Promise<void> {
  const schoolId = 'school-hillside';
  const passwordHash = await hashPassword(PASSWORD, 1024);
  const user = (id: string, role: 'admin' | 'teacher' | 'student', displayName: string) =>
    put('users', { id, role, schoolId, username: id, displayName, passwordHash, mustChangePassword: false, createdAt: NOW });
  const changes: StoreChange[] = [
    put('schools', { id: schoolId, name: 'Hillside School', createdAt: NOW, retention: { inactiveMonths: 12, archiveClassesAfter: null, lastRunAt: null } }),
    user('head-admin', 'admin', 'Ms Head'),
    user('ms-lee', 'teacher', 'Ms Lee'),
    user('mr-fox', 'teacher', 'Mr Fox'),
    put('invites', { id: 'hash-of-a-code', schoolId, role: 'teacher', note: 'new history teacher', createdBy: 'head-admin', createdAt: NOW, expiresAt: '2027-03-15T09:00:00Z', usedAt: null, usedBy: null }),
  ];
  const bank = catalog().bank!;
  const classes = [
    { id: 'class-9', name: 'Year 9', teacherId: 'ms-lee', students: 6, lessons: [FIRST_LESSON] },
    { id: 'class-10', name: 'Year 10', teacherId: 'mr-fox', students: 3, lessons: [FIRST_LESSON, SECOND_LESSON] },
  ];
  for (const record of classes) {
    changes.push(put('classes', { id: record.id, schoolId, teacherId: record.teacherId, name: record.name, joinCode: `J${record.id.slice(-2)}XYZ`, createdAt: NOW }));
    changes.push(put('classTeachers', { id: keys.classTeacher(record.id, record.teacherId), classId: record.id, teacherId: record.teacherId, addedAt: NOW }));
    record.lessons.forEach((lessonId) => changes.push(put('assignments', { id: `${record.id}-${lessonId}`, classId: record.id, lessonId, due: null, createdAt: NOW })));
    for (const phase of ['before', 'after'] as const) changes.push(put('checkups', { id: `${record.id}-${phase}`, classId: record.id, phase, due: null, createdAt: NOW }));
    for (let s = 0; s < record.students; s++) {
      const studentId = `${record.id}-student${s}`;
      changes.push(user(studentId, 'student', `Student ${s}`));
      changes.push(put('memberships', { id: keys.membership(record.id, studentId), classId: record.id, studentId, joinedAt: NOW }));
      if (s % 2 === 0) changes.push(put('attempts', { id: `${studentId}-a`, studentId, lessonId: FIRST_LESSON, at: NOW, score: 9, max: 10, percent: 90, passed: true, answers: '' }));
      for (const phase of ['before', 'after'] as const) {
        const checkupId = `${record.id}-${phase}`;
        const form = formFor(record.id, studentId, phase);
        const items = bank.form(form);
        changes.push(put('checkupSittings', { id: keys.sitting(checkupId, studentId), checkupId, studentId, form, itemIds: items.map((item) => item.id), startedAt: NOW }));
        for (const item of items) {
          const rating = item.manipulative ? (phase === 'after' ? 6 : 5) - (s % 2) : 3 - (phase === 'after' ? 1 : 0) + (s % 2);
          changes.push(put('checkupResponses', { id: keys.checkupResponse(checkupId, studentId, item.id), checkupId, studentId, itemId: item.id, manipulative: rating, confidence: 4, at: NOW }));
        }
      }
    }
  }
  await store.commit(changes);
}

async function go(page: Page, pathname: string): Promise<void> {
  assert.ok(await page.goto(site.url(pathname)), `no response for ${pathname}`);
}

async function clickThrough(page: Page, selector: string): Promise<void> {
  await Promise.all([page.waitForEvent('load'), page.click(selector)]);
}

test('the admin logs in, opens the school overview and reaches the confirm step of a deactivation, without JavaScript', { timeout: 120_000 }, async () => {
  const page = await site.newPage({ javaScriptEnabled: false });
  await go(page, '/login');
  await site.check(page, 'log in (admin)', { quick: true });
  await page.fill('#field-username', 'head-admin');
  await page.fill('#field-password', PASSWORD);
  await clickThrough(page, 'main button[type="submit"]');
  await site.check(page, 'admin home');
  await clickThrough(page, 'main a[href="/admin"]');
  assert.equal(new URL(page.url()).pathname, '/admin');
  await site.check(page, 'school overview', { screenshot: 'admin-dashboard' });
  const main = (await page.textContent('main'))?.replace(/\s+/g, ' ') ?? '';
  assert.match(main, /Hillside School/);
  assert.match(main, /Means for the 6 students who took both/, 'the class of 6 makes the school result');
  assert.match(main, /left out because they are still too small: 1/);
  assert.match(main, /new history teacher/);
  assert.doesNotMatch(main, /hash-of-a-code/);
  // The confirm step: the button that deactivates is hidden until the admin opens it.
  const confirm = page.locator('details.confirm', { hasText: 'Ms Lee' });
  assert.equal(await confirm.locator('button[type="submit"]').isVisible(), false);
  await confirm.locator('summary').click();
  assert.equal(await confirm.locator('button[type="submit"]').isVisible(), true);
  await site.check(page, 'school overview, confirm a deactivation', { quick: true });
});

test('axe-core, 375 px, the Nu HTML Checker and console: no problem on any admin page', { timeout: 120_000 }, async () => {
  assert.deepEqual(site.axeProblems, [], `axe found violations:\n${site.axeProblems.join('\n')}`);
  assert.deepEqual(site.overflowProblems, [], `sideways scrolling:\n${site.overflowProblems.join('\n')}`);
  assert.deepEqual(await site.validateHtml(), []);
  assert.deepEqual(site.unchecked(), [], 'pages loaded without being checked');
  assert.deepEqual(site.consoleProblems, []);
});
