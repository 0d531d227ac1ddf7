import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { exitOf, HttpClient, startServer } from './server-process.ts';
import { tempDir } from './helpers.ts';

test('npm run demo starts a demo school whose printed logins work', async () => {
  const dir = path.join(tempDir(), 'demo');
  const server = await startServer(dir, {}, 'scripts/demo.ts');
  try {
    assert.match(server.output(), /demo-teacher\s+\/ demo-teacher-pass/);
    const teacher = new HttpClient(server.url);
    assert.equal(await teacher.login('demo-teacher', 'demo-teacher-pass'), 200);
    const home = await teacher.request('GET', '/');
    const page = await teacher.request('GET', `/classes/${home.body.classes[0].id}`);
    assert.equal(page.body.students.length, 8);
    assert.ok(page.body.progress.some((row: { status: string }) => row.status === 'passed'));
    const report = await teacher.request('GET', `/classes/${home.body.classes[0].id}/checkup-report`);
    assert.equal(report.body.report.suppressed, false);
    assert.ok(report.body.report.change.discernment.mean > 0);
    // The demo school has its admin, who sees the class and may export a student; no setup link is printed.
    assert.match(server.output(), /demo-admin\s+\/ demo-admin-pass/);
    assert.doesNotMatch(server.output(), /setup\?token=/);
    const admin = new HttpClient(server.url);
    assert.equal(await admin.login('demo-admin', 'demo-admin-pass'), 200);
    assert.equal((await admin.request('GET', `/classes/${home.body.classes[0].id}`)).status, 200);
    assert.equal((await admin.request('POST', `/admin/students/${page.body.students[0].id}/export`)).status, 200);
    assert.equal((await teacher.request('POST', `/admin/students/${page.body.students[0].id}/export`)).status, 403);
    const parent = new HttpClient(server.url);
    assert.equal(await parent.login('demo-parent', 'demo-parent-pass'), 200);
    assert.equal((await parent.request('GET', '/')).body.children.length, 1);
  } finally {
    server.child.kill('SIGTERM');
    await exitOf(server.child);
    rmSync(path.dirname(dir), { recursive: true, force: true });
  }
});
