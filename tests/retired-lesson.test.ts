import { test } from 'node:test';
import assert from 'node:assert/strict';
import { put } from '../src/store/backend.ts';
import { classroom, startApp } from './helpers.ts';

test('a lesson removed from the course after it was assigned is left out of the class page, not a 500', async () => {
  const t = await startApp();
  try {
    const { teacher, classId, students } = await classroom(t.app, ['kim']);
    await t.store.commit([put('assignments', { id: 'old', classId, lessonId: 'retired-lesson', due: null, createdAt: '2027-01-01T00:00:00.000Z' })]);
    const page = await teacher.page(`/classes/${classId}`);
    assert.equal(page.status, 200);
    assert.equal((await teacher.get(`/classes/${classId}`)).body.assignments.length, 0);
    assert.equal((await teacher.agent.get(`/classes/${classId}/progress.csv`)).status, 200);
    assert.equal((await students[0].get('/')).body.assignments.length, 0);
  } finally {
    await t.close();
  }
});
