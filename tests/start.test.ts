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
