// npm run bench: generates a small and a district data set straight through
// the store, starts the real server on each (production mode), drives it
// from this process with autocannon at 50 connections, and compares every
// route with a bare Express "ok" route measured in the same run.
// Writes the table to docs/performance.md, in the section of the store measured.
//   npm run bench                                    the embedded store
//   npm run bench -- --store postgres --instances 2  PostgreSQL (DATABASE_URL) behind two instances
//   (add --sets small to measure one data set)
import type { ChildProcess } from 'node:child_process';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { spawnServer } from './spawn-server.ts';
import { readFileSync, rmSync, writeFileSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { loadCatalog } from '../src/content/catalog.ts';
import { withParseCache } from '../src/content/parse-cache.ts';
import { DEFAULT_POOL_SIZE } from '../src/config.ts';
import { EmbeddedBackend } from '../src/store/embedded.ts';
import { PostgresBackend } from '../src/store/postgres/backend.ts';
import type { StoreBackend } from '../src/store/backend.ts';
import { generate } from './generate.ts';
import { publicOptionId, publicQuestionId } from '../src/learning/public-ids.ts';
import { login } from './http-login.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const SECONDS = Number(process.env.BENCH_SECONDS ?? 8);
const { values: args } = parseArgs({
  options: {
    store: { type: 'string', default: 'embedded' },
    instances: { type: 'string', default: '1' },
    sets: { type: 'string', default: 'small,district' },
  },
});
const POSTGRES = args.store === 'postgres';
const INSTANCES = Number(args.instances);
const DATABASE_URL = process.env.DATABASE_URL ?? '';
if (POSTGRES && !DATABASE_URL) {
  console.error('--store postgres needs DATABASE_URL (try: scripts/with-postgres.sh npm run bench -- --store postgres --instances 2)');
  process.exit(2);
}
if (!POSTGRES && INSTANCES !== 1) {
  console.error('The embedded store serves from one process: --instances needs --store postgres');
  process.exit(2);
}
const CONNECTIONS = 50;
const LESSON = 'paradise-on-screen';

interface DataSet {
  name: 'small' | 'district';
  classes: number;
  studentsPerClass: number;
  firstClassSize: number;
  attemptsPerStudent: number;
}

const DATA_SETS: DataSet[] = [
  { name: 'small' as const, classes: 1, studentsPerClass: 30, firstClassSize: 35, attemptsPerStudent: 36 },
  { name: 'district' as const, classes: 700, studentsPerClass: 29, firstClassSize: 35, attemptsPerStudent: 36 },
].filter((set) => args.sets.split(',').includes(set.name));

interface Row {
  route: string;
  dataSet: string;
  rps: number;
  p50: number;
  p99: number;
  errors: number;
  ratio: number;
}

function residentMiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Math.round(Number(/VmRSS:\s+(\d+)/.exec(status)![1]) / 1024);
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.on('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}


async function load(options: autocannon.Options): Promise<autocannon.Result> {
  return autocannon({ connections: CONNECTIONS, duration: SECONDS, ...options });
}

/**
 * The same load spread over every instance (as a load balancer would), the
 * connections shared out; rates add up, latencies are the worst instance's.
 */
async function loadAll(urls: string[], options: (url: string) => autocannon.Options, duration = SECONDS): Promise<autocannon.Result> {
  const results = await Promise.all(urls.map((url) => autocannon({ connections: Math.ceil(CONNECTIONS / urls.length), duration, ...options(url) })));
  if (results.length === 1) return results[0];
  const merged = structuredClone(results[0]);
  merged.requests.average = results.reduce((sum, r) => sum + r.requests.average, 0);
  merged.latency.p50 = Math.max(...results.map((r) => r.latency.p50));
  merged.latency.p99 = Math.max(...results.map((r) => r.latency.p99));
  merged.errors = results.reduce((sum, r) => sum + r.errors, 0);
  merged.timeouts = results.reduce((sum, r) => sum + r.timeouts, 0);
  merged.non2xx = results.reduce((sum, r) => sum + r.non2xx, 0);
  return merged;
}

/** A fresh, empty schema per data set, so PostgreSQL holds only what is measured. */
async function freshSchema(schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: DATABASE_URL });
  await client.connect();
  try {
    await client.query(`drop schema if exists "${schema}" cascade`);
  } finally {
    await client.end();
  }
}

function row(route: string, dataSet: string, result: autocannon.Result, reference: number): Row {
  const rps = Math.round(result.requests.average);
  return {
    route,
    dataSet,
    rps,
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.errors + result.timeouts + result.non2xx,
    ratio: Math.round((rps / reference) * 100) / 100,
  };
}

async function measureReference(): Promise<autocannon.Result> {
  const reference = await spawnServer('scripts/bench-reference.ts', {});
  try {
    await load({ url: reference.url, duration: 2 }); // warm-up
    return await load({ url: reference.url });
  } finally {
    await stop(reference.child);
  }
}

async function benchDataSet(set: DataSet, catalog: ReturnType<typeof loadCatalog>) {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), `framecheck-bench-${set.name}-`));
  const schema = `bench_${set.name}`;
  const generatedAt = performance.now();
  let store: StoreBackend;
  if (POSTGRES) {
    await freshSchema(schema);
    store = await PostgresBackend.open({ url: DATABASE_URL, schema });
  } else {
    store = await EmbeddedBackend.open(dataDir, { compactBytes: Number.POSITIVE_INFINITY });
  }
  const generated = await generate(store, catalog, set);
  await store.close();
  const generateSeconds = (performance.now() - generatedAt) / 1000;
  console.log(`${set.name}: generated ${generated.students.length} students in ${generated.classIds.length} classes, ${generated.attempts} attempts (${generateSeconds.toFixed(1)} s)`);

  const measured: [string, autocannon.Result][] = [];

  const profile = process.env.BENCH_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${path.join(ROOT, 'docs', 'profiles')}`] : [];
  const env = POSTGRES ? { DATA_DIR: dataDir, DATABASE_URL, DATABASE_SCHEMA: schema } : { DATA_DIR: dataDir, DATABASE_URL: '' };
  const servers = [];
  // Started the way `npm start` starts it: the compiled build (made before the run).
  for (let i = 0; i < INSTANCES; i++) servers.push(await spawnServer('scripts/start.js', env, profile));
  const urls = servers.map((server) => server.url);
  const startupMemory = Math.max(...servers.map((server) => residentMiB(server.child.pid!)));
  try {
    const teacher = await login(urls[0], 'teacher0');
    // Many different students, from as many classes as the data set has.
    const studentNames = Array.from({ length: 50 }, (_, i) => (set.classes > 1 ? `student${(i * 13) % set.classes}-${i % 29}` : `student0-${i % set.firstClassSize}`));
    const students = await Promise.all(studentNames.map((name) => login(urls[0], name)));
    const quiz = catalog.quiz(LESSON)!;
    // In the opaque ids the quiz page shows (src/learning/public-ids.ts).
    const answers = Object.fromEntries(
      quiz.questions.map((q) => [publicQuestionId(LESSON, q.id), q.options.filter((o) => o.correct).map((o) => publicOptionId(LESSON, q.id, o.id))]),
    );
    const body = JSON.stringify({ answers });
    let next = 0;
    const json = { Accept: 'application/json' };

    const routes: [string, (url: string) => autocannon.Options][] = [
      [
        'POST quiz submission',
        (url) => ({
          url,
          requests: [
            {
              method: 'POST',
              path: `/lessons/${LESSON}/quiz`,
              setupRequest: (request: any) => {
                const student = students[next++ % students.length];
                return { ...request, body, headers: { ...json, 'Content-Type': 'application/json', Cookie: student.cookie, 'X-CSRF-Token': student.token } };
              },
            },
          ],
        }),
      ],
      ['GET class page (35 students x 12 lessons)', (url) => ({ url: `${url}/classes/c0`, headers: { Cookie: teacher.cookie } })],
      [`GET lesson page`, (url) => ({ url: `${url}/lessons/${LESSON}`, headers: { Cookie: students[0].cookie } })],
      ['GET student home page', (url) => ({ url: `${url}/`, headers: { Cookie: students[1].cookie } })],
    ];
    for (const [route, options] of routes) {
      await loadAll(urls, options, 1); // warm-up
      measured.push([route, await loadAll(urls, options)]);
    }
    const afterMemory = Math.max(...servers.map((server) => residentMiB(server.child.pid!)));
    return { measured, startupMs: Math.round(Math.max(...servers.map((server) => server.startMs))), startupMemory, afterMemory, generated };
  } finally {
    for (const server of servers) await stop(server.child);
    rmSync(dataDir, { recursive: true, force: true });
    if (POSTGRES) await freshSchema(schema);
  }
}

function table(rows: Row[]): string {
  const header = '| route | data set | requests/s | p50 ms | p99 ms | errors | ratio to reference |\n|---|---|---:|---:|---:|---:|---:|';
  return [header, ...rows.map((r) => `| ${r.route} | ${r.dataSet} | ${r.rps} | ${r.p50} | ${r.p99} | ${r.errors} | ${r.ratio} |`)].join('\n');
}

async function main() {
  // What a deployment's second and later starts find: the server compiled and the content parsed once.
  const { ensureBuilt } = (await import('./start.js' as string)) as { ensureBuilt: () => Promise<string | null> };
  if (!(await ensureBuilt())) throw new Error('scripts/start.js could not compile the server; the start-up figures would be of tsx');
  const catalog = withParseCache(ROOT, () => loadCatalog(ROOT));
  const loadBefore = os.loadavg()[0];
  // The reference is measured before, between and after the data sets; ratios use the median,
  // so that one noisy reference run does not skew a whole data set.
  const references = [await measureReference()];
  const results: ({ set: DataSet } & Awaited<ReturnType<typeof benchDataSet>>)[] = [];
  for (const set of DATA_SETS) {
    results.push({ set, ...(await benchDataSet(set, catalog)) });
    references.push(await measureReference());
  }
  const referenceRates = references.map((result) => result.requests.average).sort((a, b) => a - b);
  const reference = referenceRates[Math.floor(referenceRates.length / 2)];
  const rows: Row[] = [
    ...references.map((result, index) => row(`bare Express "ok" (reference, run ${index + 1} of ${references.length})`, '-', result, reference)),
    ...results.flatMap((result) => result.measured.map(([route, measured]) => row(route, result.set.name, measured, reference))),
  ];
  const bySet = (name: string) => results.find((result) => result.set.name === name);
  const checks: [string, boolean][] = [];
  const find = (set: string, route: string) => rows.find((r) => r.dataSet === set && r.route.startsWith(route));
  for (const { set } of results) {
    const quiz = find(set.name, 'POST quiz')!;
    checks.push([`${set.name}: quiz submission p99 ${quiz.p99} ms < 100 ms`, quiz.p99 < 100]);
    if (!POSTGRES) {
      checks.push([`${set.name}: quiz submission ratio >= 0.4`, quiz.ratio >= 0.4]);
      checks.push([`${set.name}: class page ratio >= 0.25`, find(set.name, 'GET class')!.ratio >= 0.25]);
      checks.push([`${set.name}: lesson page ratio >= 0.5`, find(set.name, 'GET lesson')!.ratio >= 0.5]);
    }
  }
  if (bySet('small') && bySet('district')) {
    for (const route of ['POST quiz', 'GET class', 'GET lesson', 'GET student']) {
      const s = find('small', route)!;
      const d = find('district', route)!;
      checks.push([`district/small ${route}: ${(d.ratio / s.ratio).toFixed(2)} >= 0.8`, d.ratio / s.ratio >= 0.8]);
    }
  }
  for (const result of results) {
    const { name } = result.set;
    if (POSTGRES) {
      checks.push([`${name} start-up ${result.startupMs} ms < 2000 ms`, result.startupMs < 2000]);
      checks.push([`${name} resident memory per instance ${result.afterMemory} MiB < 300 MiB`, result.afterMemory < 300]);
    } else if (name === 'district') {
      checks.push([`district start-up ${result.startupMs} ms < 5000 ms`, result.startupMs < 5000]);
      checks.push([`district resident memory ${result.afterMemory} MiB < 1024 MiB`, result.afterMemory < 1024]);
    }
  }

  const load = `load average ${loadBefore.toFixed(1)} at the start and ${os.loadavg()[0].toFixed(1)} at the end (1-minute, on ${os.cpus().length} cores shared with other work)`;
  const machine = `${os.cpus()[0]?.model ?? 'unknown CPU'}, ${os.cpus().length} cores, ${Math.round(os.totalmem() / 2 ** 30)} GiB, ${os.platform()} ${os.release()}, Node ${process.version}`;
  const title = POSTGRES ? `PostgreSQL store, ${INSTANCES} instance${INSTANCES === 1 ? '' : 's'}` : 'Embedded store';
  const section = [
    `## ${title}`,
    '',
    `Measured ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC by \`npm run bench${POSTGRES ? ` -- --store postgres --instances ${INSTANCES}` : ''}\` on ${machine}.`,
    `Machine ${load}.`,
    `autocannon, ${CONNECTIONS} connections${INSTANCES > 1 ? ` shared over ${INSTANCES} instances (rates added up, the worse latency shown)` : ''}, ${SECONDS} s per route after a 1 s warm-up; the server runs in its own process in production mode.`,
    ...(POSTGRES ? ['PostgreSQL runs on the same machine as the instances and the load generator, so they all share its cores.'] : []),
    ...(POSTGRES ? [`${process.env.DATABASE_POOL_SIZE ?? DEFAULT_POOL_SIZE} pooled connections per instance (DATABASE_POOL_SIZE).`] : []),
    `The machine is shared and noisy, so the ratios count: each is to the median (${Math.round(reference)} requests/s) of the bare Express reference measured ${references.length} times in this run.`,
    '',
    table(rows),
    '',
    '| data set | students | classes | attempts | start-up | resident memory after start-up | after the load |',
    '|---|---:|---:|---:|---:|---:|---:|',
    ...results.map((r) => `| ${r.set.name} | ${r.generated.students.length} | ${r.generated.classIds.length} | ${r.generated.attempts} | ${r.startupMs} ms | ${r.startupMemory} MiB | ${r.afterMemory} MiB |`),
    '',
    `### Targets (${title})`,
    '',
    ...checks.map(([text, ok]) => `- ${ok ? 'met' : 'MISSED'}: ${text}`),
  ].join('\n');
  const file = path.join(ROOT, 'docs', 'performance.md');
  writeFileSync(file, withSection(readFileSync(file, 'utf8'), POSTGRES ? 'postgres' : 'embedded', section));
  console.log(`\n${section}`);
}

/**
 * docs/performance.md keeps one section per store between markers, so a run
 * of one store leaves the other's figures beside it. A file from before the
 * markers is all the embedded store's.
 */
export function withSection(text: string, store: 'embedded' | 'postgres', section: string): string {
  const heading = '# Performance\n\nBoth stores are measured by `npm run bench`; each section says how.\n';
  const marked = (name: string, body: string) => `<!-- bench:${name} -->\n${body.trim()}\n<!-- /bench:${name} -->`;
  const sectionOf = (name: string): string | null => {
    const match = new RegExp(`<!-- bench:${name} -->\\n([\\s\\S]*?)\\n<!-- /bench:${name} -->`).exec(text);
    return match ? match[1] : null;
  };
  let embedded = sectionOf('embedded');
  const postgres = sectionOf('postgres');
  if (embedded === null && postgres === null && text.startsWith('# Performance')) {
    embedded = text.replace(/^# Performance\n/, '## Embedded store\n').replace(/^## Targets$/m, '### Targets (Embedded store)');
  }
  const sections = { embedded, postgres, [store]: section };
  return [heading, ...(['embedded', 'postgres'] as const).filter((name) => sections[name]).map((name) => marked(name, sections[name]!))].join('\n') + '\n';
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((error) => {
    console.error(error);
    process.exit(1);
  });
}
