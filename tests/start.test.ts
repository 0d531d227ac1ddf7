// `npm start` runs the server compiled to JavaScript (scripts/start.js), so
// it starts without tsx's loader: it must serve the same app, find its views,
// content and static files from the compiled build, and stop cleanly.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { npmStartFlags } from '../scripts/spawn-server.ts';
import { exitOf, HttpClient, startServer } from './server-process.ts';
import { ROOT, tempDir } from './helpers.ts';
import { capHeapGrowth, HEAP_FLAGS, heapFlagsToSet } from '../src/heap.ts';

test('npm start serves pages, styles and sign-ups from the compiled build, and stops cleanly', async () => {
  const dataDir = tempDir();
  const server = await startServer(dataDir, {}, 'scripts/start.js');
  try {
    const npmStart = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')).scripts.start;
    assert.equal(npmStart, `node ${[...npmStartFlags(), 'scripts/start.js'].join(' ')}`);
    const home = await fetch(`${server.url}/`);
    assert.equal(home.status, 200);
    assert.match(await home.text(), /FrameCheck/);
    const style = await fetch(`${server.url}/styles.css`);
    assert.equal(style.status, 200);
    const client = new HttpClient(server.url);
    await client.start();
    const signup = await client.request('POST', '/signup', { role: 'student', username: 'startcheck', password: 'a-long-secret-77', displayName: 'S' });
    assert.equal(signup.status, 201, JSON.stringify(signup.body));
    assert.doesNotMatch(server.output(), /through tsx instead/);
  } finally {
    server.child.kill('SIGTERM');
    assert.equal(await exitOf(server.child), 0);
    rmSync(dataDir, { recursive: true, force: true });
  }
});

test('npm start gives the server a young generation that stays 16 MiB a half after a quiet spell', () => {
  // Busy, then idle, then collected: V8 would shrink a default young generation
  // to 1 MiB halves when allocation slows, and a burst after that is collected
  // every 1-2 MiB at first (docs/performance-notes.md).
  const probe = `
    const v8 = require('node:v8');
    const youngBytes = () => v8.getHeapSpaceStatistics().find((space) => space.space_name === 'new_space').space_size;
    let garbage = [];
    for (let i = 0; i < 2e6; i++) { garbage.push({ i }); if (garbage.length > 1000) garbage = []; }
    setTimeout(() => { gc({ type: 'minor' }); console.log(youngBytes()); }, 1000);`;
  const run = spawnSync(process.execPath, [...npmStartFlags(), '--expose-gc', '-e', probe], { encoding: 'utf8' });
  assert.equal(run.status, 0, run.stderr);
  assert.ok(Number(run.stdout) >= 32 * 2 ** 20, `young generation after the quiet spell: ${Number(run.stdout) / 2 ** 20} MiB`);
});

test('the server caps how far the heap grows between full collections, unless the operator set it', () => {
  assert.deepEqual(heapFlagsToSet([], ''), HEAP_FLAGS);
  assert.ok(HEAP_FLAGS.some((flag) => flag.startsWith('--heap-growing-percent=')));
  assert.deepEqual(heapFlagsToSet(['--heap_growing_percent=30'], ''), [], 'a flag on the command line wins, in either spelling');
  assert.deepEqual(heapFlagsToSet([], '--max-old-space-size=2048 --heap-growing-percent=20'), [], 'and so does one in NODE_OPTIONS');
});

test('capping the heap collects in full once, so the cap holds from the first request, and leaves no collector within reach', async () => {
  const { PerformanceObserver, constants } = await import('node:perf_hooks');
  const vm = await import('node:vm');
  const kinds: number[] = [];
  // GC entries reach observers a loop turn or more after the collection: on a busy machine a fixed short wait missed them.
  let sawFull: () => void = () => {};
  const full = new Promise<boolean>((resolve) => (sawFull = () => resolve(true)));
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      const kind = (entry as unknown as { detail: { kind: number } }).detail.kind;
      kinds.push(kind);
      if (kind === constants.NODE_PERFORMANCE_GC_MAJOR) sawFull();
    }
  });
  observer.observe({ entryTypes: ['gc'] });
  capHeapGrowth();
  let timer: NodeJS.Timeout | undefined;
  const ran = await Promise.race([full, new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), 10_000)))]);
  clearTimeout(timer);
  observer.disconnect();
  assert.ok(ran, `a full collection ran within 10 s (saw kinds ${kinds.join(', ') || 'none'})`);
  assert.equal(typeof (globalThis as { gc?: unknown }).gc, 'undefined');
  assert.equal(vm.runInNewContext('typeof gc'), 'undefined', 'a context made afterwards has no gc either');
});
