import { test, describe, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { catalog, Client, FIRST_LESSON, SECOND_LESSON, rightAnswers, signedUp, startApp, type TestApp } from './helpers.ts';
import { answersWith, classWith, escapeHtml } from './more-helpers.ts';

const START = new Date('2027-03-01T10:00:00Z');
const DAY = 24 * 60 * 60 * 1000;

describe('families', () => {
  let t: TestApp;
  before(async () => {
    t = await startApp({ now: START });
  });
  after(async () => {
    await t.close();
  });
  afterEach(() => {
    t.clock.now = START;
  });

  async function codeFor(student: Client): Promise<string> {
    const response = await student.post('/parent-code');
    assert.equal(response.status, 201);
    return response.body.code;
  }

  test('a student makes a parent code that expires 7 days later; a parent links with it once', async () => {
    const child = await signedUp(t.app, 'student', 'linky', { displayName: 'Linky Lou' });
    const made = await child.post('/parent-code');
    assert.equal(made.status, 201);
    assert.deepEqual(Object.keys(made.body).sort(), ['code', 'expiresAt']);
    assert.equal(typeof made.body.code, 'string');
    assert.ok(made.body.code.replace(/-/g, '').length >= 6);
    assert.equal(made.body.expiresAt, new Date(START.getTime() + 7 * DAY).toISOString());
    assert.deepEqual((await child.get('/family')).body.codes, [{ code: made.body.code, expiresAt: made.body.expiresAt }]);

    const parent = await signedUp(t.app, 'parent', 'linky-mum');
    const linked = await parent.post('/children', { code: made.body.code });
    assert.equal(linked.status, 201);
    assert.deepEqual(linked.body, { child: { id: child.user!.id, displayName: 'Linky Lou' } });
    assert.deepEqual((await parent.get('/')).body.children, [{ id: child.user!.id, displayName: 'Linky Lou' }]);
    assert.deepEqual((await child.get('/family')).body.codes, [], 'a used code is gone');

    const again = await parent.post('/children', { code: made.body.code });
    assert.equal(again.status, 422);
    assert.equal(again.body.error.field, 'code');
    const other = await signedUp(t.app, 'parent', 'linky-stranger');
    const stolen = await other.post('/children', { code: made.body.code });
    assert.equal(stolen.status, 422, 'one use only');
    assert.equal(stolen.body.error.field, 'code');
    assert.deepEqual((await other.get('/')).body.children, []);
    assert.equal((await other.get(`/children/${child.user!.id}`)).status, 404);
  });

  test('the code page is shown once (201, not a redirect), and the form link goes to the child', async () => {
    const child = await signedUp(t.app, 'student', 'formkid');
    const page = await child.form('/parent-code');
    assert.equal(page.status, 201);
    assert.equal(page.headers.location, undefined);
    const code = /class="code big-code">([^<]+)</.exec(page.text)?.[1];
    assert.ok(code, 'the page shows the code');
    const parent = await signedUp(t.app, 'parent', 'formkid-dad');
    const linked = await parent.form('/children', { code: code.toLowerCase() });
    assert.equal(linked.status, 303);
    assert.equal(linked.headers.location, `/children/${child.user!.id}`);
    const wrong = await parent.form('/children', { code: 'WXYZ-2345' });
    assert.equal(wrong.status, 422);
    assert.match(wrong.text, /aria-invalid="true"/);
  });

  test('a code works until its 7 days are over; after 8 days it is refused', async () => {
    const child = await signedUp(t.app, 'student', 'slowpoke');
    const parent = await signedUp(t.app, 'parent', 'slowpoke-gran');
    const early = await codeFor(child);
    const late = await codeFor(child);
    t.clock.now = new Date(START.getTime() + 7 * DAY - 60_000);
    assert.equal((await parent.post('/children', { code: early })).status, 201, 'still valid a minute before it expires');

    const second = await signedUp(t.app, 'parent', 'slowpoke-aunt');
    t.clock.now = new Date(START.getTime() + 8 * DAY);
    const expired = await second.post('/children', { code: late });
    assert.equal(expired.status, 422);
    assert.equal(expired.body.error.field, 'code');
    assert.match(expired.body.error.message, /expired/i);
    assert.deepEqual((await second.get('/')).body.children, []);
    assert.deepEqual((await child.get('/family')).body.codes, [], 'an expired code is not offered');
  });

  test("a parent sees the child's assigned lessons: status, best percent, due date and the talk-at-home prompt", async () => {
    const { teacher, classId, students } = await classWith(t.app, 'kin', ['kid']);
    const [kid] = students;
    await teacher.post(`/classes/${classId}/assignments`, { lessonId: FIRST_LESSON, due: '2027-03-08' });
    await teacher.post(`/classes/${classId}/assignments`, { lessonId: SECOND_LESSON });
    const parent = await signedUp(t.app, 'parent', 'kin-parent');
    await parent.post('/children', { code: await codeFor(kid) });

    await kid.get(`/lessons/${SECOND_LESSON}`);
    await kid.post(`/lessons/${FIRST_LESSON}/quiz`, { answers: answersWith(FIRST_LESSON, 5) });
    await kid.post(`/lessons/${FIRST_LESSON}/quiz`, { answers: rightAnswers(FIRST_LESSON) });

    const response = await parent.get(`/children/${kid.user!.id}`);
    assert.equal(response.status, 200);
    assert.deepEqual(response.body.child, { id: kid.user!.id, displayName: 'kin-kid' });
    const rows = response.body.progress.map(({ lessonId, title, status, bestPercent, due, parentPrompt }: Record<string, unknown>) => ({ lessonId, title, status, bestPercent, due, parentPrompt }));
    const first = catalog().lesson(FIRST_LESSON)!;
    const second = catalog().lesson(SECOND_LESSON)!;
    assert.deepEqual(rows, [
      { lessonId: FIRST_LESSON, title: first.title, status: 'passed', bestPercent: 100, due: '2027-03-08', parentPrompt: first.parentPrompt },
      { lessonId: SECOND_LESSON, title: second.title, status: 'in_progress', bestPercent: null, due: null, parentPrompt: second.parentPrompt },
    ]);
    assert.doesNotMatch(response.text, /"answers"|"correct"|passwordHash/, 'no answers reach the parent');

    const page = await parent.page(`/children/${kid.user!.id}`);
    assert.equal(page.status, 200);
    assert.match(page.text, /Talk about it at home/);
    assert.ok(page.text.includes(escapeHtml(first.parentPrompt)));
    assert.ok(page.text.includes(escapeHtml(first.summary)));
    assert.match(page.text, /Best score: 100%/);
  });

  test('a parent with two children sees both on the home page', async () => {
    const parent = await signedUp(t.app, 'parent', 'busy-parent');
    const older = await signedUp(t.app, 'student', 'older-kid', { displayName: 'Ola' });
    const younger = await signedUp(t.app, 'student', 'younger-kid', { displayName: 'Yan' });
    assert.equal((await parent.post('/children', { code: await codeFor(older) })).status, 201);
    assert.equal((await parent.post('/children', { code: await codeFor(younger) })).status, 201);
    const home = await parent.get('/');
    assert.equal(home.status, 200);
    assert.deepEqual(home.body.children, [
      { id: older.user!.id, displayName: 'Ola' },
      { id: younger.user!.id, displayName: 'Yan' },
    ]);
    const html = await parent.page('/');
    assert.match(html.text, new RegExp(`href="/children/${older.user!.id}"`));
    assert.match(html.text, new RegExp(`href="/children/${younger.user!.id}"`));
    assert.equal((await parent.get(`/children/${older.user!.id}`)).status, 200);
    assert.equal((await parent.get(`/children/${younger.user!.id}`)).status, 200);
  });

  test('a student sees the linked adults and can remove a link; the parent then gets 404', async () => {
    const child = await signedUp(t.app, 'student', 'unlinker');
    const mum = await signedUp(t.app, 'parent', 'unlinker-mum', { displayName: 'Mum' });
    const dad = await signedUp(t.app, 'parent', 'unlinker-dad', { displayName: 'Dad' });
    await mum.post('/children', { code: await codeFor(child) });
    await dad.post('/children', { code: await codeFor(child) });

    const family = await child.get('/family');
    assert.equal(family.status, 200);
    const adults = family.body.adults.map(({ id, displayName, username }: Record<string, string>) => ({ id, displayName, username }));
    assert.deepEqual(
      adults.sort((a: { username: string }, b: { username: string }) => a.username.localeCompare(b.username)),
      [
        { id: dad.user!.id, displayName: 'Dad', username: 'unlinker-dad' },
        { id: mum.user!.id, displayName: 'Mum', username: 'unlinker-mum' },
      ],
    );
    assert.match((await child.page('/family')).text, /Mum/);

    const removed = await child.post(`/family/adults/${mum.user!.id}/remove`);
    assert.equal(removed.status, 200);
    assert.deepEqual(removed.body, { ok: true });
    assert.deepEqual((await child.get('/family')).body.adults.map((a: { id: string }) => a.id), [dad.user!.id]);
    assert.equal((await mum.get(`/children/${child.user!.id}`)).status, 404);
    assert.equal((await mum.page(`/children/${child.user!.id}`)).status, 404);
    assert.deepEqual((await mum.get('/')).body.children, []);
    assert.equal((await dad.get(`/children/${child.user!.id}`)).status, 200, 'the other link stays');
    assert.equal((await child.post(`/family/adults/${mum.user!.id}/remove`)).status, 404, 'already removed');

    const form = await child.form(`/family/adults/${dad.user!.id}/remove`);
    assert.equal(form.status, 303);
    assert.equal(form.headers.location, '/family');
    assert.equal((await dad.get(`/children/${child.user!.id}`)).status, 404);
  });

  test('wrong codes are 422; only students make codes and only parents use them', async () => {
    const parent = await signedUp(t.app, 'parent', 'guessing-parent');
    for (const code of ['AAAA-AAAA', '', 'x'.repeat(21)]) {
      const response = await parent.post('/children', { code });
      assert.equal(response.status, 422, code);
      assert.equal(response.body.error.field, 'code');
    }
    const child = await signedUp(t.app, 'student', 'code-owner');
    const code = await codeFor(child);
    const teacher = await signedUp(t.app, 'teacher', 'code-teacher');
    assert.equal((await teacher.post('/parent-code')).status, 403);
    assert.equal((await parent.post('/parent-code')).status, 403);
    assert.equal((await teacher.post('/children', { code })).status, 403);
    assert.equal((await child.post('/children', { code })).status, 403);
    assert.equal((await parent.post('/children', { code })).status, 201, 'the code was not used up by the refused tries');
    const anonymous = new Client(t.app);
    await anonymous.refreshToken();
    assert.equal((await anonymous.post('/parent-code')).status, 401);
  });
});

describe('families: a student controls their parent codes', () => {
  let t: TestApp;
  before(async () => {
    t = await startApp({ now: START });
  });
  after(async () => {
    await t.close();
  });

  test('a student sees unused codes and cancels one; the cancelled code no longer links', async () => {
    const child = await signedUp(t.app, 'student', 'canceller');
    const first = (await child.post('/parent-code')).body.code;
    const second = (await child.post('/parent-code')).body.code;
    assert.deepEqual((await child.get('/family')).body.codes.map((c: { code: string }) => c.code).sort(), [first, second].sort());
    const page = await child.page('/family');
    assert.ok(page.text.includes(`action="/parent-code/${first}/cancel"`), 'each code has a cancel button');

    const cancelled = await child.post(`/parent-code/${first}/cancel`);
    assert.equal(cancelled.status, 200);
    assert.deepEqual(cancelled.body, { ok: true });
    assert.deepEqual((await child.get('/family')).body.codes.map((c: { code: string }) => c.code), [second]);
    const parent = await signedUp(t.app, 'parent', 'canceller-parent');
    assert.equal((await parent.post('/children', { code: first })).status, 422, 'a cancelled code does not link');
    assert.equal((await child.post(`/parent-code/${first}/cancel`)).status, 404, 'already cancelled');

    const form = await child.form(`/parent-code/${second.toLowerCase()}/cancel`);
    assert.equal(form.status, 303);
    assert.equal(form.headers.location, '/family');
    assert.deepEqual((await child.get('/family')).body.codes, []);
  });

  test("only the student who made a code can cancel it; nobody learns whether someone else's code exists", async () => {
    const owner = await signedUp(t.app, 'student', 'code-maker');
    const code = (await owner.post('/parent-code')).body.code;
    const other = await signedUp(t.app, 'student', 'code-stranger');
    assert.equal((await other.post(`/parent-code/${code}/cancel`)).status, 404);
    assert.equal((await other.post('/parent-code/ABCD-EFGH/cancel')).status, 404);
    const teacher = await signedUp(t.app, 'teacher', 'code-canceller-teacher');
    assert.equal((await teacher.post(`/parent-code/${code}/cancel`)).status, 403);
    const parent = await signedUp(t.app, 'parent', 'code-maker-parent');
    assert.equal((await parent.post(`/parent-code/${code}/cancel`)).status, 403);
    assert.equal((await parent.post('/children', { code })).status, 201, 'the code still works for the one it was given to');
  });

  test("removing an adult cancels the student's unused codes, so a code that adult saw cannot link again", async () => {
    const child = await signedUp(t.app, 'student', 'removing-kid');
    const unwanted = await signedUp(t.app, 'parent', 'unwanted-adult');
    assert.equal((await unwanted.post('/children', { code: (await child.post('/parent-code')).body.code })).status, 201);
    const seen = (await child.post('/parent-code')).body.code;
    assert.equal((await child.post(`/family/adults/${unwanted.user!.id}/remove`)).status, 200);
    assert.deepEqual((await child.get('/family')).body.codes, []);
    assert.equal((await unwanted.post('/children', { code: seen })).status, 422);
    assert.equal((await unwanted.get(`/children/${child.user!.id}`)).status, 404);
    const page = await child.page('/family');
    assert.doesNotMatch(page.text, /unwanted-adult/);
  });

  test('the family page lists adults with when they were linked', async () => {
    const child = await signedUp(t.app, 'student', 'linked-when');
    const parent = await signedUp(t.app, 'parent', 'linked-when-mum');
    await parent.post('/children', { code: (await child.post('/parent-code')).body.code });
    const adults = (await child.get('/family')).body.adults;
    assert.equal(adults.length, 1);
    assert.equal(adults[0].linkedAt, START.toISOString());
  });
});
