// A class page is served from the page cache while its version holds
// (src/learning/versions.ts). The version sums the work counters of the
// class's members, and each class's member list is kept between requests
// for as long as the class's set-up counter is unchanged. These tests check
// that the kept list never hides a member: whoever joins, by sign-up or by
// code, has their next quiz answer on the teacher's page at once; whoever
// leaves is gone from it. Runs on both stores.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FIRST_LESSON, classroom, rightAnswers, signedUp, startApp, type Client } from './helpers.ts';

interface ClassPage {
  students: { id: string; username: string }[];
  progress: { studentId: string; lessonId: string; attempts: number }[];
}

test('a class page follows its members: a new member\'s answer shows at once, a member who leaves is gone', async (t) => {
  const app = await startApp();
  t.after(() => app.close());
  const { teacher, classId, joinCode, students } = await classroom(app.app, ['sam']);
  assert.equal((await teacher.post(`/classes/${classId}/assignments`, { lessonId: FIRST_LESSON })).status, 201);
  const page = async (): Promise<ClassPage> => {
    const response = await teacher.get(`/classes/${classId}`);
    assert.equal(response.status, 200);
    return response.body;
  };
  const attemptsOf = (shown: ClassPage, student: Client) =>
    shown.progress.find((row) => row.studentId === student.user!.id && row.lessonId === FIRST_LESSON)?.attempts;
  const answer = async (student: Client) => assert.equal((await student.post(`/lessons/${FIRST_LESSON}/quiz`, { answers: rightAnswers(FIRST_LESSON) })).status, 201);

  // Served twice, so the second is the kept page with the kept member list.
  assert.deepEqual((await page()).students.map((s) => s.username), ['sam']);
  assert.deepEqual((await page()).students.map((s) => s.username), ['sam']);

  // Joins by signing up with the code: on the page, and their answer counts at once.
  const rae = await signedUp(app.app, 'student', 'rae', { classCode: joinCode });
  assert.equal(attemptsOf(await page(), rae), 0);
  await answer(rae);
  assert.equal(attemptsOf(await page(), rae), 1);
  await answer(rae);
  assert.equal(attemptsOf(await page(), rae), 2);

  // Joins later with the code from the join page.
  const kit = await signedUp(app.app, 'student', 'kit');
  assert.equal((await kit.post('/join', { classCode: joinCode })).status, 200);
  assert.equal(attemptsOf(await page(), kit), 0);
  await answer(kit);
  assert.equal(attemptsOf(await page(), kit), 1);

  // An existing member's answer still counts.
  await answer(students[0]);
  assert.equal(attemptsOf(await page(), students[0]), 1);

  // Removed from the class: gone from the page, and their later answers do not bring them back.
  assert.equal((await teacher.post(`/classes/${classId}/students/${rae.user!.id}/remove`)).status, 200);
  const afterRemoval = await page();
  assert.deepEqual(afterRemoval.students.map((s) => s.username).sort(), ['kit', 'sam']);
  assert.equal(attemptsOf(afterRemoval, rae), undefined);
  await answer(rae);
  assert.equal(attemptsOf(await page(), rae), undefined);
  await answer(kit);
  assert.equal(attemptsOf(await page(), kit), 2);
});
