// `npm start` runs the server compiled to JavaScript (scripts/start.js), so
// it starts without tsx's loader: it must serve the same app, find its views,
// content and static files from the compiled build, and stop cleanly.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { exitOf, HttpClient, startServer } from './server-process.ts';
import { ROOT, tempDir } from './helpers.ts';

test('npm start serves pages, styles and sign-ups from the compiled build, and stops cleanly', async () => {
  const dataDir = tempDir();
  const server = await startServer(dataDir, {}, 'scripts/start.js');
  try {
    const npmStart = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')).scripts.start;
    assert.equal(npmStart, 'node scripts/start.js');
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

test('npm start caps how far the heap grows between full collections, unless the operator set it', async () => {
  const { heapFlagsToSet, HEAP_FLAGS } = (await import('../scripts/start.js' as string)) as {
    heapFlagsToSet: (execArgv: string[], nodeOptions: string) => string[];
    HEAP_FLAGS: string[];
  };
  assert.deepEqual(heapFlagsToSet([], ''), HEAP_FLAGS);
  assert.ok(HEAP_FLAGS.some((flag) => flag.startsWith('--heap-growing-percent=')));
  assert.deepEqual(heapFlagsToSet(['--heap_growing_percent=30'], ''), [], 'a flag on the command line wins, in either spelling');
  assert.deepEqual(heapFlagsToSet([], '--max-old-space-size=2048 --heap-growing-percent=20'), [], 'and so does one in NODE_OPTIONS');
});
