// npm run bench: generates a small and a district data set straight through
// the store, starts the real server on each (production mode), drives it
// from this process with autocannon at 50 connections, and compares every
// route with a bare Express "ok" route measured in the same run.
// Writes the table to docs/performance.md.
import type { ChildProcess } from 'node:child_process';
import { spawnServer } from './spawn-server.ts';
import { readFileSync, rmSync, writeFileSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { loadCatalog } from '../src/content/catalog.ts';
import { EmbeddedBackend } from '../src/store/embedded.ts';
import { generate, GENERATED_PASSWORD } from './generate.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const SECONDS = Number(process.env.BENCH_SECONDS ?? 8);
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
  { name: 'small', classes: 1, studentsPerClass: 30, firstClassSize: 35, attemptsPerStudent: 36 },
  { name: 'district', classes: 700, studentsPerClass: 29, firstClassSize: 35, attemptsPerStudent: 36 },
];

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

/** Logs in over HTTP like a browser: a session cookie and its CSRF token. */
async function login(url: string, username: string): Promise<{ cookie: string; token: string }> {
  const first = await fetch(`${url}/session`, { headers: { Accept: 'application/json' } });
  let cookie = (first.headers.get('set-cookie') ?? '').split(';')[0];
  const { csrfToken } = (await first.json()) as { csrfToken: string };
  const response = await fetch(`${url}/login`, {
    method: 'POST',
    headers: { Accept: 'application/json', 'Content-Type': 'application/json', Cookie: cookie, 'X-CSRF-Token': csrfToken },
    body: JSON.stringify({ username, password: GENERATED_PASSWORD }),
  });
  if (response.status !== 200) throw new Error(`login ${username}: ${response.status}`);
  cookie = (response.headers.get('set-cookie') ?? cookie).split(';')[0];
  const body = (await response.json()) as { csrfToken: string };
  return { cookie, token: body.csrfToken };
}

async function load(options: autocannon.Options): Promise<autocannon.Result> {
  return autocannon({ connections: CONNECTIONS, duration: SECONDS, ...options });
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
  const generatedAt = performance.now();
  const store = await EmbeddedBackend.open(dataDir, { compactBytes: Number.POSITIVE_INFINITY });
  const generated = await generate(store, catalog, set);
  await store.close();
  const generateSeconds = (performance.now() - generatedAt) / 1000;
  console.log(`${set.name}: generated ${generated.students.length} students in ${generated.classIds.length} classes, ${generated.attempts} attempts (${generateSeconds.toFixed(1)} s)`);

  const measured: [string, autocannon.Result][] = [];

  const profile = process.env.BENCH_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${path.join(ROOT, 'docs', 'profiles')}`] : [];
  const server = await spawnServer('server.ts', { DATA_DIR: dataDir }, profile);
  const startupMemory = residentMiB(server.child.pid!);
  try {
    const teacher = await login(server.url, 'teacher0');
    // Many different students, from as many classes as the data set has.
    const studentNames = Array.from({ length: 50 }, (_, i) => (set.classes > 1 ? `student${(i * 13) % set.classes}-${i % 29}` : `student0-${i % set.firstClassSize}`));
    const students = await Promise.all(studentNames.map((name) => login(server.url, name)));
    const quiz = catalog.quiz(LESSON)!;
    const answers = Object.fromEntries(quiz.questions.map((q) => [q.id, q.options.filter((o) => o.correct).map((o) => o.id)]));
    const body = JSON.stringify({ answers });
    let next = 0;
    const json = { Accept: 'application/json' };

    const routes: [string, autocannon.Options][] = [
      [
        'POST quiz submission',
        {
          url: server.url,
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
        },
      ],
      ['GET class page (35 students x 12 lessons)', { url: `${server.url}/classes/c0`, headers: { Cookie: teacher.cookie } }],
      [`GET lesson page`, { url: `${server.url}/lessons/${LESSON}`, headers: { Cookie: students[0].cookie } }],
      ['GET student home page', { url: `${server.url}/`, headers: { Cookie: students[1].cookie } }],
    ];
    for (const [route, options] of routes) {
      await load({ ...options, duration: 1 }); // warm-up
      measured.push([route, await load(options)]);
    }
    const afterMemory = residentMiB(server.child.pid!);
    return { measured, startupMs: Math.round(server.startMs), startupMemory, afterMemory, generated };
  } finally {
    await stop(server.child);
    rmSync(dataDir, { recursive: true, force: true });
  }
}

function table(rows: Row[]): string {
  const header = '| route | data set | requests/s | p50 ms | p99 ms | errors | ratio to reference |\n|---|---|---:|---:|---:|---:|---:|';
  return [header, ...rows.map((r) => `| ${r.route} | ${r.dataSet} | ${r.rps} | ${r.p50} | ${r.p99} | ${r.errors} | ${r.ratio} |`)].join('\n');
}

async function main() {
  const catalog = loadCatalog(ROOT);
  // The reference is measured before, between and after the data sets; ratios use the median,
  // so that one noisy reference run does not skew a whole data set.
  const references = [await measureReference()];
  const results = [];
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
  const small = results[0];
  const district = results[1];
  const checks: [string, boolean][] = [];
  const find = (set: string, route: string) => rows.find((r) => r.dataSet === set && r.route.startsWith(route))!;
  for (const set of ['small', 'district']) {
    checks.push([`${set}: quiz submission ratio >= 0.4`, find(set, 'POST quiz').ratio >= 0.4]);
    checks.push([`${set}: quiz submission p99 < 100 ms`, find(set, 'POST quiz').p99 < 100]);
    checks.push([`${set}: class page ratio >= 0.25`, find(set, 'GET class').ratio >= 0.25]);
    checks.push([`${set}: lesson page ratio >= 0.5`, find(set, 'GET lesson').ratio >= 0.5]);
  }
  for (const route of ['POST quiz', 'GET class', 'GET lesson', 'GET student']) {
    const s = find('small', route);
    const d = find('district', route);
    checks.push([`district/small ${route}: ${(d.ratio / s.ratio).toFixed(2)} >= 0.8`, d.ratio / s.ratio >= 0.8]);
  }
  checks.push([`district start-up ${district.startupMs} ms < 5000 ms`, district.startupMs < 5000]);
  checks.push([`district resident memory ${district.afterMemory} MiB < 1024 MiB`, district.afterMemory < 1024]);

  const machine = `${os.cpus()[0]?.model ?? 'unknown CPU'}, ${os.cpus().length} cores, ${Math.round(os.totalmem() / 2 ** 30)} GiB, ${os.platform()} ${os.release()}, Node ${process.version}`;
  const report = [
    '# Performance',
    '',
    `Measured ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC by \`npm run bench\` on ${machine}.`,
    `autocannon, ${CONNECTIONS} connections, ${SECONDS} s per route after a 1 s warm-up; the server runs in its own process in production mode.`,
    `The machine is shared and noisy, so the ratios count: each is to the median (${Math.round(reference)} requests/s) of the bare Express reference measured ${references.length} times in this run.`,
    '',
    table(rows),
    '',
    '| data set | students | classes | attempts | start-up | resident memory after start-up | after the load |',
    '|---|---:|---:|---:|---:|---:|---:|',
    ...results.map((r) => `| ${r.set.name} | ${r.generated.students.length} | ${r.generated.classIds.length} | ${r.generated.attempts} | ${r.startupMs} ms | ${r.startupMemory} MiB | ${r.afterMemory} MiB |`),
    '',
    '## Targets',
    '',
    ...checks.map(([text, ok]) => `- ${ok ? 'met' : 'MISSED'}: ${text}`),
    '',
  ].join('\n');
  writeFileSync(path.join(ROOT, 'docs', 'performance.md'), report);
  console.log(`\n${report}`);
  console.log(`small start-up ${small.startupMs} ms`);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
