// Start-up of the embedded store, old code against new, on a shared noisy
// machine: starts `node scripts/start.js` of each checkout in turn on a fresh
// copy of one data folder and reports the median wall time to "serving", the
// process's CPU time until then, and its resident memory.
//
//   npx tsx scripts/bench-startup.ts --generate /tmp/district      make the district data set once (about 40 s)
//   npx tsx scripts/bench-startup.ts --data /tmp/district --runs 5 /tmp/old-checkout .
//
// An old checkout: `git archive <commit> | tar -x -C /tmp/old-checkout` and a
// symlink to this node_modules. Each checkout's first start compiles it; that
// start is not counted.
import { spawn, execFileSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { residentMiB, totalTicks } from './proc-stats.ts';
import { npmStartFlags } from './spawn-server.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { values: args, positionals: roots } = parseArgs({
  allowPositionals: true,
  options: { data: { type: 'string' }, runs: { type: 'string', default: '5' }, generate: { type: 'string' } },
});

/** The district of `npm run bench`: 700 classes, about 20,300 students and 730,000 quiz attempts. */
async function generateDistrict(dir: string): Promise<void> {
  const { loadCatalog } = await import('../src/content/catalog.ts');
  const { withParseCache } = await import('../src/content/parse-cache.ts');
  const { EmbeddedBackend } = await import('../src/store/embedded.ts');
  const { generate } = await import('./generate.ts');
  const catalog = withParseCache(ROOT, () => loadCatalog(ROOT));
  const store = await EmbeddedBackend.open(dir, { compactBytes: Number.POSITIVE_INFINITY });
  const made = await generate(store, catalog, { classes: 700, studentsPerClass: 29, firstClassSize: 35, attemptsPerStudent: 36 });
  await store.close();
  console.log(`${dir}: ${made.students.length} students, ${made.attempts} attempts`);
}

interface Start {
  wall: number;
  cpu: number;
  rss: number;
}

async function startOnce(root: string, data: string): Promise<Start> {
  const copy = path.join(os.tmpdir(), `framecheck-startup-${process.pid}`);
  execFileSync('rm', ['-rf', copy]);
  execFileSync('cp', ['-a', data, copy]);
  const started = performance.now();
  const child = spawn(process.execPath, [...npmStartFlags(root), 'scripts/start.js'], {
    cwd: root,
    env: { ...process.env, PORT: '0', NODE_ENV: 'production', DATA_DIR: copy, DATABASE_URL: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  await new Promise<void>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (/serving http/.test(output)) resolve();
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', (code) => reject(new Error(`${root} exited with ${code}:\n${output}`)));
  });
  const result = { wall: Math.round(performance.now() - started), cpu: totalTicks(child.pid!) * 10, rss: residentMiB(child.pid!) };
  const exited = new Promise((resolve) => child.on('exit', resolve));
  child.kill('SIGTERM');
  await exited;
  execFileSync('rm', ['-rf', copy]);
  return result;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

async function main(): Promise<void> {
  if (args.generate) return generateDistrict(args.generate);
  if (!args.data || roots.length === 0) throw new Error('usage: bench-startup.ts --data DIR [--runs N] CHECKOUT...');
  const checkouts = roots.map((root) => path.resolve(root));
  for (const root of checkouts) await startOnce(root, args.data); // compiles
  const results = new Map<string, Start[]>(checkouts.map((root) => [root, []]));
  for (let run = 0; run < Number(args.runs); run++) {
    for (const root of checkouts) {
      const start = await startOnce(root, args.data);
      results.get(root)!.push(start);
      console.log(`${root}: ${JSON.stringify(start)} (load ${os.loadavg()[0].toFixed(1)})`);
    }
  }
  for (const [root, starts] of results) {
    console.log(`median ${root}: ${median(starts.map((s) => s.wall))} ms to serving, ${median(starts.map((s) => s.cpu))} ms CPU, ${median(starts.map((s) => s.rss))} MiB resident`);
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
