import { test } from 'node:test';
import assert from 'node:assert/strict';
import { auditEvent } from '../src/audit/events.ts';
import { ERASED_TARGET } from '../src/store/schema.ts';
import { classroom, Client, defaultAdmin, everythingStored, FIRST_LESSON, rightAnswers, signedUp, startApp } from './helpers.ts';

test("the school's admin exports everything about a student, then erases it without a trace in any file or table", async () => {
  const t = await startApp();
  try {
    const { teacher, classId, students } = await classroom(t.app, ['erase-me-zq', 'stays-here']);
    const admin = await defaultAdmin(t.app);
    const [leaving] = students;
    await leaving.post(`/lessons/${FIRST_LESSON}/quiz`, { answers: rightAnswers(FIRST_LESSON) });
    const code = await leaving.post('/parent-code');
    const parent = await signedUp(t.app, 'parent', 'leaving-parent');
    await parent.post('/children', { code: code.body.code });
    const id = leaving.user!.id;
    // An audit event naming the student (as a password reset writes): erasure must scrub it too.
    await t.store.commit([auditEvent({ schoolId: 'a-school', actor: teacher.user!, action: 'password.reset', target: 'student erase-me-zq', targetUserId: id, at: t.clock.now })]);

    // The teacher resets the password (an audit event naming the student), then the admin acts.
    assert.equal((await teacher.post(`/classes/${classId}/students/${id}/reset-password`)).status, 201);
    const studentPage = await admin.page(`/classes/${classId}/students/${id}`);
    assert.match(studentPage.text, new RegExp(`action="/admin/students/${id}/erase"`), "the admin's view of the student offers erasure");
    assert.doesNotMatch((await teacher.page(`/classes/${classId}/students/${id}`)).text, /\/erase"|\/export"/, 'a teacher is not shown what they cannot use');
    const exported = await admin.post(`/admin/students/${id}/export`);
    assert.equal(exported.status, 200);
    assert.match(exported.headers["content-disposition"], /attachment; filename="?framecheck-erase-me-zq.json/);
    assert.equal(exported.body.account.username, 'erase-me-zq');
    assert.equal(exported.body.attempts.length, 1);
    assert.equal(exported.body.linkedAdults[0].displayName, 'leaving-parent');
    assert.doesNotMatch(exported.text, /passwordHash|scrypt\$/);

    const wrong = await admin.post(`/admin/students/${id}/erase`, { confirm: 'someone-else' });
    assert.equal(wrong.status, 422);
    assert.equal(wrong.body.error.field, 'confirm');
    assert.equal((await teacher.get(`/classes/${classId}`)).body.students.length, 2, 'nothing changed');

    const erased = await admin.post(`/admin/students/${id}/erase`, { confirm: 'erase-me-zq' });
    assert.equal(erased.status, 200);
    const events = await t.store.list('auditEvents');
    const actions = events.map((event) => event.action);
    for (const action of ['password.reset', 'student.exported', 'student.erased'] as const) assert.ok(actions.includes(action), action);
    const erasure = events.find((event) => event.action === 'student.erased')!;
    assert.equal(erasure.target, 'a student account');
    assert.equal(erasure.targetUserId, null);
    const page = await teacher.get(`/classes/${classId}`);
    assert.deepEqual(page.body.students.map((s: { username: string }) => s.username), ['stays-here']);
    assert.equal((await parent.get(`/children/${id}`)).status, 404);
    assert.equal((await parent.get('/')).body.children.length, 0);
    assert.equal((await new Client(t.app).login('erase-me-zq')).status, 401);
    assert.equal((await leaving.get('/session')).body.user, null, 'their sessions ended');

    const files = await everythingStored(t);
    assert.doesNotMatch(files, /erase-me-zq/);
    assert.doesNotMatch(files, new RegExp(id));
    assert.match(files, /stays-here/);
    assert.ok(files.includes(ERASED_TARGET), 'the audit event stays, without the name');
  } finally {
    await t.close();
  }
});

test("only the school's admin may export or erase: not the student's own teacher, not another teacher", async () => {
  const t = await startApp();
  try {
    const { teacher, classId, students } = await classroom(t.app, ['kept-safe']);
    const other = await signedUp(t.app, 'teacher', 'not-their-teacher');
    const id = students[0].user!.id;
    assert.equal((await teacher.get(`/classes/${classId}/students/${id}/export`)).status, 403);
    assert.equal((await teacher.post(`/classes/${classId}/students/${id}/erase`, { confirm: 'kept-safe' })).status, 403);
    assert.equal((await teacher.post(`/admin/students/${id}/export`)).status, 403);
    assert.equal((await teacher.post(`/admin/students/${id}/erase`, { confirm: 'kept-safe' })).status, 403);
    assert.equal((await other.get(`/classes/${classId}/students/${id}/export`)).status, 404);
    assert.equal((await other.post(`/classes/${classId}/students/${id}/erase`, { confirm: 'kept-safe' })).status, 404);
    assert.equal((await students[0].post(`/admin/students/${id}/erase`, { confirm: 'kept-safe' })).status, 403);
    // Removing from the class is the teacher's, and erases nothing.
    assert.equal((await teacher.post(`/classes/${classId}/students/${id}/remove`)).status, 200);
    assert.equal((await students[0].get('/session')).body.user.username, 'kept-safe');
    assert.ok((await t.store.list('auditEvents')).some((event) => event.action === 'student.removed' && event.targetUserId === id));
    assert.equal((await students[0].post(`/classes/${classId}/students/${id}/erase`, { confirm: 'kept-safe' })).status, 404, 'no longer in the class: not theirs to know');
    assert.equal((await students[0].get('/session')).body.user.username, 'kept-safe');
  } finally {
    await t.close();
  }
});
