// Quiz answers per second on the embedded store, an older checkout and this
// one served at the same time. On this shared machine the neighbours' load
// moves a run's rate by a third from one minute to the next, and runs one
// after another (scripts/cpu-per-request-embedded.ts) compare different
// minutes; two servers loaded together share the same minutes, so the ratio
// of their rates is what each change is worth. Both checkouts' servers start
// the way `npm start` starts them, on copies of one data set, and each is
// sent quiz answers from 50 signed-in students over its own 50 connections
// for ROUNDS rounds of 5 s. Prints each round and the medians.
//
// The two servers compete for the same two cores, so a server that spends
// less time per answer, or waits less for its disk, takes more of them: the
// ratio is larger than the change's effect on one server alone, and says
// which checkout is faster, not by how much npm run bench will move.
//   git worktree add --detach /tmp/base <commit> && (cd /tmp/base && npm ci)
//   npx tsx scripts/quiz-side-by-side.ts /tmp/base [rounds] [--data DATA_DIR]
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { loadCatalog } from '../src/content/catalog.ts';
import { EmbeddedBackend } from '../src/store/embedded.ts';
import { generate } from './generate.ts';
import { login } from './http-login.ts';
import { totalTicks } from './proc-stats.ts';
import { quizSubmissions } from './quiz-load.ts';
import { spawnServer, type SpawnedServer } from './spawn-server.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const dataAt = args.indexOf('--data');
const DATA = dataAt === -1 ? null : args.splice(dataAt, 2)[1];
const [BASE, roundsArg] = args;
const ROUNDS = Number(roundsArg ?? 8);
const SECONDS = 5;
const LESSON = 'paradise-on-screen';
if (!BASE || !Number.isInteger(ROUNDS) || ROUNDS < 1) {
  console.error('usage: npx tsx scripts/quiz-side-by-side.ts <older checkout> [rounds] [--data DATA_DIR]');
  process.exit(2);
}

const catalog = loadCatalog(ROOT);

/** The data set: a copy of --data (a district made by scripts/generate.ts), or the bench's small set. */
async function source(): Promise<{ dir: string; district: boolean }> {
  if (DATA) return { dir: DATA, district: true };
  const dir = mkdtempSync(path.join(os.tmpdir(), 'framecheck-side-'));
  const store = await EmbeddedBackend.open(dir);
  await generate(store, catalog, { classes: 1, studentsPerClass: 30, firstClassSize: 35, attemptsPerStudent: 36 });
  await store.close();
  return { dir, district: false };
}

interface Served {
  name: string;
  server: SpawnedServer;
  dir: string;
  options: () => autocannon.Options;
}

async function serve(name: string, checkout: string, from: { dir: string; district: boolean }): Promise<Served> {
  const dir = mkdtempSync(path.join(os.tmpdir(), `framecheck-side-${name}-`));
  cpSync(from.dir, dir, { recursive: true });
  const server = await spawnServer('scripts/start.js', { DATA_DIR: dir, DATABASE_URL: '' }, [], checkout);
  // The bench's students: from as many classes as the data set has.
  const names = Array.from({ length: 50 }, (_, i) => (from.district ? `student${(i * 13) % 700}-${i % 29}` : `student0-${i % 35}`));
  const students = await Promise.all(names.map((student) => login(server.url, student)));
  const submissions = quizSubmissions(catalog.quiz(LESSON)!, students);
  return { name, server, dir, options: () => ({ url: server.url, connections: 50, requests: submissions() }) };
}

const from = await source();
const both = [await serve('older', path.resolve(BASE), from), await serve('newer', ROOT, from)];
const rates: Record<string, number[]> = { older: [], newer: [] };
const micros: Record<string, number[]> = { older: [], newer: [] };
try {
  await Promise.all(both.map((served) => autocannon({ ...served.options(), duration: 3 }))); // warm-up
  for (let round = 0; round < ROUNDS; round++) {
    const before = both.map((served) => totalTicks(served.server.child.pid!));
    const runs = await Promise.all(both.map((served) => autocannon({ ...served.options(), duration: SECONDS })));
    for (const [i, served] of both.entries()) {
      if (runs[i].non2xx || runs[i].errors) throw new Error(`${served.name}: ${runs[i].non2xx} non-2xx, ${runs[i].errors} errors`);
      rates[served.name].push(runs[i].requests.average);
      micros[served.name].push(((totalTicks(served.server.child.pid!) - before[i]) * 10_000) / runs[i].requests.total);
    }
    console.error(
      `round ${round + 1}: older ${Math.round(rates.older[round])}/s ${Math.round(micros.older[round])} µs, newer ${Math.round(rates.newer[round])}/s ${Math.round(micros.newer[round])} µs, ` +
        `newer/older ${(rates.newer[round] / rates.older[round]).toFixed(3)} (load average ${os.loadavg()[0].toFixed(1)})`,
    );
  }
} finally {
  for (const served of both) {
    const exited = new Promise((resolve) => served.server.child.on('exit', resolve));
    served.server.child.kill('SIGTERM');
    await exited;
    rmSync(served.dir, { recursive: true, force: true });
  }
  if (!DATA) rmSync(from.dir, { recursive: true, force: true });
}
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
console.log(`| ${DATA ? 'district' : 'small'}, ${ROUNDS} rounds of ${SECONDS} s | ${BASE} | this checkout |\n|---|---:|---:|`);
console.log(`| quiz answers/s (median) | ${Math.round(median(rates.older))} | ${Math.round(median(rates.newer))} |`);
console.log(`| server CPU per answer (median) | ${Math.round(median(micros.older))} µs | ${Math.round(median(micros.newer))} µs |`);
console.log(`| newer/older rate, median of the rounds | | ${median(rates.newer.map((rate, i) => rate / rates.older[i])).toFixed(3)} |`);
