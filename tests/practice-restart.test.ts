// Boosters across a real restart with the clock moved: the real server is
// started twice on one DATA_DIR, with FRAMECHECK_NOW two weeks apart.
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { describe, test } from 'node:test';
import { loadConfig } from '../src/config.ts';
import { startClock } from '../src/clock.ts';
import { catalog, rightAnswers, tempDir } from './helpers.ts';
import { exitOf, HttpClient, startServer, type ServerProcess } from './server-process.ts';
import { boosterAnswers, boosterItemId } from './practice-helpers.ts';

async function stop(server: ServerProcess): Promise<void> {
  server.child.kill('SIGTERM');
  await exitOf(server.child);
}

describe('the clock', () => {
  test('FRAMECHECK_NOW is read at start-up; a bad value stops start-up naming the variable', () => {
    assert.equal(loadConfig({}).clockStart, null);
    assert.equal(loadConfig({ FRAMECHECK_NOW: '2027-03-01T09:00:00Z' }).clockStart!.toISOString(), '2027-03-01T09:00:00.000Z');
    assert.throws(() => loadConfig({ FRAMECHECK_NOW: 'next tuesday' }), /FRAMECHECK_NOW must be an ISO time/);
  });

  test('the clock starts at FRAMECHECK_NOW and runs on from there', () => {
    let real = 1_000_000;
    const clock = startClock(new Date('2027-03-01T09:00:00Z'), () => real);
    assert.equal(clock().toISOString(), '2027-03-01T09:00:00.000Z');
    real += 90_000;
    assert.equal(clock().toISOString(), '2027-03-01T09:01:30.000Z');
    assert.equal(startClock(null, () => real)().getTime(), real);
  });
});

// The real server serves the course's own files: this needs a booster pool in boosters/.
const lesson = catalog().lessons.find((candidate) => catalog().quiz(candidate.id) && catalog().practice.pool(candidate.id));

describe('boosters across a restart', { concurrency: false }, () => {
  test('a quiz passed on day 0 gives no booster; after a restart on day 15 the first set is due, answerable and counted', { skip: lesson ? false : 'the course has no booster pool yet (boosters/NN-slug.yaml)' }, async () => {
    assert.ok(lesson);
    const pool = catalog().practice.pool(lesson.id)!;
    const dir = tempDir();
    try {
      const first = await startServer(dir, { FRAMECHECK_NOW: '2027-03-01T09:00:00Z' });
      let attemptAt: string;
      try {
        assert.match(first.output(), /Warning: FRAMECHECK_NOW is set; the clock starts at 2027-03-01T09:00:00\.000Z/);
        const student = new HttpClient(first.url);
        await student.signup({ role: 'student', username: 'clock-sam', displayName: 'Sam' });
        const passed = await student.request('POST', `/lessons/${lesson.id}/quiz`, { answers: rightAnswers(lesson.id) });
        assert.equal(passed.status, 201);
        assert.equal(passed.body.attempt.passed, true);
        const attempt = await student.request('GET', `/lessons/${lesson.id}/quiz/attempts/${passed.body.attempt.id}`);
        attemptAt = attempt.body.attempt.at;
        assert.ok(attemptAt.startsWith('2027-03-01T09:0'), `the answer is stamped by the moved clock: ${attemptAt}`);
        assert.deepEqual((await student.request('GET', '/boosters')).body, { boosters: [] });
      } finally {
        await stop(first);
      }

      const second = await startServer(dir, { FRAMECHECK_NOW: '2027-03-16T09:00:00Z' });
      try {
        const student = new HttpClient(second.url);
        assert.equal(await student.login('clock-sam'), 200);
        const id = `${lesson.id}-1`;
        assert.deepEqual((await student.request('GET', '/boosters')).body, { boosters: [{ id, lessonId: lesson.id, due: '2027-03-15', done: false }] });
        const home = await student.request('GET', '/');
        assert.deepEqual(home.body.boosters.map((booster: { id: string }) => booster.id), [id]);
        assert.equal((await student.request('GET', `/boosters/${lesson.id}-2`)).status, 404, 'the second set comes after six weeks');

        const shown = await student.request('GET', `/boosters/${id}`);
        assert.deepEqual(shown.body.booster.items.map((item: { id: string }) => item.id).sort(), pool.set(1).map((question) => boosterItemId(pool, 1, question.id)).sort());
        const answers = boosterAnswers(pool, 1);
        const sent = await student.request('POST', `/boosters/${id}`, { answers });
        assert.equal(sent.status, 201);
        assert.deepEqual([sent.body.result.score, sent.body.result.max], [pool.set(1).length, pool.set(1).length]);
        assert.equal(sent.body.result.results.every((result: { explanation: string }) => result.explanation.length > 0), true);
        assert.deepEqual((await student.request('GET', '/boosters')).body.boosters[0].done, true);
        const techniques = (await student.request('GET', '/mastery')).body.techniques as { id: string; evidence: number }[];
        const counted = techniques.reduce((sum, technique) => sum + technique.evidence, 0);
        assert.ok(counted >= pool.set(1).length, 'the booster items count on the map');
      } finally {
        await stop(second);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
