// Children's data: the /privacy pages, the family page's "last looked at",
// and the notice a student gets after a teacher reset their password.
import { test, describe, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import rs from 'text-readability';
import { Client, ROOT, signedUp, startApp, schoolWithAdmin, type TestApp } from './helpers.ts';
import { allKeys, classWith } from './more-helpers.ts';
import { put } from '../src/store/backend.ts';
import { keys } from '../src/store/keys.ts';
import { recordParentView } from '../src/families/families.ts';
import { KEPT_LINE_OF, privacyFacts } from '../src/privacy/privacy.ts';
import { INDEXED, STUDENT_RECORDS } from '../src/store/schema.ts';
import { readFileSync } from 'node:fs';
import path from 'node:path';

const START = new Date('2027-03-01T10:00:00Z');
const MINUTE = 60 * 1000;

/** The main text of a page as sentences (list items and headings end one), for the readability formula. */
function mainText(html: string): string {
  const main = /<main[^>]*>([\s\S]*)<\/main>/.exec(html)?.[1] ?? '';
  return main
    .split(/<\/(?:li|h1|h2|p)>/)
    .map((block) => block.replace(/<[^>]+>/g, ' ').replace(/&#39;|&#8217;/g, "'").replace(/&[a-z#0-9]+;/g, ' ').replace(/\s+/g, ' ').trim())
    .filter(Boolean)
    .map((block) => (/[.?!]$/.test(block) ? block : `${block}.`))
    .join('\n');
}

describe('privacy', () => {
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

  async function linkParent(child: Client, parentName: string): Promise<Client> {
    const { body } = await child.post('/parent-code');
    const parent = await signedUp(t.app, 'parent', parentName);
    assert.equal((await parent.post('/children', { code: body.code })).status, 201);
    return parent;
  }

  async function setSchool(userId: string, schoolId: string, inactiveMonths?: number) {
    const user = (await t.store.get('users', userId))!;
    const school = (await t.store.get('schools', schoolId))!;
    await t.store.commit([
      put('users', { ...user, schoolId }),
      ...(inactiveMonths ? [put('schools', { ...school, retention: { ...school.retention, inactiveMonths } })] : []),
    ]);
  }

  test('anyone reads /privacy for students and /privacy/parents, each linking to the other, in plain words', async () => {
    const visitor = new Client(t.app);
    const students = await visitor.page('/privacy');
    assert.equal(students.status, 200);
    assert.match(students.text, /<h1>Your data on FrameCheck<\/h1>/);
    assert.match(students.text, /href="\/privacy\/parents"/);
    assert.match(students.text, /If you do not log in for 12 months, your account and all your work are erased/);
    assert.match(students.text, /12 months is the usual time/);
    const parents = await visitor.page('/privacy/parents');
    assert.equal(parents.status, 200);
    assert.match(parents.text, /<h1>Your child’s data on FrameCheck<\/h1>/);
    assert.match(parents.text, /href="\/privacy"/);
    assert.match(parents.text, /nobody logs in to for 12 months/);
    for (const [name, page] of [['students', students.text], ['parents', parents.text]]) {
      const grade = rs.fleschKincaidGrade(mainText(page));
      assert.ok(grade <= 8, `the ${name}' version reads at grade ${grade.toFixed(1)}, above the lessons' 8`);
    }
  });

  test('the JSON holds both versions with the same facts, and says what is not kept', async () => {
    const response = await new Client(t.app).get('/privacy');
    assert.equal(response.status, 200);
    const { students, parents } = response.body;
    for (const section of ['kept', 'notKept', 'whoSees', 'askFor', 'never']) {
      assert.deepEqual(students[section].map((item: { id: string }) => item.id), parents[section].map((item: { id: string }) => item.id), `${section}: same facts in both versions`);
    }
    assert.deepEqual(
      students.kept.map((item: { id: string }) => item.id),
      ['account', 'password', 'classes', 'lessons', 'answers', 'checkups', 'chats', 'boosters', 'code-name', 'adults', 'codes', 'reset', 'session', 'log'],
    );
    assert.deepEqual(students.notKept.map((item: { id: string }) => item.id), ['email', 'birth', 'name', 'place', 'messages', 'browsing']);
    assert.deepEqual(students.howLong.inactiveMonths, 12);
    assert.equal(students.howLong.school, null);
    assert.deepEqual((await new Client(t.app).get('/privacy/parents')).body, response.body, '/privacy/parents answers the same JSON');
  });

  test('every collection erasure removes is told of on /privacy, and every collection is in docs/data-protection.md', () => {
    const kept = new Set(privacyFacts({ inactiveMonths: 12, school: null }).students.kept.map((item) => item.id));
    for (const [collection] of STUDENT_RECORDS) {
      assert.ok(KEPT_LINE_OF[collection] && kept.has(KEPT_LINE_OF[collection]), `${collection} holds data about a student: say so on /privacy (KEPT_LINE_OF)`);
    }
    const doc = readFileSync(path.join(ROOT, 'docs', 'data-protection.md'), 'utf8');
    for (const collection of Object.keys(INDEXED)) {
      assert.ok(doc.includes(`\`${collection}\``), `docs/data-protection.md does not describe \`${collection}\``);
    }
  });

  test("a signed-in student, and a parent linked to them, see their school's retention months", async () => {
    const { schoolId } = await schoolWithAdmin(t, 'Riverside Academy', 'river.admin');
    const student = await signedUp(t.app, 'student', 'riv-kid');
    await setSchool(student.user!.id, schoolId, 18);
    const json = await student.get('/privacy');
    assert.equal(json.body.students.howLong.inactiveMonths, 18);
    assert.equal(json.body.students.howLong.school, 'Riverside Academy');
    const page = await student.page('/privacy');
    assert.match(page.text, /If you do not log in for 18 months/);
    assert.match(page.text, /<bdi>Riverside Academy<\/bdi> chose 18 months/);
    assert.doesNotMatch(page.text, /12 months/);

    const parent = await linkParent(student, 'riv-mum');
    assert.match((await parent.page('/privacy/parents')).text, /nobody logs in to for 18 months/);
    assert.equal((await parent.get('/privacy')).body.parents.howLong.inactiveMonths, 18);

    const elsewhere = await signedUp(t.app, 'student', 'no-school-kid');
    assert.equal((await elsewhere.get('/privacy')).body.students.howLong.inactiveMonths, 12, 'no school: the default');
    assert.equal((await new Client(t.app).get('/privacy')).body.students.howLong.inactiveMonths, 12, 'anonymous: the default');
  });

  test('every page links to /privacy in its footer; sign-up and the parent-link page link to it too', async () => {
    const visitor = new Client(t.app);
    for (const url of ['/', '/login', '/help', '/about', '/no-such-page']) {
      assert.match((await visitor.page(url)).text, /<footer[\s\S]*href="\/privacy"/, `${url} footer`);
    }
    assert.match((await visitor.page('/signup')).text, /<form[\s\S]*href="\/privacy"[\s\S]*<\/form>/, 'sign-up form links to it');
    const parent = await signedUp(t.app, 'parent', 'footer-parent');
    assert.match((await parent.page('/')).text, /href="\/privacy\/parents"/, 'the parent-link page');
    const student = await signedUp(t.app, 'student', 'footer-kid');
    assert.match((await student.page('/family')).text, /<main[\s\S]*href="\/privacy"[\s\S]*<\/main>/);
  });

  test('the family page shows when each adult last looked: not before they look, the day after', async () => {
    const child = await signedUp(t.app, 'student', 'watched-kid');
    const mum = await linkParent(child, 'watch-mum');
    const dad = await linkParent(child, 'watch-dad');
    let adults = (await child.get('/family')).body.adults;
    assert.deepEqual(adults.map((adult: { lastViewedAt: unknown }) => adult.lastViewedAt), [null, null]);
    assert.match((await child.page('/family')).text, /Has not looked at your progress yet/);
    assert.doesNotMatch((await child.page('/family')).text, /Last looked at/);

    // The parent's home lists children but shows no progress: it is not a view.
    await mum.get('/');
    assert.deepEqual((await child.get('/family')).body.adults.map((adult: { lastViewedAt: unknown }) => adult.lastViewedAt), [null, null]);

    t.clock.now = new Date('2027-03-03T08:00:00Z');
    assert.equal((await mum.page(`/children/${child.user!.id}`)).status, 200);
    adults = (await child.get('/family')).body.adults;
    const byName = (name: string) => adults.find((adult: { username: string }) => adult.username === name);
    assert.equal(byName('watch-mum').lastViewedAt, '2027-03-03T08:00:00.000Z');
    assert.equal(byName('watch-dad').lastViewedAt, null, 'only the adult who looked');
    const page = (await child.page('/family')).text;
    assert.match(page, /Last looked at your progress on 3 Mar 2027/);
    assert.match(page, /Has not looked at your progress yet/, 'dad has not');

    // JSON views count too; within 10 minutes they cost no write, after that the time moves on.
    t.clock.now = new Date(new Date('2027-03-03T08:00:00Z').getTime() + 5 * MINUTE);
    await mum.get(`/children/${child.user!.id}`);
    assert.equal((await t.store.get('parentLinks', keys.parentLink(mum.user!.id, child.user!.id)))!.lastViewedAt, '2027-03-03T08:00:00.000Z');
    t.clock.now = new Date('2027-03-09T18:30:00Z');
    await mum.get(`/children/${child.user!.id}`);
    assert.equal((await t.store.get('parentLinks', keys.parentLink(mum.user!.id, child.user!.id)))!.lastViewedAt, '2027-03-09T18:30:00.000Z');
    assert.match((await child.page('/family')).text, /Last looked at your progress on 9 Mar 2027/);
  });

  test('when a parent looked is shown to that child only: not to other students, teachers or other parents', async () => {
    const { teacher, classId, students } = await classWith(t.app, 'seen', ['kid', 'other']);
    const [child, other] = students;
    const mum = await linkParent(child, 'seen-mum');
    t.clock.now = new Date('2027-03-04T12:00:00Z');
    await mum.get(`/children/${child.user!.id}`);
    const stamp = '2027-03-04T12:00:00.000Z';

    assert.deepEqual((await other.get('/family')).body.adults, []);
    assert.doesNotMatch(JSON.stringify((await other.get('/')).body), /seen-mum|2027-03-04T12/);
    const teacherView = await teacher.get(`/classes/${classId}/students/${child.user!.id}`);
    assert.equal(teacherView.status, 200);
    assert.ok(!allKeys(teacherView.body).has('lastViewedAt'), 'the teacher sees no viewing times');
    assert.doesNotMatch(JSON.stringify(teacherView.body), new RegExp(stamp));
    assert.doesNotMatch((await teacher.page(`/classes/${classId}`)).text, /Last looked/);
    const stranger = await signedUp(t.app, 'parent', 'seen-stranger');
    assert.equal((await stranger.get(`/children/${child.user!.id}`)).status, 404);
    assert.equal((await stranger.get(`/children/${child.user!.id}`)).status, 404);
    assert.equal((await child.get('/family')).body.adults[0].lastViewedAt, stamp, 'a refused look is not a look');
    assert.ok(!allKeys((await mum.get(`/children/${child.user!.id}`)).body).has('lastViewedAt'), 'the parent is not shown it either');
  });

  test('a view recorded after the child removed the adult does not bring the link back', async () => {
    const child = await signedUp(t.app, 'student', 'unlinked-kid');
    const dad = await linkParent(child, 'unlinked-dad');
    const parentUser = (await t.store.get('users', dad.user!.id))!;
    const childUser = (await t.store.get('users', child.user!.id))!;
    assert.equal((await child.post(`/family/adults/${dad.user!.id}/remove`)).status, 200);
    await recordParentView({ store: t.store, now: () => t.clock.now } as never, parentUser, childUser);
    assert.equal(await t.store.get('parentLinks', keys.parentLink(dad.user!.id, child.user!.id)), undefined);
    assert.equal((await dad.get(`/children/${child.user!.id}`)).status, 404);
  });

  test("a teacher's reset is shown to the student at their next login, once, until they choose a new password", async () => {
    const { teacher, classId, students } = await classWith(t.app, 'reset', ['kid']);
    const [kid] = students;
    await t.store.commit([put('users', { ...(await t.store.get('users', teacher.user!.id))!, displayName: 'Ms Lee <3' })]);
    t.clock.now = new Date('2027-03-05T09:00:00Z');
    const reset = await teacher.post(`/classes/${classId}/students/${kid.user!.id}/reset-password`);
    assert.equal(reset.status, 201);
    const stored = (await t.store.get('users', kid.user!.id))!;
    assert.equal(stored.passwordResetBy, teacher.user!.id);
    assert.equal(stored.passwordResetAt, '2027-03-05T09:00:00.000Z');

    t.clock.now = new Date('2027-03-06T09:00:00Z');
    const again = new Client(t.app);
    const login = await again.login('reset-kid', reset.body.temporaryPassword);
    assert.equal(login.status, 200);
    assert.deepEqual(login.body.passwordReset, { by: 'Ms Lee <3', role: 'teacher', at: '2027-03-05T09:00:00.000Z' });
    const page = await again.page('/password');
    assert.match(page.text, /Your teacher <bdi>Ms Lee &lt;3<\/bdi> reset your password on 5 Mar 2027/);
    assert.equal((await again.get('/password')).body.passwordReset.by, 'Ms Lee <3');
    // Still there if they wander off and come back: it goes when they have chosen a new password.
    assert.equal((await again.page('/lessons')).headers.location, '/password');
    assert.match((await again.page('/password')).text, /reset your password on 5 Mar 2027/);
    assert.equal((await again.page('/privacy')).status, 200, 'the privacy page is open before the new password');

    assert.equal((await again.post('/password', { newPassword: 'a-brand-new-secret' })).status, 200);
    assert.doesNotMatch((await again.page('/password')).text, /reset your password/);
    assert.equal((await again.get('/password')).body.passwordReset, null);
    const later = await new Client(t.app).login('reset-kid', 'a-brand-new-secret');
    assert.equal(later.status, 200);
    assert.equal(later.body.passwordReset, undefined, 'shown once: not at the login after');
    const cleared = (await t.store.get('users', kid.user!.id))!;
    assert.equal(cleared.passwordResetBy, null);
    assert.equal(cleared.passwordResetAt, null);
  });
});
