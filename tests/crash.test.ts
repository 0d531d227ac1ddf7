// The promise behind every 2xx: the answer is on disk. These tests kill the
// real server with SIGKILL and start it again on the same DATA_DIR.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { exitOf, HttpClient, startServer } from './server-process.ts';
import { catalog, FIRST_LESSON, rightAnswers, SECOND_LESSON, tempDir } from './helpers.ts';
import { generate, GENERATED_PASSWORD } from '../scripts/generate.ts';
import { EmbeddedBackend } from '../src/store/embedded.ts';

function assertFilesParse(dir: string): void {
  for (const name of readdirSync(path.join(dir, 'shards'))) {
    if (name.endsWith('.json')) JSON.parse(readFileSync(path.join(dir, 'shards', name), 'utf8'));
  }
  for (const name of readdirSync(dir).filter((file) => file.endsWith('.jsonl'))) {
    const text = readFileSync(path.join(dir, name), 'utf8');
    const whole = text.slice(0, text.lastIndexOf('\n') + 1);
    for (const line of whole.split('\n').filter(Boolean)) JSON.parse(line);
  }
}

/** One class of `students` made straight in the store (fast hashes), then logged in over HTTP. */
async function setUpClass(dir: string, url: string, students: number) {
  const teacher = new HttpClient(url);
  assert.equal(await teacher.login('teacher0', GENERATED_PASSWORD), 200);
  const clients = await Promise.all(
    Array.from({ length: students }, async (_, i) => {
      const client = new HttpClient(url);
      assert.equal(await client.login(`student0-${i}`, GENERATED_PASSWORD), 200);
      return client;
    }),
  );
  return { teacher, clients };
}

async function seed(dir: string, students: number): Promise<void> {
  const store = await EmbeddedBackend.open(dir);
  await generate(store, catalog(), { classes: 1, studentsPerClass: students, attemptsPerStudent: 0 });
  await store.close();
}

describe('durability of acknowledged answers', { concurrency: false }, () => {
  test('kill -9 right after a 201 loses nothing', async () => {
    const dir = tempDir();
    await seed(dir, 1);
    const first = await startServer(dir);
    const { clients } = await setUpClass(dir, first.url, 1);
    const submitted = await clients[0].request('POST', `/lessons/${FIRST_LESSON}/quiz`, { answers: rightAnswers(FIRST_LESSON) });
    assert.equal(submitted.status, 201);
    first.child.kill('SIGKILL');
    await exitOf(first.child);
    const second = await startServer(dir);
    try {
      const student = new HttpClient(second.url);
      assert.equal(await student.login('student0-0', GENERATED_PASSWORD), 200);
      const home = await student.request('GET', '/');
      const item = home.body.assignments.find((a: { lessonId: string }) => a.lessonId === FIRST_LESSON);
      assert.equal(item.status, 'passed');
      assert.equal(item.bestPercent, 100);
    } finally {
      second.child.kill('SIGKILL');
      await exitOf(second.child);
      rmSync(dir, { recursive: true, force: true });
    }
  });

  // Random kill moments (printed, so a failure can be replayed), spread over the load.
  const killMoments = [0, 1, 2].map((run) => Math.round(100 + run * 400 + Math.random() * 400));
  for (const killAfterMs of killMoments) {
    test(`1,000 submissions from 50 students, SIGKILL after ${killAfterMs} ms: every acknowledged one is there`, async () => {
      const dir = tempDir();
      await seed(dir, 50);
      const first = await startServer(dir, { JOURNAL_COMPACT_BYTES: '60000' });
      const { clients } = await setUpClass(dir, first.url, 50);
      const acknowledged = new Map<number, Set<string>>();
      const answers = [rightAnswers(FIRST_LESSON), {}];
      let sent = 0;
      const worker = async (index: number) => {
        const mine = new Set<string>();
        acknowledged.set(index, mine);
        for (let n = 0; n < 20; n++) {
          sent++;
          try {
            const lessonId = n % 3 === 0 ? SECOND_LESSON : FIRST_LESSON;
            const response = await clients[index].request('POST', `/lessons/${lessonId}/quiz`, { answers: lessonId === FIRST_LESSON ? answers[n % 2] : {} });
            if (response.status === 201) mine.add(response.body.attempt.id);
          } catch {
            return; // the server is gone
          }
        }
      };
      const load = Promise.all(clients.map((_, index) => worker(index)));
      await new Promise((resolve) => setTimeout(resolve, killAfterMs));
      first.child.kill('SIGKILL');
      await exitOf(first.child);
      await load;
      const total = [...acknowledged.values()].reduce((sum, set) => sum + set.size, 0);
      assertFilesParse(dir);

      const second = await startServer(dir);
      try {
        // Read back through the teacher's student pages: every acknowledged attempt id is listed.
        const teacher = new HttpClient(second.url);
        assert.equal(await teacher.login('teacher0', GENERATED_PASSWORD), 200);
        const home = await teacher.request('GET', '/');
        const classId = home.body.classes[0].id;
        const page = await teacher.request('GET', `/classes/${classId}`);
        for (const [index, ids] of acknowledged) {
          const student = page.body.students.find((s: { username: string }) => s.username === `student0-${index}`);
          const detail = await teacher.request('GET', `/classes/${classId}/students/${student.id}`);
          const stored = new Set(detail.body.attempts.map((a: { id: string }) => a.id));
          for (const id of ids) assert.ok(stored.has(id), `acknowledged attempt ${id} of student0-${index} is missing`);
        }
        assert.ok(sent > 0);
        console.log(`# killed after ${killAfterMs} ms: ${total} acknowledged submissions, all present after restart`);
      } finally {
        second.child.kill('SIGKILL');
        await exitOf(second.child);
        rmSync(dir, { recursive: true, force: true });
      }
    });
  }

  test('a second server on the same DATA_DIR refuses to start with a clear message', async () => {
    const dir = tempDir();
    const first = await startServer(dir);
    try {
      await assert.rejects(startServer(dir), /in use by another FrameCheck server/);
    } finally {
      first.child.kill('SIGTERM');
      assert.equal(await exitOf(first.child), 0, 'SIGTERM stops cleanly');
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
