import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { put, Store, type User } from '../src/store/index.ts';
import { backupDataDir } from '../src/store/backup.ts';
import { ROOT, tempDir } from './helpers.ts';

function user(id: string): User {
  return { id, role: 'student', schoolId: 's1', username: id, displayName: id, passwordHash: 'x', mustChangePassword: false, createdAt: '2027-01-01T00:00:00.000Z' };
}

test('a backup taken during writes and compactions holds every write acknowledged before it began', async () => {
  const dir = tempDir();
  const store = await Store.open(dir, { compactBytes: 4000 });
  for (let i = 0; i < 200; i++) await store.commit([put('users', user(`before-${i}`))]);
  let writing = true;
  const writer = (async () => {
    for (let i = 0; writing; i++) await store.commit([put('users', user(`during-${i}`))]);
  })();
  const destination = path.join(tempDir(), 'copy');
  const result = await backupDataDir(dir, destination);
  writing = false;
  await writer;
  await store.close();
  const copy = await Store.open(destination);
  for (let i = 0; i < 200; i++) assert.ok(copy.get('users', `before-${i}`), `before-${i} is in the backup`);
  assert.equal(result.records.users, copy.count('users'));
  await copy.close();
  await assert.rejects(backupDataDir(dir, destination), /not empty/);
  rmSync(dir, { recursive: true });
  rmSync(path.dirname(destination), { recursive: true });
});

test('npm run backup copies a data folder from the command line', () => {
  const dir = tempDir();
  const destination = path.join(tempDir(), 'cli-copy');
  const output = execFileSync(process.execPath, ['--import', 'tsx', 'scripts/backup.ts', destination], { cwd: ROOT, env: { ...process.env, DATA_DIR: dir }, encoding: 'utf8' });
  assert.match(output, /Backed up/);
  rmSync(dir, { recursive: true });
  rmSync(path.dirname(destination), { recursive: true });
});
