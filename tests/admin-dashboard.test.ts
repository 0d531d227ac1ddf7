// The admin's dashboard (GET /admin) and the one rule for small groups on
// every page that shows check-up numbers (docs/assessment.md, "Small groups").
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import type { Form } from '../src/checkups/bank.ts';
import { formFor } from '../src/checkups/checkups.ts';
import { newId } from '../src/ids.ts';
import { insert, put, type StoreChange } from '../src/store/backend.ts';
import { keys } from '../src/store/keys.ts';
import { catalog, Client, FIRST_LESSON, schoolWithAdmin, SECOND_LESSON, seedUser, signedIn, signedUp, startApp, type TestApp } from './helpers.ts';

/** A teacher of the school, seeded as an accepted invitation would make them, and signed in. */
async function teacherOf(t: TestApp, schoolId: string, username: string): Promise<Client> {
  await seedUser(t, schoolId, 'teacher', username);
  return signedIn(t, username);
}

/** A class of the school made by this teacher, with students who joined by its code. */
async function classOf(t: TestApp, schoolId: string, teacher: Client, name: string, studentNames: string[]) {
  const created = await teacher.post('/classes', { name });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  const classId: string = created.body.class.id;
  // Stamped here as well as by POST /classes (once classes carry their school), so the test holds either way.
  const record = (await t.store.get('classes', classId))!;
  await t.store.commit([
    put('classes', { ...record, schoolId }),
    put('classTeachers', { id: keys.classTeacher(classId, teacher.user!.id), classId, teacherId: teacher.user!.id, addedAt: record.createdAt }),
  ]);
  const students: Client[] = [];
  for (const student of studentNames) students.push(await signedUp(t.app, 'student', student, { classCode: created.body.class.joinCode }));
  return { classId, students, studentIds: students.map((student) => student.user!.id) };
}

/**
 * A finished sitting written straight into the store: manipulative items
 * rated `high`, neutral ones `low` (discernment high - low). `form` 'retired'
 * uses the retired form A, which has no pair of some techniques.
 */
function finishedSitting(checkupId: string, classId: string, studentId: string, phase: 'before' | 'after', high: number, low: number, at: string, retired = false): StoreChange[] {
  const bank = catalog().bank!;
  const form: Form = formFor(classId, studentId, phase);
  const items = retired ? [...bank.items.values()].filter((item) => item.retired && item.form === 'A') : bank.form(form);
  return [
    put('checkupSittings', { id: keys.sitting(checkupId, studentId), checkupId, studentId, form: retired ? 'A' : form, itemIds: items.map((item) => item.id), startedAt: at }),
    ...items.map((item) =>
      put('checkupResponses', { id: keys.checkupResponse(checkupId, studentId, item.id), checkupId, studentId, itemId: item.id, manipulative: item.manipulative ? high : low, confidence: 4, at }),
    ),
  ];
}

/** Before and after check-ups for the class, every listed student having taken both with these ratings. */
async function takeBothCheckups(t: TestApp, teacher: Client, classId: string, studentIds: string[], before: [number, number], after: [number, number], retiredBefore: string[] = []) {
  const ids: Record<string, string> = {};
  for (const phase of ['before', 'after'] as const) ids[phase] = (await teacher.post(`/classes/${classId}/checkups`, { phase })).body.checkup.id;
  const at = t.clock.now.toISOString();
  for (const studentId of studentIds) {
    await t.store.commit([
      ...finishedSitting(ids.before, classId, studentId, 'before', ...before, at, retiredBefore.includes(studentId)),
      ...finishedSitting(ids.after, classId, studentId, 'after', ...after, at),
    ]);
  }
}

function passed(studentId: string, lessonId: string, at: string): StoreChange {
  return put('attempts', { id: newId(), studentId, lessonId, at, score: 9, max: 10, percent: 90, passed: true, answers: '' });
}

describe('the admin dashboard', () => {
  test('shows the school: teachers, classes with completion, open invitations (never a code)', async () => {
    const t = await startApp();
    try {
      const { schoolId, admin } = await schoolWithAdmin(t, 'Hillside School');
      const lee = await teacherOf(t, schoolId, 'ms-lee');
      const fox = await teacherOf(t, schoolId, 'mr-fox');
      const nine = await classOf(t, schoolId, lee, 'Year 9', ['ana', 'ben', 'cai']);
      const ten = await classOf(t, schoolId, fox, 'Year 10', ['dev', 'eli']);
      assert.equal((await lee.post(`/classes/${nine.classId}/assignments`, { lessonId: FIRST_LESSON })).status, 201);
      for (const lessonId of [FIRST_LESSON, SECOND_LESSON]) assert.equal((await fox.post(`/classes/${ten.classId}/assignments`, { lessonId })).status, 201);
      const at = t.clock.now.toISOString();
      // Year 9: 2 of 3 passed the one lesson. Year 10: 1 of 4 (student, lesson) pairs; a pass of an unassigned lesson does not count.
      await t.store.commit([
        passed(nine.studentIds[0], FIRST_LESSON, at),
        passed(nine.studentIds[1], FIRST_LESSON, at),
        passed(ten.studentIds[0], SECOND_LESSON, at),
        passed(ten.studentIds[1], 'us-versus-them', at),
      ]);
      // Co-teaching: the admin teaches Year 10 too.
      await t.store.commit([put('classTeachers', { id: keys.classTeacher(ten.classId, admin.user!.id), classId: ten.classId, teacherId: admin.user!.id, addedAt: at })]);
      await t.store.commit([
        insert('invites', { id: 'hash-of-open-code', schoolId, role: 'teacher', note: 'new history teacher', createdBy: admin.user!.id, createdAt: at, expiresAt: '2027-03-15T10:00:00Z', usedAt: null, usedBy: null }),
        insert('invites', { id: 'hash-of-used-code', schoolId, role: 'admin', note: 'deputy head', createdBy: admin.user!.id, createdAt: '2027-02-20T10:00:00Z', expiresAt: '2027-03-06T10:00:00Z', usedAt: at, usedBy: lee.user!.id }),
      ]);

      const response = await admin.get('/admin');
      assert.equal(response.status, 200);
      const body = response.body;
      assert.deepEqual(body.school, { id: schoolId, name: 'Hillside School', retention: { inactiveMonths: 12, archiveClassesAfter: null, lastRunAt: null } });
      const byName = Object.fromEntries(body.teachers.map((teacher: { username: string }) => [teacher.username, teacher]));
      assert.deepEqual(Object.keys(byName).sort(), ['head.admin', 'mr-fox', 'ms-lee']);
      assert.deepEqual(byName['ms-lee'], { id: lee.user!.id, username: 'ms-lee', displayName: 'ms-lee', role: 'teacher', active: true, classes: 1 });
      assert.equal(byName['head.admin'].classes, 1);
      assert.equal(byName['mr-fox'].classes, 1);
      const classes = Object.fromEntries(body.classes.map((entry: { name: string }) => [entry.name, entry]));
      assert.deepEqual(classes['Year 9'], { id: nine.classId, name: 'Year 9', teacherIds: [lee.user!.id], students: 3, assignedLessons: 1, completion: 0.67 });
      assert.deepEqual(classes['Year 10'].teacherIds.sort(), [fox.user!.id, admin.user!.id].sort());
      assert.equal(classes['Year 10'].students, 2);
      assert.equal(classes['Year 10'].completion, 0.25);
      assert.deepEqual(body.invites, [
        { note: 'new history teacher', role: 'teacher', createdAt: at, expiresAt: '2027-03-15T10:00:00Z', used: false },
        { note: 'deputy head', role: 'admin', createdAt: '2027-02-20T10:00:00Z', expiresAt: '2027-03-06T10:00:00Z', used: true },
      ]);
      assert.doesNotMatch(JSON.stringify(body), /hash-of|passwordHash|joinCode/, 'no invitation hash, password hash or join code');
      assert.equal(body.checkups.suppressed, true);

      // Figures are kept per class until something in the class changes: a new pass shows at once.
      await t.store.commit([passed(nine.studentIds[2], FIRST_LESSON, at)]);
      const after = (await admin.get('/admin')).body.classes;
      assert.equal(after.find((entry: { name: string }) => entry.name === 'Year 9').completion, 1);
      assert.equal(after.find((entry: { name: string }) => entry.name === 'Year 10').completion, 0.25);

      // A teacher deactivated by the admin shows as such, with no button.
      const lily = await teacherOf(t, schoolId, 'ms-lily');
      const lilyRecord = (await t.store.get('users', lily.user!.id))!;
      await t.store.commit([put('users', { ...lilyRecord, deactivatedAt: at })]);
      assert.equal((await admin.get('/admin')).body.teachers.find((teacher: { username: string }) => teacher.username === 'ms-lily').active, false);

      const page = await admin.page('/admin');
      assert.equal(page.status, 200);
      assert.match(page.text, /<h1>Hillside School<\/h1>/);
      for (const href of ['/admin/roster', '/admin/audit', '/admin/retention', '/lti/platforms', `/classes/${nine.classId}`]) assert.ok(page.text.includes(`href="${href}"`), href);
      assert.match(page.text, /<form method="post" action="\/admin\/invites"/);
      assert.match(page.text, /<select id="field-role" name="role">/);
      assert.match(page.text, /name="note"/);
      assert.ok(page.text.includes(`action="/admin/teachers/${lee.user!.id}/deactivate"`), 'a deactivate form for an active teacher');
      assert.ok(!page.text.includes(`action="/admin/teachers/${lily.user!.id}/deactivate"`), 'none for a deactivated one');
      assert.ok(!page.text.includes(`action="/admin/teachers/${admin.user!.id}/deactivate"`), 'none for the admin');
      assert.match(page.text, /<details class="confirm">/, 'the confirm step works without script');
      assert.match(page.text, /<progress max="100" value="100" aria-label="Completion of Year 9">/);
      assert.match(page.text, /100%/);
      assert.match(page.text, /<progress max="100" value="25" aria-label="Completion of Year 10">/);
      assert.match(page.text, /new history teacher/);
      assert.doesNotMatch(page.text, /deputy head/, 'a used invitation is not open');
      assert.doesNotMatch(page.text, /hash-of/);

      // The admin's home keeps their classes and leads to the dashboard.
      const home = await admin.get('/');
      assert.equal(home.body.admin.dashboard, '/admin');
      assert.ok((await admin.page('/')).text.includes('href="/admin"'));
      assert.equal((await lee.get('/')).body.admin, undefined);
    } finally {
      await t.close();
    }
  });

  test('only the school admin: another school sees nothing, teacher, student and parent are refused, anonymous logs in', async () => {
    const t = await startApp();
    try {
      const { schoolId, admin } = await schoolWithAdmin(t, 'Hillside School');
      const lee = await teacherOf(t, schoolId, 'ms-lee');
      const nine = await classOf(t, schoolId, lee, 'Year 9 Hillside', ['ana']);
      const other = await schoolWithAdmin(t, 'Riverside Academy', 'river.admin');
      const stranger = await teacherOf(t, other.schoolId, 'mr-river');
      await classOf(t, other.schoolId, stranger, 'Riverside 7', ['zed']);

      const theirs = await other.admin.get('/admin');
      assert.equal(theirs.status, 200);
      assert.equal(theirs.body.school.name, 'Riverside Academy');
      const text = JSON.stringify(theirs.body);
      for (const secret of [schoolId, nine.classId, lee.user!.id, 'ms-lee', 'Year 9 Hillside', 'Hillside', admin.user!.id]) assert.ok(!text.includes(secret), `Riverside's admin must not see ${secret}`);
      assert.deepEqual(theirs.body.classes.map((entry: { name: string }) => entry.name), ['Riverside 7']);
      assert.doesNotMatch((await other.admin.page('/admin')).text, /Hillside|ms-lee/);

      assert.equal((await lee.get('/admin')).status, 403);
      assert.equal((await nine.students[0].get('/admin')).status, 403);
      const parent = await signedUp(t.app, 'parent', 'ana-dad');
      assert.equal((await parent.get('/admin')).status, 403);
      assert.equal((await parent.page('/admin')).status, 403);
      const anonymous = new Client(t.app);
      assert.equal((await anonymous.get('/admin')).status, 401);
      const page = await anonymous.page('/admin');
      assert.equal(page.status, 303);
      assert.equal(page.headers.location, '/login?next=%2Fadmin');
    } finally {
      await t.close();
    }
  });
});

describe('small groups: where a class report is suppressed, no page shows the scores it hides', () => {
  test('a class of 3 and a class of 6: the school result is the class of 6 alone; the 3 appear nowhere', async () => {
    const t = await startApp();
    try {
      const { schoolId, admin } = await schoolWithAdmin(t);
      const lee = await teacherOf(t, schoolId, 'ms-lee');
      const fox = await teacherOf(t, schoolId, 'mr-fox');
      const big = await classOf(t, schoolId, lee, 'Big class', ['big1', 'big2', 'big3', 'big4', 'big5', 'big6']);
      const small = await classOf(t, schoolId, fox, 'Small class', ['sml1', 'sml2', 'sml3']);
      // Big class: discernment 2 before, 4 after. Small class: 0 before, 6 after, which would move any pooled figure.
      await takeBothCheckups(t, lee, big.classId, big.studentIds, [5, 3], [6, 2]);
      await takeBothCheckups(t, fox, small.classId, small.studentIds, [4, 4], [7, 1]);

      const bigReport = (await lee.get(`/classes/${big.classId}/checkup-report`)).body.report;
      assert.equal(bigReport.suppressed, false);
      assert.equal(bigReport.pairedN, 6);
      const smallReport = (await fox.get(`/classes/${small.classId}/checkup-report`)).body.report;
      assert.equal(smallReport.suppressed, true);
      assert.equal(smallReport.before, null);
      assert.deepEqual(smallReport.perTechnique, []);

      // The school: exactly the big class's figures, so nothing can be subtracted to recover the small class.
      const school = (await admin.get('/admin')).body.checkups;
      assert.equal(school.suppressed, false);
      assert.equal(school.pairedN, 6);
      assert.equal(school.classesPooled, 1);
      assert.equal(school.classesLeftOut, 1);
      for (const field of ['before', 'after', 'change', 'perTechnique'] as const) assert.deepEqual(school[field], bigReport[field], field);
      assert.equal(school.before.discernment, 2);
      assert.equal(school.after.discernment, 4);
      const page = await admin.page('/admin');
      assert.match(page.text, /Means for the 6 students who took both/);
      assert.match(page.text, /left out because they are still too small: 1/);

      // The small class's student pages: done, but no scores; the big class's show them.
      for (const studentId of small.studentIds) {
        const student = await fox.get(`/classes/${small.classId}/students/${studentId}`);
        assert.equal(student.status, 200);
        assert.equal(student.body.checkupScoresShown, false);
        assert.deepEqual(student.body.checkups.map((checkup: { status: string; score: unknown }) => [checkup.status, checkup.score]), [['completed', null], ['completed', null]]);
        const html = await fox.page(`/classes/${small.classId}/students/${studentId}`);
        assert.match(html.text, /Scores appear here once at least 5 students/);
        assert.doesNotMatch(html.text, /<td>6<\/td>|<td>7<\/td>|<td>1<\/td>/);
      }
      const bigStudent = (await lee.get(`/classes/${big.classId}/students/${big.studentIds[0]}`)).body;
      assert.equal(bigStudent.checkupScoresShown, true);
      assert.equal(bigStudent.checkups[1].score.discernment, 4);

      // The item-level CSV of the small class is refused; the big class's downloads.
      const csv = await fox.agent.get(`/classes/${small.classId}/checkup.csv`).set('Accept', 'application/json');
      assert.equal(csv.status, 409);
      assert.match(csv.body.error.message, /at least 5 students/);
      assert.doesNotMatch((await fox.page(`/classes/${small.classId}/checkup-report`)).text, /checkup\.csv/);
      assert.equal((await lee.agent.get(`/classes/${big.classId}/checkup.csv`)).status, 200);

      // The technique map the teacher sees does not move with the small class's ratings; the student's own map does.
      const mastery = (await fox.get(`/classes/${small.classId}/mastery`)).body;
      for (const student of mastery.students) assert.ok(Object.values(student.techniques).every((level) => level === 0), `${student.displayName}: no check-up evidence`);
      const own = (await small.students[0].get('/mastery')).body.techniques;
      assert.ok(own.some((technique: { level: number; evidence: number }) => technique.evidence > 0), 'the student still sees their own check-up in their map');
      const bigMastery = (await lee.get(`/classes/${big.classId}/mastery`)).body;
      assert.ok(bigMastery.students.some((student: { techniques: Record<string, number> }) => Object.values(student.techniques).some((level) => level > 0)), 'a shown class\'s check-ups count');
    } finally {
      await t.close();
    }
  });

  test('only classes with 3 each: the school result is suppressed too', async () => {
    const t = await startApp();
    try {
      const { schoolId, admin } = await schoolWithAdmin(t);
      const lee = await teacherOf(t, schoolId, 'ms-lee');
      const one = await classOf(t, schoolId, lee, 'Group one', ['one1', 'one2', 'one3']);
      const two = await classOf(t, schoolId, lee, 'Group two', ['two1', 'two2', 'two3']);
      await takeBothCheckups(t, lee, one.classId, one.studentIds, [5, 3], [6, 2]);
      await takeBothCheckups(t, lee, two.classId, two.studentIds, [4, 4], [7, 1]);
      // Six students in all, but no class shows its own result: pooling them would show what both reports hide.
      const school = (await admin.get('/admin')).body.checkups;
      assert.equal(school.suppressed, true);
      assert.equal(school.pairedN, 0);
      assert.equal(school.before, null);
      assert.equal(school.classesLeftOut, 2);
      assert.match((await admin.page('/admin')).text, /The school result appears once a class has at least 5 students/);
    } finally {
      await t.close();
    }
  });

  test('a technique with fewer than 5 students behind it is suppressed in class and school results', async () => {
    const t = await startApp();
    try {
      const { schoolId, admin } = await schoolWithAdmin(t);
      const lee = await teacherOf(t, schoolId, 'ms-lee');
      const names = ['mix1', 'mix2', 'mix3', 'mix4', 'mix5', 'mix6'];
      const group = await classOf(t, schoolId, lee, 'Mixed forms', names);
      // Two students took the old form A before: it has no pair of some techniques, so those rows rest on 4 students.
      await takeBothCheckups(t, lee, group.classId, group.studentIds, [5, 3], [6, 2], group.studentIds.slice(0, 2));
      const bank = catalog().bank!;
      const retiredTechniques = new Set([...bank.items.values()].filter((item) => item.retired && item.form === 'A').map((item) => item.technique));
      const report = (await lee.get(`/classes/${group.classId}/checkup-report`)).body.report;
      assert.equal(report.suppressed, false);
      const rows = report.perTechnique as { technique: string; n: number; suppressed: boolean; before: number | null }[];
      const thin = rows.filter((row) => !retiredTechniques.has(row.technique));
      assert.ok(thin.length > 0, 'the retired form misses some techniques');
      for (const row of thin) assert.deepEqual([row.n, row.suppressed, row.before], [4, true, null], row.technique);
      for (const row of rows.filter((row) => retiredTechniques.has(row.technique))) assert.equal(row.suppressed, false, row.technique);
      assert.match((await lee.page(`/classes/${group.classId}/checkup-report`)).text, /not shown below 5 students/);
      const school = (await admin.get('/admin')).body.checkups;
      assert.deepEqual(school.perTechnique, report.perTechnique);
    } finally {
      await t.close();
    }
  });
});
