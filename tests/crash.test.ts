// The promise behind every 2xx: the answer is on disk. These tests kill the
// real server with SIGKILL and start it again on the same DATA_DIR.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { exitOf, HttpClient, startServer } from './server-process.ts';
import { catalog, FIRST_LESSON, rightAnswers, ROOT, SECOND_LESSON, tempDir } from './helpers.ts';
import { generate, GENERATED_PASSWORD } from '../scripts/generate.ts';
import { EmbeddedBackend } from '../src/store/embedded.ts';

/** The seed of the kill moments: CRASH_SEED replays a run, otherwise a new one each time. */
const CRASH_SEED = Number(process.env.CRASH_SEED) || Math.floor(Math.random() * 2 ** 31);

/** mulberry32: a small PRNG, so one printed number reproduces every kill moment. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

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

  // Kill moments spread over the load, drawn from a seed that is printed so a failure can be replayed.
  const random = seededRandom(CRASH_SEED);
  const killMoments = [0, 1, 2].map((run) => Math.round(100 + run * 400 + random() * 400));
  console.log(`crash test seed ${CRASH_SEED}: kills after ${killMoments.join(', ')} ms (replay with CRASH_SEED=${CRASH_SEED})`);
  for (const killAfterMs of killMoments) {
    test(`1,000 submissions from 50 students, SIGKILL after ${killAfterMs} ms (CRASH_SEED=${CRASH_SEED}): every acknowledged one is there`, async () => {
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
        console.log(`killed after ${killAfterMs} ms: ${total} acknowledged submissions, all present after restart`);
      } finally {
        second.child.kill('SIGKILL');
        await exitOf(second.child);
        rmSync(dir, { recursive: true, force: true });
      }
    });
  }

  test('a taken port stops start-up with exit code 1 and says so, and leaves the data folder free', async () => {
    const dir = tempDir();
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '0.0.0.0', resolve));
    const port = (blocker.address() as AddressInfo).port;
    try {
      const child = spawn(process.execPath, ['--import', 'tsx', 'server.ts'], { cwd: ROOT, env: { ...process.env, DATA_DIR: dir, PORT: String(port) }, stdio: ['ignore', 'pipe', 'pipe'] });
      let output = '';
      child.stdout.on('data', (chunk: Buffer) => (output += chunk));
      child.stderr.on('data', (chunk: Buffer) => (output += chunk));
      assert.equal(await exitOf(child), 1);
      assert.match(output, new RegExp(`could not start: port ${port} is already in use`));
      assert.doesNotMatch(output, /is serving/);
    } finally {
      blocker.close();
    }
    const next = await startServer(dir);
    next.child.kill('SIGTERM');
    assert.equal(await exitOf(next.child), 0, 'the lock was released');
    rmSync(dir, { recursive: true, force: true });
  });

  test('a LOCK naming a live process that is not this folder\'s server (a reused pid) does not block start-up', async () => {
    const dir = tempDir();
    // This test process is alive, but it is not the process that wrote the lock (another start time, another boot).
    writeFileSync(path.join(dir, 'LOCK'), JSON.stringify({ pid: process.pid, token: 'from-before-the-restart', processStart: 1, bootId: 'an-earlier-boot' }));
    const server = await startServer(dir);
    server.child.kill('SIGTERM');
    assert.equal(await exitOf(server.child), 0);
    rmSync(dir, { recursive: true, force: true });
  });

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
