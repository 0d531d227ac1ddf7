// CPU per request on the embedded store, an older checkout against this one:
// requests per second swing with the neighbours' load on this shared machine,
// the server's own CPU time per request much less. Generates the small data
// set once per checkout, starts each checkout's server as `npm start` does,
// drives each route with a fixed number of requests at 50 connections, in
// turns (older, newer, older, newer...), and prints the median microseconds
// of server CPU per request.
//   git worktree add --detach /tmp/base <commit> && (cd /tmp/base && npm ci)
//   npx tsx scripts/cpu-per-request-embedded.ts /tmp/base [rounds]
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { loadCatalog } from '../src/content/catalog.ts';
import { EmbeddedBackend } from '../src/store/embedded.ts';
import { generate } from './generate.ts';
import { login } from './http-login.ts';
import { totalTicks } from './proc-stats.ts';
import { spawnServer } from './spawn-server.ts';
import { quizSubmissions } from './quiz-load.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const BASE = process.argv[2];
const ROUNDS = Number(process.argv[3] ?? 3);
const REQUESTS = 3000;
const LESSON = 'paradise-on-screen';
if (!BASE) {
  console.error('usage: npx tsx scripts/cpu-per-request-embedded.ts <older checkout> [rounds]');
  process.exit(2);
}

const catalog = loadCatalog(ROOT);

async function dataDir(): Promise<string> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'framecheck-cpu-'));
  const store = await EmbeddedBackend.open(dir);
  await generate(store, catalog, { classes: 1, studentsPerClass: 30, firstClassSize: 35, attemptsPerStudent: 36 });
  await store.close();
  return dir;
}



async function measure(cwd: string, dir: string): Promise<Record<string, number>> {
  const server = await spawnServer('scripts/start.js', { DATA_DIR: dir, DATABASE_URL: '' }, [], cwd);
  try {
    const teacher = await login(server.url, 'teacher0');
    const students = await Promise.all(Array.from({ length: 50 }, (_, i) => login(server.url, `student0-${i % 35}`)));
    const submissions = quizSubmissions(catalog.quiz(LESSON)!, students);
    const routes: Record<string, autocannon.Options> = {
      'POST quiz submission': { url: server.url, requests: submissions() },
      'GET class page': { url: `${server.url}/classes/c0`, headers: { Cookie: teacher.cookie } },
      'GET lesson page': { url: `${server.url}/lessons/${LESSON}`, headers: { Cookie: students[0].cookie } },
      'GET student home': { url: `${server.url}/`, headers: { Cookie: students[1].cookie } },
      // Every step a request takes, and no page: the fixed cost of a signed-in request.
      'GET /healthz, signed in': { url: `${server.url}/healthz`, headers: { Cookie: students[2].cookie } },
    };
    const result: Record<string, number> = {};
    for (const [route, options] of Object.entries(routes)) {
      await autocannon({ connections: 50, amount: 500, ...options }); // warm-up
      const before = totalTicks(server.child.pid!);
      const run = await autocannon({ connections: 50, amount: REQUESTS, ...options });
      if (run.non2xx || run.errors) throw new Error(`${route}: ${run.non2xx} non-2xx, ${run.errors} errors`);
      result[route] = Math.round(((totalTicks(server.child.pid!) - before) * 10_000) / REQUESTS);
    }
    return result;
  } finally {
    const exited = new Promise((resolve) => server.child.on('exit', resolve));
    server.child.kill('SIGTERM');
    await exited;
  }
}

const checkouts = { older: path.resolve(BASE), newer: ROOT };
const dirs = { older: await dataDir(), newer: await dataDir() };
const samples: Record<string, Record<string, number[]>> = { older: {}, newer: {} };
for (let round = 0; round < ROUNDS; round++) {
  for (const name of ['older', 'newer'] as const) {
    for (const [route, micros] of Object.entries(await measure(checkouts[name], dirs[name]))) (samples[name][route] ??= []).push(micros);
  }
  console.error(`round ${round + 1} of ${ROUNDS} done (load average ${os.loadavg()[0].toFixed(1)})`);
}
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
console.log(`| route | ${BASE} | this checkout | newer / older |\n|---|---:|---:|---:|`);
for (const route of Object.keys(samples.newer)) {
  const older = median(samples.older[route]);
  const newer = median(samples.newer[route]);
  console.log(`| ${route} | ${older} µs | ${newer} µs | ${(newer / older).toFixed(2)} |`);
}
for (const dir of Object.values(dirs)) rmSync(dir, { recursive: true, force: true });
