// CPU per request, old code against new, on the same PostgreSQL data: on a
// machine shared with other work, requests per second swing with the
// neighbours' load, but the CPU time the servers and PostgreSQL spend per
// request barely does. Starts two instances of each checkout in turn (twice),
// drives each route with a fixed number of requests, and prints the
// milliseconds of CPU per request of the instances and of PostgreSQL.
//   git archive <commit> | tar -x -C /tmp/base && ln -s $PWD/node_modules /tmp/base/
//   scripts/with-postgres.sh npx tsx scripts/cpu-per-request.ts /tmp/base
// (the older checkout starts with `tsx server.ts`, this one as `npm start` does)
import pg from 'pg';
import autocannon from 'autocannon';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadCatalog } from '../src/content/catalog.ts';
import { PostgresBackend } from '../src/store/postgres/backend.ts';
import { generate } from './generate.ts';
import { login } from './http-login.ts';
import { quizSubmissions } from './quiz-load.ts';
import { postgresTicks, totalTicks } from './proc-stats.ts';
import { spawnServer } from './spawn-server.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const BASE = process.argv[2];
if (!BASE || !process.env.DATABASE_URL || !process.env.FRAMECHECK_PG_SOCKET_DIR) {
  console.error('usage: scripts/with-postgres.sh npx tsx scripts/cpu-per-request.ts <older checkout>');
  process.exit(2);
}

const url = process.env.DATABASE_URL!;
const pgDir = process.env.FRAMECHECK_PG_SOCKET_DIR!;
const sum = ([user, system]: [number, number]) => user + system;
const schema = 'cpu_per_request';
const c = new pg.Client({ connectionString: url }); await c.connect(); await c.query(`drop schema if exists ${schema} cascade`); await c.end();
const catalog = loadCatalog(ROOT);
const store = await PostgresBackend.open({ url, schema });
await generate(store, catalog, { classes: 1, studentsPerClass: 30, firstClassSize: 35, attemptsPerStudent: 36 });
await store.close();
const variants: Record<string, { cwd: string; script: string }> = {
  base: { cwd: path.resolve(BASE), script: 'server.ts' },
  new: { cwd: ROOT, script: 'scripts/start.js' },
};
function start(v: string) {
  return spawnServer(variants[v].script, { DATABASE_SCHEMA: schema, DATA_DIR: path.join(os.tmpdir(), 'framecheck-cpu-per-request') }, [], variants[v].cwd);
}
const LESSON = 'paradise-on-screen';
const N = Number(process.env.AB_N ?? 1500);
for (const round of [1, 2]) for (const v of ['base', 'new']) {
  const servers = [await start(v), await start(v)];
  const urls = servers.map((s) => s.url);
  const students = await Promise.all(Array.from({ length: 50 }, (_, i) => login(urls[0], `student0-${i % 35}`)));
  const teacher = await login(urls[0], 'teacher0');
  const submissions = quizSubmissions(catalog.quiz(LESSON)!, students);
  const routes: [string, (u: string) => any][] = [
    ['quiz', (u) => ({ url: u, requests: submissions() })],
    ['class', (u) => ({ url: `${u}/classes/c0`, headers: { Cookie: teacher.cookie } })],
    ['lesson', (u) => ({ url: `${u}/lessons/${LESSON}`, headers: { Cookie: students[0].cookie } })],
    ['home', (u) => ({ url: `${u}/`, headers: { Cookie: students[1].cookie } })],
  ];
  const line: string[] = [`${v} r${round} start ${Math.round(Math.max(...servers.map((s) => s.startMs)))}ms load ${os.loadavg()[0].toFixed(1)}`];
  for (const [name, opts] of routes) {
    await Promise.all(urls.map((u) => autocannon({ ...opts(u), connections: 25, amount: 200 })));
    const n0 = servers.reduce((s, x) => s + totalTicks(x.child.pid!), 0); const p0 = sum(postgresTicks(pgDir));
    const rs = await Promise.all(urls.map((u) => autocannon({ ...opts(u), connections: 25, amount: N / 2 })));
    const n1 = servers.reduce((s, x) => s + totalTicks(x.child.pid!), 0); const p1 = sum(postgresTicks(pgDir));
    const total = rs.reduce((s, r) => s + r.requests.total, 0); const bad = rs.reduce((s, r) => s + r.non2xx + r.errors, 0);
    line.push(`${name}: node ${((n1 - n0) * 10 / total).toFixed(2)} pg ${((p1 - p0) * 10 / total).toFixed(2)} ms/req, ${Math.round(rs.reduce((s, r) => s + r.requests.average, 0))} rps p99 ${Math.max(...rs.map((r) => r.latency.p99))}${bad ? ` BAD ${bad}` : ''}`);
  }
  console.log(line.join(' | '));
  for (const s of servers) { s.child.kill('SIGTERM'); }
  await new Promise((r) => setTimeout(r, 500));
}
const drop = new pg.Client({ connectionString: url }); await drop.connect(); await drop.query(`drop schema if exists ${schema} cascade`); await drop.end();
