import { test } from 'node:test';
import assert from 'node:assert/strict';
import { auditEvent } from '../src/audit/events.ts';
import { ERASED_TARGET } from '../src/store/schema.ts';
import { classroom, Client, everythingStored, FIRST_LESSON, rightAnswers, signedUp, startApp } from './helpers.ts';

test('a teacher exports everything about a student, then erases it without a trace in any file or table', async () => {
  const t = await startApp();
  try {
    const { teacher, classId, students } = await classroom(t.app, ['erase-me-zq', 'stays-here']);
    const [leaving] = students;
    await leaving.post(`/lessons/${FIRST_LESSON}/quiz`, { answers: rightAnswers(FIRST_LESSON) });
    const code = await leaving.post('/parent-code');
    const parent = await signedUp(t.app, 'parent', 'leaving-parent');
    await parent.post('/children', { code: code.body.code });
    const id = leaving.user!.id;
    // An audit event naming the student (as a password reset writes): erasure must scrub it too.
    await t.store.commit([auditEvent({ schoolId: 'a-school', actor: teacher.user!, action: 'password.reset', target: 'student erase-me-zq', targetUserId: id, at: t.clock.now })]);

    const exported = await teacher.get(`/classes/${classId}/students/${id}/export`);
    assert.equal(exported.status, 200);
    assert.match(exported.headers["content-disposition"], /attachment; filename="?framecheck-erase-me-zq.json/);
    assert.equal(exported.body.account.username, 'erase-me-zq');
    assert.equal(exported.body.attempts.length, 1);
    assert.equal(exported.body.linkedAdults[0].displayName, 'leaving-parent');
    assert.doesNotMatch(exported.text, /passwordHash|scrypt\$/);

    const wrong = await teacher.post(`/classes/${classId}/students/${id}/erase`, { confirm: 'someone-else' });
    assert.equal(wrong.status, 422);
    assert.equal(wrong.body.error.field, 'confirm');
    assert.equal((await teacher.get(`/classes/${classId}`)).body.students.length, 2, 'nothing changed');

    const erased = await teacher.post(`/classes/${classId}/students/${id}/erase`, { confirm: 'erase-me-zq' });
    assert.equal(erased.status, 200);
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

test('only the class teacher may export or erase', async () => {
  const t = await startApp();
  try {
    const { classId, students } = await classroom(t.app, ['kept-safe']);
    const other = await signedUp(t.app, 'teacher', 'not-their-teacher');
    const id = students[0].user!.id;
    assert.equal((await other.get(`/classes/${classId}/students/${id}/export`)).status, 404);
    assert.equal((await other.post(`/classes/${classId}/students/${id}/erase`, { confirm: 'kept-safe' })).status, 404);
    assert.equal((await students[0].post(`/classes/${classId}/students/${id}/erase`, { confirm: 'kept-safe' })).status, 403);
    assert.equal((await students[0].get('/session')).body.user.username, 'kept-safe');
  } finally {
    await t.close();
  }
});
