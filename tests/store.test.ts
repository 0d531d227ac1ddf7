import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { put, remove, Store, type User } from '../src/store/index.ts';
import { readJournal } from '../src/store/journal.ts';
import { tempDir } from './helpers.ts';

function user(id: string, username = id): User {
  return { id, role: 'student', schoolId: 's1', username, displayName: `Name ${id}`, passwordHash: 'x', mustChangePassword: false, createdAt: '2027-01-01T00:00:00.000Z' };
}

function filesText(dir: string): string {
  const out: string[] = [];
  const walk = (folder: string) => {
    for (const entry of readdirSync(folder, { withFileTypes: true })) {
      const full = path.join(folder, entry.name);
      if (entry.isDirectory()) walk(full);
      else out.push(readFileSync(full, 'utf8'));
    }
  };
  walk(dir);
  return out.join('\n');
}

describe('store', () => {
  test('a committed record is read at once and again after reopening', async () => {
    const dir = tempDir();
    const store = await Store.open(dir);
    await store.commit([put('users', user('u1', 'Alice'))]);
    assert.equal(store.get('users', 'u1')?.username, 'Alice');
    assert.equal(store.find('users', 'username', 'ALICE')[0]?.id, 'u1', 'index lookups ignore case');
    await store.close();
    const again = await Store.open(dir);
    assert.equal(again.get('users', 'u1')?.displayName, 'Name u1');
    await again.close();
    rmSync(dir, { recursive: true });
  });

  test('indexes follow updates and deletions', async () => {
    const dir = tempDir();
    const store = await Store.open(dir);
    await store.commit([put('memberships', { id: 'c1:s1', classId: 'c1', studentId: 's1', joinedAt: 'x' })]);
    await store.commit([put('memberships', { id: 'c1:s2', classId: 'c1', studentId: 's2', joinedAt: 'x' })]);
    assert.equal(store.find('memberships', 'classId', 'c1').length, 2);
    await store.commit([remove('memberships', 'c1:s1')]);
    assert.deepEqual(store.find('memberships', 'classId', 'c1').map((m) => m.studentId), ['s2']);
    await store.commit([put('users', user('u2', 'before'))]);
    await store.commit([put('users', user('u2', 'after'))]);
    assert.equal(store.find('users', 'username', 'before').length, 0);
    assert.equal(store.find('users', 'username', 'after').length, 1);
    await store.close();
    rmSync(dir, { recursive: true });
  });

  test('many concurrent commits all resolve and all survive a reopen (group commit)', async () => {
    const dir = tempDir();
    const store = await Store.open(dir);
    await Promise.all(Array.from({ length: 500 }, (_, i) => store.commit([put('users', user(`g${i}`))])));
    await store.close();
    const again = await Store.open(dir);
    assert.equal(again.count('users'), 500);
    await again.close();
    rmSync(dir, { recursive: true });
  });

  test('compaction folds the journal into lowdb shards and keeps every record', async () => {
    const dir = tempDir();
    const store = await Store.open(dir);
    for (let i = 0; i < 50; i++) await store.commit([put('users', user(`c${i}`))]);
    await store.commit([remove('users', 'c7')]);
    await store.compact();
    assert.ok(!existsSync(path.join(dir, 'journal-0.jsonl')), 'the folded journal is deleted');
    assert.ok(readdirSync(path.join(dir, 'shards')).some((name) => name.startsWith('users-')));
    await store.commit([put('users', user('after-compaction'))]);
    await store.close();
    const again = await Store.open(dir);
    assert.equal(again.count('users'), 50);
    assert.equal(again.get('users', 'c7'), undefined);
    assert.ok(again.get('users', 'after-compaction'));
    await again.close();
    rmSync(dir, { recursive: true });
  });

  test('compaction starts by itself once the journal passes its size limit', async () => {
    const dir = tempDir();
    const store = await Store.open(dir, { compactBytes: 2000 });
    for (let i = 0; i < 40; i++) await store.commit([put('users', user(`auto${i}`))]);
    await store.compact();
    const manifest = JSON.parse(readFileSync(path.join(dir, 'manifest.json'), 'utf8'));
    assert.ok(manifest.generation >= 1);
    await store.close();
    const again = await Store.open(dir);
    assert.equal(again.count('users'), 40);
    await again.close();
    rmSync(dir, { recursive: true });
  });

  test('a deleted record leaves no trace in any file after the next compaction', async () => {
    const dir = tempDir();
    const store = await Store.open(dir);
    await store.commit([put('users', user('keep', 'keeper'))]);
    await store.commit([put('users', { ...user('gone', 'secret-name-XYZ'), displayName: 'Unique Display QQQ' })]);
    await store.compact();
    await store.commit([remove('users', 'gone')]);
    assert.match(filesText(dir), /secret-name-XYZ/);
    await store.compact();
    const text = filesText(dir);
    assert.doesNotMatch(text, /secret-name-XYZ/);
    assert.doesNotMatch(text, /Unique Display QQQ/);
    assert.match(text, /keeper/);
    await store.close();
    rmSync(dir, { recursive: true });
  });

  test('a torn last journal line is ignored, the rest loads, and later writes start clean', async () => {
    const dir = tempDir();
    const store = await Store.open(dir);
    await store.commit([put('users', user('whole1'))]);
    await store.commit([put('users', user('whole2'))]);
    await store.close();
    appendFileSync(path.join(dir, 'journal-0.jsonl'), '{"c":"users","id":"torn","v":{"id":"to');
    const again = await Store.open(dir);
    assert.ok(again.get('users', 'whole1'));
    assert.ok(again.get('users', 'whole2'));
    assert.equal(again.get('users', 'torn'), undefined);
    await again.commit([put('users', user('whole3'))]);
    await again.close();
    const changes = await readJournal(path.join(dir, 'journal-0.jsonl'));
    assert.deepEqual(changes.map((change) => change.id), ['whole1', 'whole2', 'whole3']);
    rmSync(dir, { recursive: true });
  });

  test('damage in the middle of a journal stops the load with the line number', async () => {
    const dir = tempDir();
    writeFileSync(path.join(dir, 'journal-0.jsonl'), '{"c":"users","id":"a","v":{"id":"a"}}\nnot json\n{"c":"users","id":"b","v":{"id":"b"}}\n');
    await assert.rejects(Store.open(dir), /journal-0\.jsonl, line 2/);
    rmSync(dir, { recursive: true });
  });

  test('a journal already folded by an interrupted compaction is not replayed twice', async () => {
    const dir = tempDir();
    const store = await Store.open(dir);
    await store.commit([put('users', user('x1'))]);
    await store.compact();
    await store.close();
    // As if the compaction had stopped after writing the manifest, before deleting the old journal:
    writeFileSync(path.join(dir, 'journal-0.jsonl'), `${JSON.stringify({ c: 'users', id: 'x1' })}\n`);
    const again = await Store.open(dir);
    assert.ok(again.get('users', 'x1'), 'the stale deletion in the old journal is not applied');
    assert.ok(!existsSync(path.join(dir, 'journal-0.jsonl')));
    await again.close();
    rmSync(dir, { recursive: true });
  });

  test('a lock left by a dead process is taken over', async () => {
    const dir = tempDir();
    writeFileSync(path.join(dir, 'LOCK'), '999999');
    const store = await Store.open(dir);
    assert.equal(JSON.parse(readFileSync(path.join(dir, 'LOCK'), 'utf8')).pid, process.pid);
    await store.close();
    assert.ok(!existsSync(path.join(dir, 'LOCK')), 'a clean close releases the lock');
    rmSync(dir, { recursive: true });
  });
});
