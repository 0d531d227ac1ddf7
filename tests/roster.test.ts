// Roster import (issue 13): an admin uploads a CSV, previews it, imports it
// all or nothing, and prints login slips whose one-time passwords expire.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Client, everythingStored, FIRST_LESSON, schoolWithAdmin, seedUser, signedIn, startApp, type TestApp } from './helpers.ts';
import { escapeHtml, parseCsv } from './more-helpers.ts';
import { newId } from '../src/ids.ts';
import { insert, type CollectionName } from '../src/store/backend.ts';
import { dropExpiredSlipPasswords } from '../src/roster/slips.ts';
import { MAX_ROWS } from '../src/roster/parse.ts';
import { strToU8, zipSync } from 'fflate';

/** A CSV upload as a script sends it: the text/csv body, the token in the header. */
function csvPost(client: Client, text: string, query = '') {
  return client.agent.post(`/admin/roster${query}`).set('Accept', 'application/json').set('X-CSRF-Token', client.token).set('Content-Type', 'text/csv').send(text);
}

/** A browser's file upload: multipart, the token in the `_csrf` field. */
function multipartPost(client: Client, text: string | Buffer, fields: Record<string, string> = {}, accept = 'application/json') {
  let request = client.agent.post('/admin/roster').set('Accept', accept).field('_csrf', client.token);
  for (const [name, value] of Object.entries(fields)) request = request.field(name, value);
  return request.attach('file', Buffer.isBuffer(text) ? text : Buffer.from(text), { filename: 'roster.csv', contentType: 'text/csv' });
}

/** An account of a school written straight into the store, signed in. */
async function member(t: TestApp, schoolId: string | null, role: 'teacher' | 'student' | 'admin', username: string): Promise<Client> {
  await seedUser(t, schoolId, role, username);
  return signedIn(t, username);
}

const COUNTED: CollectionName[] = ['users', 'classes', 'classTeachers', 'memberships', 'rosterBatches', 'rosterSlips', 'auditEvents'];
async function counts(t: TestApp) {
  return Object.fromEntries(await Promise.all(COUNTED.map(async (name) => [name, await t.store.count(name)] as const)));
}

async function slipsOf(client: Client, slipsUrl: string): Promise<Map<string, string>> {
  const response = await client.get(slipsUrl);
  assert.equal(response.status, 200);
  return new Map(response.body.slips.map((slip: { username: string; password: string }) => [slip.username, slip.password]));
}

const ROSTER = 'class,username,displayName\n8B,amira.h,Amira H\n8B,jonas.k,Jonas\n9C,li.wei,Li W\n9C,amira.h,Amira H\n';

describe('roster import', () => {
  let t: TestApp;
  let schoolId: string;
  let admin: Client;
  before(async () => {
    t = await startApp();
    ({ schoolId, admin } = await schoolWithAdmin(t));
  });
  after(() => t.close());

  test('a dry run shows what would be made and writes nothing', async () => {
    const before = await counts(t);
    const response = await csvPost(admin, ROSTER, '?dryRun=1');
    assert.equal(response.status, 200);
    assert.equal(response.body.dryRun, true);
    assert.deepEqual([response.body.created, response.body.existing, response.body.classesCreated], [3, 0, 2]);
    assert.deepEqual(response.body.errors, []);
    assert.equal(response.body.slips, null);
    assert.deepEqual(response.body.classes.map((c: { name: string; students: unknown[] }) => [c.name, c.students.length]), [['8B', 2], ['9C', 2]]);
    assert.deepEqual(await counts(t), before);
  });

  test('errors name their line: account rules, duplicates, taken names (without saying where), empty names', async () => {
    await member(t, null, 'student', 'taken.elsewhere');
    const other = await schoolWithAdmin(t, 'Other School', 'other.admin');
    await member(t, other.schoolId, 'student', 'other.kid');
    // A byte order mark, CRLF, columns in another order, a quoted cell spanning two lines, an empty line.
    const text =
      '\uFEFFusername,displayName,class\r\n' +
      'ok.one,"Ok\r\nOne",8B\r\n' + // lines 2-3 (the line break in a name becomes a space)
      'no spaces,Sam,8B\r\n' + // 4
      'ab,Short,8B\r\n' + // 5
      '\r\n' + // 6: skipped
      'ok.one,Ok One,8B\r\n' + // 7: twice in one class
      'ok.one,Someone Else,9C\r\n' + // 8: one username for two people
      'taken.elsewhere,T,8B\r\n' + // 9
      'other.kid,O,8B\r\n' + // 10
      'empty.name,   ,8B\r\n' + // 11
      'head.admin,The Head,8B\r\n' + // 12: the admin's own name
      'no.class,Nora,\r\n'; // 13
    const response = await csvPost(admin, text, '?dryRun=1');
    assert.equal(response.status, 200);
    const lines = response.body.errors.map((error: { line: number }) => error.line);
    assert.deepEqual(lines, [4, 5, 7, 8, 9, 10, 11, 12, 13]);
    const message = (line: number) => response.body.errors.find((error: { line: number }) => error.line === line).message;
    assert.match(message(4), /Username "no spaces": may only use letters, digits, dots, dashes and underscores/);
    assert.match(message(5), /Username "ab": at least 3 characters/);
    assert.match(message(7), /already on line 2 for this class/);
    assert.match(message(8), /already on line 2 for someone with another display name/);
    assert.equal(message(9), 'Username "taken.elsewhere" is taken. Choose another one.');
    assert.equal(message(10), 'Username "other.kid" is taken. Choose another one.', 'another school is not named');
    assert.doesNotMatch(JSON.stringify(response.body), /Other School/);
    assert.match(message(11), /Display name: must not be empty/);
    assert.match(message(12), /is taken/);
    assert.match(message(13), /Class: must not be empty/);
    assert.equal(response.body.created, 1, 'the one good row would still be counted in the preview');
  });

  test('missing columns, an unclosed quote and too many rows are refused on their line', async () => {
    const missing = await csvPost(admin, 'class,user name\n8B,sam.s\n', '?dryRun=1');
    assert.deepEqual(missing.body.errors, [{ line: 1, message: 'Missing column: displayName. The first row names the columns: class, username, displayName (and teacher, if you like).' }]);
    const empty = await csvPost(admin, '\r\n', '?dryRun=1');
    assert.equal(empty.body.errors[0].line, 1);
    const unclosed = await csvPost(admin, 'class,username,displayName\n8B,sam.s,Sam\n8B,"rae.r,Rae\n', '?dryRun=1');
    assert.equal(unclosed.body.errors.length, 1);
    assert.equal(unclosed.body.errors[0].line, 3);
    assert.match(unclosed.body.errors[0].message, /never closed/);
    const rows = Array.from({ length: MAX_ROWS + 1 }, (_, index) => `Big,student.${index},Student ${index}`);
    const tooMany = await csvPost(admin, ['class,username,displayName', ...rows].join('\n'), '?dryRun=1');
    assert.deepEqual(tooMany.body.errors, [{ line: MAX_ROWS + 2, message: `Too many rows: at most ${MAX_ROWS} students in one file. Split it into smaller files.` }]);
    const binary = await admin.agent.post('/admin/roster?dryRun=1').set('Accept', 'application/json').set('X-CSRF-Token', admin.token).set('Content-Type', 'text/csv').send(Buffer.from([0x63, 0x0a, 0xc3, 0x28]));
    assert.equal(binary.status, 422);
    assert.equal(binary.body.error.field, 'file');
  });

  test('an import with any error writes nothing (422 with the errors)', async () => {
    const before = await counts(t);
    const response = await csvPost(admin, 'class,username,displayName\n7A,good.one,Good\n7A,bad one,Bad\n7A,good.two,Good Too\n');
    assert.equal(response.status, 422);
    assert.deepEqual([response.body.created, response.body.existing, response.body.slips], [0, 0, null]);
    assert.deepEqual(response.body.errors.map((error: { line: number }) => error.line), [3]);
    assert.match(response.body.error.message, /nothing was imported/);
    assert.deepEqual(await counts(t), before);
  });

  test('a username taken while the import was being written is an error on its line, and nothing is written', async () => {
    const other = await schoolWithAdmin(t, 'Racing School', 'racing.admin');
    const commit = t.store.commit.bind(t.store);
    let raced = false;
    // Another instance signs up "race.kid" between the plan and the import's commit.
    t.store.commit = async (changes) => {
      if (!raced && changes.some((change) => change.c === 'rosterBatches')) {
        raced = true;
        await commit([insert('users', { id: newId(), role: 'student', schoolId: other.schoolId, username: 'Race.Kid', displayName: 'R', passwordHash: 'x', mustChangePassword: false, createdAt: t.clock.now.toISOString() })]);
      }
      return commit(changes);
    };
    try {
      const before = await counts(t);
      const response = await csvPost(admin, 'class,username,displayName\nRace,calm.kid,Calm\nRace,race.kid,Race\n');
      assert.ok(raced);
      assert.equal(response.status, 422);
      assert.deepEqual(response.body.errors, [{ line: 3, message: 'Username "race.kid" is taken. Choose another one.' }]);
      assert.deepEqual(await counts(t), { ...before, users: before.users + 1 }, 'only the racing sign-up');
    } finally {
      t.store.commit = commit;
    }
  });

  let slipsUrl = '';
  let passwords = new Map<string, string>();

  test('an import makes the classes and students; a student signs in with the slip password and must choose a new one', async () => {
    const response = await csvPost(admin, ROSTER);
    assert.equal(response.status, 200);
    assert.deepEqual([response.body.created, response.body.existing, response.body.classesCreated], [3, 0, 2]);
    assert.deepEqual(response.body.errors, []);
    assert.match(response.body.slips, /^\/admin\/roster\/[0-9a-f]+\/slips$/);
    slipsUrl = response.body.slips;

    const classes = await t.store.find('classes', 'schoolId', schoolId);
    const adminUser = (await t.store.find('users', 'username', 'head.admin'))[0];
    assert.deepEqual(classes.map((record) => record.name).sort(), ['8B', '9C']);
    for (const record of classes) {
      assert.match(record.joinCode, /^[A-HJ-NP-Z2-9]{6}$/);
      assert.equal(record.teacherId, adminUser.id);
      assert.ok(await t.store.get('classTeachers', `${record.id}:${adminUser.id}`), 'the admin teaches the class');
    }
    const amira = (await t.store.find('users', 'username', 'amira.h'))[0];
    assert.equal(amira.schoolId, schoolId);
    assert.equal(amira.role, 'student');
    assert.equal(amira.mustChangePassword, true);
    assert.equal((await t.store.find('memberships', 'studentId', amira.id)).length, 2, 'in both classes');
    const events = (await t.store.find('auditEvents', 'schoolId', schoolId)).filter((event) => event.action === 'roster.imported');
    assert.equal(events.length, 1);
    assert.equal(events[0].actorId, adminUser.id);
    assert.match(events[0].detail, /3 new, 0 already here; 2 new classes/);

    passwords = await slipsOf(admin, slipsUrl);
    assert.deepEqual([...passwords.keys()].sort(), ['amira.h', 'jonas.k', 'li.wei']);
    const slipsJson = (await admin.get(slipsUrl)).body;
    assert.deepEqual(slipsJson.slips.find((slip: { username: string }) => slip.username === 'amira.h').classNames, ['8B', '9C']);
    for (const password of passwords.values()) assert.match(password, /^[a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4}$/);

    const student = new Client(t.app);
    const login = await student.login('jonas.k', passwords.get('jonas.k'));
    assert.equal(login.status, 200);
    assert.equal(login.body.user.mustChangePassword, true);
    assert.equal((await student.get('/')).status, 403, 'nothing else until a new password is chosen');
    assert.equal((await student.page('/lessons')).headers.location, '/password');
    const changed = await student.post('/password', { newPassword: 'my-own-secret-77' });
    assert.equal(changed.status, 200);
    assert.equal((await student.get('/')).status, 200);
    const again = await slipsOf(admin, slipsUrl);
    assert.equal(again.get('jonas.k'), null, 'a slip whose password was replaced shows none');
    assert.match((await admin.page(slipsUrl)).text, /already signed in and chosen your own password/);
  });

  test('the slips page is printable: site address, username, password, the new-password line, the print stylesheet classes', async () => {
    const page = await admin.page(slipsUrl);
    assert.equal(page.status, 200);
    assert.match(page.text, /<section class="print-slip slip">/);
    assert.match(page.text, /http:\/\/127\.0\.0\.1:\d+/);
    assert.ok(page.text.includes(`<p class="code temp-password">${passwords.get('li.wei')}</p>`));
    assert.match(page.text, /You will choose your own password when you first sign in/);
    assert.match(page.headers['cache-control'], /no-store/);
  });

  test('students already in the school are enrolled and counted as existing, not made again', async () => {
    const before = await t.store.count('users');
    const response = await csvPost(admin, 'displayName,class,username\nAmira H,Drama,amira.h\nJonas,8B,jonas.k\nNew Kid,Drama,new.kid\n');
    assert.equal(response.status, 200);
    assert.deepEqual([response.body.created, response.body.existing, response.body.classesCreated], [1, 2, 1]);
    assert.equal(await t.store.count('users'), before + 1);
    const amira = (await t.store.find('users', 'username', 'AMIRA.H'))[0];
    assert.equal((await t.store.find('memberships', 'studentId', amira.id)).length, 3);
    const jonas = (await t.store.find('users', 'username', 'jonas.k'))[0];
    assert.equal((await t.store.find('memberships', 'studentId', jonas.id)).length, 1, 'already in 8B: no second membership');
    assert.deepEqual([...(await slipsOf(admin, response.body.slips)).keys()], ['new.kid'], 'slips only for new accounts');
    const preview = await csvPost(admin, 'class,username,displayName\n8B,jonas.k,Jonas\n', '?dryRun=1');
    assert.deepEqual(preview.body.classes[0].students, [{ username: 'jonas.k', displayName: 'Jonas', isNew: false, alreadyInClass: true }]);
  });

  test('who may: another school\'s admin gets 404, a teacher or student 403, nobody signed in 401', async () => {
    const other = await schoolWithAdmin(t, 'Third School', 'third.admin');
    assert.equal((await other.admin.get(slipsUrl)).status, 404);
    assert.equal((await other.admin.page(slipsUrl)).status, 404);
    assert.equal((await other.admin.post(slipsUrl.replace('/slips', '/printed'))).status, 404);
    const teacher = await member(t, schoolId, 'teacher', 'ms.teach');
    assert.equal((await teacher.get(slipsUrl)).status, 403);
    assert.equal((await teacher.get('/admin/roster')).status, 403);
    assert.equal((await csvPost(teacher, ROSTER, '?dryRun=1')).status, 403);
    const student = await member(t, schoolId, 'student', 'plain.student');
    assert.equal((await student.get(slipsUrl)).status, 403);
    assert.equal((await csvPost(student, ROSTER)).status, 403);
    const nobody = new Client(t.app);
    await nobody.refreshToken();
    assert.equal((await nobody.get(slipsUrl)).status, 401);
    assert.equal((await csvPost(nobody, ROSTER)).status, 401);
    assert.equal((await admin.get('/admin/roster/00000000000000000000/slips')).status, 404);
    // Without the CSRF token an upload is refused, multipart or not.
    const forged = await admin.agent.post('/admin/roster').set('Accept', 'application/json').attach('file', Buffer.from(ROSTER), 'roster.csv');
    assert.equal(forged.status, 403);
  });

  test('names in any script are kept and escaped; formula-looking cells stay plain text', async () => {
    const teacher = await member(t, schoolId, 'teacher', 'mr.formula');
    const hostile = '<script>alert(1)</script>';
    const text = [
      'class,username,displayName,teacher',
      `"=HYPERLINK(""http://x.example"",""go"")",sara.a,سارة ${hostile},mr.formula`,
      `"=HYPERLINK(""http://x.example"",""go"")",fox.b,🦊 Fox & Co,mr.formula`,
      `"=HYPERLINK(""http://x.example"",""go"")",calc.c,=1+1,mr.formula`,
      `"=HYPERLINK(""http://x.example"",""go"")",at.d,@SUM(A1:A9),`,
    ].join('\r\n');
    const response = await multipartPost(admin, text);
    assert.equal(response.status, 200, JSON.stringify(response.body));
    const sara = (await t.store.find('users', 'username', 'sara.a'))[0];
    assert.equal(sara.displayName, `سارة ${hostile}`);
    assert.equal((await t.store.find('users', 'username', 'calc.c'))[0].displayName, '=1+1');
    const page = await admin.page(response.body.slips);
    assert.ok(page.text.includes(escapeHtml(`سارة ${hostile}`)));
    assert.ok(!page.text.includes(hostile));
    assert.ok(page.text.includes(escapeHtml('🦊 Fox & Co')));
    assert.ok(page.text.includes('=1+1'));
    // The class goes to the named teacher, and its progress file keeps formulas from running.
    const record = (await t.store.find('classes', 'schoolId', schoolId)).find((item) => item.name.startsWith('=HYPERLINK'))!;
    assert.equal(record.teacherId, teacher.user!.id);
    assert.ok(await t.store.get('classTeachers', `${record.id}:${teacher.user!.id}`));
    assert.equal((await teacher.post(`/classes/${record.id}/assignments`, { lessonId: FIRST_LESSON })).status, 201);
    const csv = await teacher.agent.get(`/classes/${record.id}/progress.csv`);
    const rows = parseCsv(csv.text);
    assert.deepEqual(rows.slice(1).map((row) => row[1]).sort(), ["'=1+1", "'@SUM(A1:A9)", '🦊 Fox & Co', `سارة ${hostile}`].sort());
  });

  test('a teacher column must name a teacher of this school', async () => {
    const other = await schoolWithAdmin(t, 'Fourth School', 'fourth.admin');
    await member(t, other.schoolId, 'teacher', 'far.teacher');
    const response = await csvPost(admin, 'class,username,displayName,teacher\n5E,kid.five,Kid,far.teacher\n5F,kid.six,Kid 6,nobody.here\n', '?dryRun=1');
    assert.deepEqual(response.body.errors.map((error: { line: number; message: string }) => [error.line, error.message]), [
      [2, 'Teacher "far.teacher": there is no teacher with this username in your school.'],
      [3, 'Teacher "nobody.here": there is no teacher with this username in your school.'],
    ]);
  });

  test('in the browser: the form, the preview, the import from the preview, the result with the slips link', async () => {
    const form = await admin.page('/admin/roster');
    assert.equal(form.status, 200);
    assert.match(form.text, /<form method="post" action="\/admin\/roster" enctype="multipart\/form-data"/);
    assert.match(form.text, /<label for="field-file">Roster file \(CSV, or a OneRoster zip\)<\/label>/);
    assert.match(form.text, /<input id="field-file" name="file" type="file"/);
    assert.match(form.text, /name="dryRun" value="1"/);
    assert.match(form.text, /class,username,displayName\n8B,amira.h,Amira H/);

    const text = '\uFEFFclass;username;displayName\r\nBrowser Class;web.one;Web One\r\nBrowser Class;web.two;Web Two\r\n';
    const before = await counts(t);
    const preview = await multipartPost(admin, text, { dryRun: '1' }, 'text/html');
    assert.equal(preview.status, 200);
    assert.match(preview.text, /Importing this file would make <strong>2<\/strong> new student accounts and <strong>1<\/strong> new class/);
    assert.deepEqual(await counts(t), before);
    const hidden = /<input type="hidden" name="csv" value="([^"]*)">/.exec(preview.text);
    assert.ok(hidden, 'the preview carries the checked file to its Import button');
    const sentBack = hidden[1].replace(/&#34;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
    const imported = await admin.agent.post('/admin/roster').set('Accept', 'text/html').field('_csrf', admin.token).field('csv', sentBack);
    assert.equal(imported.status, 303);
    const result = await admin.page(imported.headers.location);
    assert.equal(result.status, 200);
    const slipsLink = /href="(\/admin\/roster\/[0-9a-f]+\/slips)"/.exec(result.text);
    assert.ok(slipsLink);
    assert.match((await admin.page(slipsLink[1])).text, /web\.two/);

    const empty = await admin.agent.post('/admin/roster').set('Accept', 'text/html').field('_csrf', admin.token).field('dryRun', '1');
    assert.equal(empty.status, 422);
    assert.match(empty.text, /Choose a CSV file to upload/);
    const bad = await multipartPost(admin, 'class,username,displayName\nX,bad name,B\n', {}, 'text/html');
    assert.equal(bad.status, 422);
    assert.match(bad.text, /Nothing was saved/);
    assert.match(bad.text, /<tr><td>2<\/td><td>Username &#34;bad name&#34;/);
    const huge = await multipartPost(admin, Buffer.alloc(1024 * 1024 + 10, 'a'));
    assert.equal(huge.status, 413);
    assert.equal(huge.body.error.field, 'file');
  });

  test('one-time passwords are sealed in storage and gone after 24 hours; the page then says so and points to resets', async () => {
    const response = await csvPost(admin, 'class,username,displayName\n6F,exp.one,Exp One\n6F,exp.two,Exp Two\n');
    const url = response.body.slips;
    const batchId = url.split('/')[3];
    const shown = await slipsOf(admin, url);
    const stored = await everythingStored(t);
    for (const password of shown.values()) assert.ok(!stored.includes(password), 'never stored in plain text');
    assert.equal((await t.store.find('rosterSlips', 'batchId', batchId)).length, 2);
    const kept = (await t.store.find('users', 'username', 'exp.one'))[0];
    const exported = await admin.post(`/admin/students/${kept.id}/export`);
    assert.equal(exported.status, 200);
    assert.doesNotMatch(exported.text, /rosterSlips|sealed/, 'a waiting slip is a secret: the export leaves it out');
    // Erasing a student takes their slip with them.
    const gone = (await t.store.find('users', 'username', 'exp.two'))[0];
    await t.store.eraseStudent(gone.id);
    assert.deepEqual([...(await slipsOf(admin, url)).keys()], ['exp.one']);
    assert.deepEqual(await t.store.find('rosterSlips', 'studentId', gone.id), []);

    t.clock.now = new Date(t.clock.now.getTime() + 23 * 3_600_000);
    assert.equal((await slipsOf(admin, url)).size, 1, 'still there after 23 hours');
    t.clock.now = new Date(t.clock.now.getTime() + 2 * 3_600_000);
    const expired = await admin.get(url);
    assert.equal(expired.status, 200);
    assert.deepEqual(expired.body.slips, []);
    assert.equal(expired.body.batch.droppedBecause, 'expired');
    assert.deepEqual(await t.store.find('rosterSlips', 'batchId', batchId), []);
    const batch = await t.store.get('rosterBatches', batchId);
    assert.ok(batch && !JSON.stringify(batch).includes('sealed'));
    const page = await admin.page(url);
    assert.match(page.text, /These slips have expired/);
    assert.match(page.text, /Reset password/);
    assert.match(page.text, /href="\/classes\/[0-9a-f]+">6F</);
    assert.doesNotMatch(page.text, /temp-password/);
    // The students can still sign in with the password they were given.
    assert.equal((await new Client(t.app).login('exp.one', shown.get('exp.one'))).status, 200);
  });

  test('the hourly housekeeping drops expired passwords of batches nobody opens; marking slips printed drops them at once', async () => {
    await dropExpiredSlipPasswords(t.store, t.clock.now); // the batches of the tests before, expired by the clock moved on
    const first = await csvPost(admin, 'class,username,displayName\n6G,keep.one,K\n');
    const second = await csvPost(admin, 'class,username,displayName\n6G,print.one,P\n');
    const printed = await admin.post(second.body.slips.replace('/slips', '/printed'));
    assert.equal(printed.status, 200);
    assert.equal(printed.body.batch.droppedBecause, 'printed');
    assert.match((await admin.page(second.body.slips)).text, /You marked these slips as printed/);
    const firstId = first.body.slips.split('/')[3];
    assert.equal((await t.store.find('rosterSlips', 'batchId', firstId)).length, 1);
    assert.equal(await dropExpiredSlipPasswords(t.store, t.clock.now), 0);
    assert.equal(await dropExpiredSlipPasswords(t.store, new Date(t.clock.now.getTime() + 25 * 3_600_000)), 1);
    assert.deepEqual(await t.store.find('rosterSlips', 'batchId', firstId), []);
    assert.equal((await t.store.get('rosterBatches', firstId))!.droppedBecause, 'expired');
  });

  test('OneRoster 1.2: a zip of users, classes and enrollments imports its students, with first names and initials only', async () => {
    const files = {
      'export/manifest.csv': strToU8('propertyName,value\nmanifest.version,1.0\noneroster.version,1.2\n'),
      'export/users.csv': strToU8(
        'sourcedId,status,dateLastModified,enabledUser,username,givenName,familyName,preferredGivenName,email\r\n' +
          'u1,active,2027-01-01,true,or.amira,Amira,Haddad,,amira@school.example\r\n' +
          'u2,active,2027-01-01,true,or.jo,Johanna,Klein,Jo,jo@school.example\r\n' +
          'u3,active,2027-01-01,true,or.teacher,Tess,Teach,,t@school.example\r\n' +
          'u4,tobedeleted,2027-01-01,true,or.gone,Gone,Away,,g@school.example\r\n',
      ),
      'export/classes.csv': strToU8('sourcedId,status,title,classCode\nc1,active,OR History,H1\nc2,active,OR Art,A1\n'),
      'export/enrollments.csv': strToU8(
        'sourcedId,status,classSourcedId,schoolSourcedId,userSourcedId,role,primary\n' +
          'e1,active,c1,s1,u1,student,false\n' +
          'e2,active,c1,s1,u2,student,false\n' +
          'e3,active,c1,s1,u3,teacher,true\n' +
          'e4,active,c2,s1,u2,student,false\n' +
          'e5,tobedeleted,c2,s1,u1,student,false\n',
      ),
    };
    const zip = Buffer.from(zipSync(files));
    const preview = await multipartPost(admin, zip, { dryRun: '1' });
    assert.equal(preview.status, 200, JSON.stringify(preview.body));
    assert.deepEqual(preview.body.errors, []);
    assert.deepEqual(
      preview.body.classes.map((c: { name: string; students: { username: string; displayName: string }[] }) => [c.name, c.students.map((s) => `${s.username}=${s.displayName}`)]),
      [['OR History', ['or.amira=Amira H.', 'or.jo=Jo K.']], ['OR Art', ['or.jo=Jo K.']]],
    );
    const imported = await admin.agent.post('/admin/roster').set('Accept', 'application/json').set('X-CSRF-Token', admin.token).set('Content-Type', 'application/zip').send(zip);
    assert.equal(imported.status, 200);
    assert.deepEqual([imported.body.created, imported.body.existing, imported.body.classesCreated], [2, 0, 2]);
    assert.equal((await t.store.find('users', 'username', 'or.teacher')).length, 0, 'teachers are not made from enrolments');
    assert.doesNotMatch(await everythingStored(t), /Haddad|school\.example/, 'no family name or email is kept');

    // Problems name the file and its line.
    files['export/enrollments.csv'] = strToU8('classSourcedId,userSourcedId,role\nc1,u9,student\nc9,u1,student\nc1,u1,student\n');
    files['export/users.csv'] = strToU8('sourcedId,username,givenName,familyName\nu1,bad name,A,B\n');
    const bad = await multipartPost(admin, Buffer.from(zipSync(files)), { dryRun: '1' });
    assert.deepEqual(bad.body.errors, [
      { line: 2, file: 'enrollments.csv', message: 'userSourcedId "u9" is not in users.csv.' },
      { line: 3, file: 'enrollments.csv', message: 'classSourcedId "c9" is not in classes.csv.' },
      { line: 4, file: 'enrollments.csv', message: 'Username "bad name": may only use letters, digits, dots, dashes and underscores.' },
    ]);
    const page = await multipartPost(admin, Buffer.from(zipSync(files)), { dryRun: '1' }, 'text/html');
    assert.match(page.text, /<tr><td>enrollments.csv<\/td><td>2<\/td>/);
    const { 'export/enrollments.csv': _, ...withoutEnrolments } = files;
    const missing = await multipartPost(admin, Buffer.from(zipSync(withoutEnrolments)), { dryRun: '1' });
    assert.equal(missing.status, 422);
    assert.match(missing.body.error.message, /no enrollments.csv/);
    // A small zip that unpacks to more than the limit is refused before it is unpacked.
    const bomb = Buffer.from(zipSync({ 'users.csv': new Uint8Array(17 * 1024 * 1024), 'classes.csv': strToU8('x'), 'enrollments.csv': strToU8('x') }));
    assert.ok(bomb.length < 1024 * 1024);
    const refused = await multipartPost(admin, bomb, { dryRun: '1' });
    assert.equal(refused.status, 422);
    assert.match(refused.body.error.message, /users.csv in the zip is too large/);
  });
});
