// Quiz submission on PostgreSQL, old code against new, back to back: the
// bench's quiz route alone (two instances, 50 connections, the bench's 50
// students), repeated in alternating rounds so that both checkouts see the
// same neighbours. Besides requests/s and latency it counts what each
// submission costs: CPU of the instances and of PostgreSQL (user+system),
// transactions, row writes, buffer accesses and WAL in PostgreSQL (these
// counts do not depend on the machine's load), and what PostgreSQL's backends
// were waiting on (sampled every 5 ms from pg_stat_activity: lock queues,
// WAL flushes). Each checkout generates its own copy of the data with its own
// code, so changes to migrations are measured too. The old code, as a copy:
//     git archive <commit> | tar -x -C /tmp/base && ln -s $PWD/node_modules /tmp/base/
//   scripts/with-postgres.sh npx tsx scripts/quiz-ab.ts /tmp/base [small|district] [rounds]
// QUIZ_AB_SECONDS sets the seconds per measurement (default 8);
// QUIZ_AB_ENV_BASE / QUIZ_AB_ENV_NEW add settings to one variant's instances
// ("DATABASE_POOL_SIZE=8"), so one checkout can be compared with itself.
import { mkdtempSync, rmSync } from 'node:fs';
import pg from 'pg';
import autocannon from 'autocannon';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadCatalog } from '../src/content/catalog.ts';
import { login } from './http-login.ts';
import { quizSubmissions } from './quiz-load.ts';
import { generateInChild } from './generate-in-child.ts';
import { cpuTicks, postgresTicks } from './proc-stats.ts';
import { spawnServer } from './spawn-server.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const BASE = process.argv[2];
const SET = (process.argv[3] ?? 'small') as 'small' | 'district';
const ROUNDS = Number(process.argv[4] ?? 3);
const SECONDS = Number(process.env.QUIZ_AB_SECONDS ?? 8);
if (!BASE || !process.env.DATABASE_URL || !process.env.FRAMECHECK_PG_SOCKET_DIR) {
  console.error('usage: scripts/with-postgres.sh npx tsx scripts/quiz-ab.ts <older checkout> [small|district] [rounds]');
  process.exit(2);
}
const url = process.env.DATABASE_URL!;
const pgDir = process.env.FRAMECHECK_PG_SOCKET_DIR!;
const SETS = {
  small: { classes: 1, studentsPerClass: 30, firstClassSize: 35, attemptsPerStudent: 36 },
  district: { classes: 700, studentsPerClass: 29, firstClassSize: 35, attemptsPerStudent: 36 },
};
const admin = new pg.Client({ connectionString: url });
await admin.connect();
const catalog = loadCatalog(ROOT);
const settings = (text = '') => Object.fromEntries(text.split(/\s+/).filter(Boolean).map((pair) => pair.split('=') as [string, string]));
const variants: Record<string, { cwd: string; env: Record<string, string>; schema: string }> = {
  base: { cwd: path.resolve(BASE), env: settings(process.env.QUIZ_AB_ENV_BASE), schema: `quiz_ab_${SET}_base` },
  new: { cwd: ROOT, env: settings(process.env.QUIZ_AB_ENV_NEW), schema: `quiz_ab_${SET}_new` },
};
/**
 * Each checkout makes its own copy of the data with its own code (its own
 * migrations and record shapes), so a change to either is measured too.
 */
async function generateFor(v: string): Promise<void> {
  const { cwd, schema } = variants[v];
  await admin.query(`drop schema if exists ${schema} cascade`);
  const started = performance.now();
  await generateInChild(SETS[SET], { url, schema }, cwd);
  await admin.query(`vacuum analyze ${schema}.records`);
  console.log(`${SET} for ${v}: generated in ${((performance.now() - started) / 1000).toFixed(1)} s`);
}
await generateFor('base');
await generateFor('new');
const dataDir = mkdtempSync(path.join(os.tmpdir(), 'framecheck-quiz-ab-'));
function start(v: string) {
  const profile = process.env.QUIZ_AB_PROFILE && v === 'new' ? ['--cpu-prof', `--cpu-prof-dir=${process.env.QUIZ_AB_PROFILE}`] : [];
  return spawnServer('scripts/start.js', { DATABASE_SCHEMA: variants[v].schema, DATA_DIR: dataDir, ...variants[v].env }, profile, variants[v].cwd);
}
const LESSON = 'paradise-on-screen';
const set = SETS[SET];
const names = Array.from({ length: 50 }, (_, i) => (set.classes > 1 ? `student${(i * 13) % set.classes}-${i % 29}` : `student0-${i % set.firstClassSize}`));

async function counters() {
  const r = await admin.query(
    `select xact_commit + xact_rollback as xacts, tup_inserted + tup_updated + tup_deleted as writes, blks_hit + blks_read as blocks,
       (select wal_records from pg_stat_wal) as wal_records, (select wal_bytes from pg_stat_wal) as wal_bytes
     from pg_stat_database where datname = current_database()`,
  );
  const row = r.rows[0];
  return { xacts: Number(row.xacts), writes: Number(row.writes), blocks: Number(row.blocks), walRecords: Number(row.wal_records), walBytes: Number(row.wal_bytes) };
}

/** Samples what PostgreSQL's FrameCheck backends wait on while `work` runs. */
async function sampleWaits<T>(work: Promise<T>): Promise<{ result: T; waits: Map<string, number>; samples: number }> {
  const waits = new Map<string, number>();
  let samples = 0;
  let done = false;
  const sampler = (async () => {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    while (!done) {
      const r = await client.query(
        `select coalesce(wait_event_type || ':' || wait_event, 'cpu') as w, count(*)::int as n from pg_stat_activity
         where datname = current_database() and state = 'active' and pid <> pg_backend_pid() and application_name <> 'framecheck-listener' group by 1`,
      );
      samples++;
      for (const row of r.rows) waits.set(row.w, (waits.get(row.w) ?? 0) + row.n);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    await client.end();
  })();
  const result = await work;
  done = true;
  await sampler;
  return { result, waits, samples };
}

const add = (a: [number, number], b: [number, number]): [number, number] => [a[0] + b[0], a[1] + b[1]];
const per = (a: [number, number], b: [number, number], n: number) => `${(((b[0] - a[0]) * 10) / n).toFixed(2)}+${(((b[1] - a[1]) * 10) / n).toFixed(2)}`;
const results: Record<string, string[]> = { base: [], new: [] };
for (let round = 1; round <= ROUNDS; round++) {
  for (const v of round % 2 ? ['base', 'new'] : ['new', 'base']) {
    const servers = [await start(v), await start(v)];
    const urls = servers.map((s) => s.url);
    const students = await Promise.all(names.map((name) => login(urls[0], name)));
    const submissions = quizSubmissions(catalog.quiz(LESSON)!, students);
    const options = (u: string, duration: number): autocannon.Options => ({ url: u, connections: 25, duration, requests: submissions() });
    await Promise.all(urls.map((u) => autocannon(options(u, 1))));
    const load = os.loadavg()[0];
    const n0 = servers.reduce((s, x) => add(s, cpuTicks(x.child.pid!)), [0, 0] as [number, number]);
    const p0 = postgresTicks(pgDir);
    const c0 = await counters();
    const { result: rs, waits, samples } = await sampleWaits(Promise.all(urls.map((u) => autocannon(options(u, SECONDS)))));
    const n1 = servers.reduce((s, x) => add(s, cpuTicks(x.child.pid!)), [0, 0] as [number, number]);
    const p1 = postgresTicks(pgDir);
    const c1 = await counters();
    const total = rs.reduce((s, r) => s + r.requests.total, 0);
    const bad = rs.reduce((s, r) => s + r.non2xx + r.errors + r.timeouts, 0);
    const topWaits = [...waits].sort((a, b) => b[1] - a[1]).slice(0, 4).map(([w, n]) => `${w} ${(n / samples).toFixed(1)}`).join(', ');
    const line =
      `r${round} load ${load.toFixed(1)}: ${Math.round(rs.reduce((s, r) => s + r.requests.average, 0))} rps, p50 ${Math.max(...rs.map((r) => r.latency.p50))} p99 ${Math.max(...rs.map((r) => r.latency.p99))} ms` +
      ` | cpu/req (user+sys) node ${per(n0, n1, total)} pg ${per(p0, p1, total)} ms | pg xacts/req ${((c1.xacts - c0.xacts - samples - 1) / total).toFixed(2)} writes/req ${((c1.writes - c0.writes) / total).toFixed(2)} blocks/req ${((c1.blocks - c0.blocks) / total).toFixed(0)} WAL/req ${((c1.walRecords - c0.walRecords) / total).toFixed(1)} records ${((c1.walBytes - c0.walBytes) / total).toFixed(0)} B` +
      ` | active backends: ${topWaits}${bad ? ` | BAD ${bad}` : ''}`;
    console.log(`${v.padEnd(4)} ${line}`);
    results[v].push(line);
    await Promise.all(servers.map((s) => new Promise((resolve) => {
      s.child.on('exit', resolve);
      s.child.kill('SIGTERM');
    })));
  }
}
for (const v of Object.values(variants)) await admin.query(`drop schema if exists ${v.schema} cascade`);
await admin.end();
rmSync(dataDir, { recursive: true, force: true });
