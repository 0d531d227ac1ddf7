// Loading the shard files at start-up takes a fast path (records built a
// shard at a time, indexes filled in bulk, short id lists instead of Sets).
// Whatever path a record takes, a reopened store must read, find and check
// exactly what was committed.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { put, remove, Store, type Attempt, type User } from '../src/store/index.ts';
import { EmbeddedBackend } from '../src/store/embedded.ts';
import { StoreConflict, put as change } from '../src/store/backend.ts';
import { FieldIndex, LIST_LIMIT } from '../src/store/field-index.ts';
import { shardIndex } from '../src/store/engine.ts';
import { tempDir } from './helpers.ts';

function user(id: string, username = id, displayName = `Name ${id}`): User {
  return { id, role: 'student', schoolId: 'school1', username, displayName, passwordHash: 'x', mustChangePassword: false, createdAt: '2027-01-01T00:00:00.000Z' };
}

function attempt(id: string, studentId: string, lessonId: string, percent: number): Attempt {
  return { id, studentId, lessonId, at: '2027-01-02T10:00:00.000Z', score: percent / 10, max: 10, percent, passed: percent >= 60, answers: 'abc:0|1' };
}

/** Commits, folds the journal into the shard files and closes: the next open reads only shards. */
async function inShards(dir: string, commits: Parameters<Store['commit']>[0][]): Promise<void> {
  const store = await Store.open(dir);
  for (const changes of commits) await store.commit(changes);
  await store.compact();
  await store.close();
}

function shardFile(dir: string, collection: string, id: string, count: number): string {
  return path.join(dir, 'shards', `${collection}-${shardIndex(id, count)}.json`);
}

describe('loading the shard files', () => {
  test('records come back from the shards equal to what was committed, field order included', async () => {
    const dir = tempDir();
    const records = [user('u1', 'Ada'), user('u2', 'Zoë', 'Zoë 🦊 Ñandú'), user('u3', 'Bob')];
    await inShards(dir, [records.map((record) => put('users', record)), [put('attempts', attempt('a1', 'u1', 'the-brand', 80))]]);
    const store = await Store.open(dir);
    try {
      for (const record of records) {
        assert.deepEqual(store.get('users', record.id), record);
        assert.deepEqual(Object.keys(store.get('users', record.id)!), Object.keys(record));
      }
      assert.equal(store.get('users', 'u2')?.displayName, 'Zoë 🦊 Ñandú', 'text beyond ASCII is read as UTF-8');
      assert.deepEqual(store.get('attempts', 'a1'), attempt('a1', 'u1', 'the-brand', 80));
      assert.equal(store.count('users'), 3);
    } finally {
      await store.close();
      rmSync(dir, { recursive: true });
    }
  });

  test('indexes built while loading find the same records as indexes kept while committing, across updates and deletions', async () => {
    const dir = tempDir();
    const many = Array.from({ length: LIST_LIMIT + 20 }, (_, i) => attempt(`a${i}`, 'busy', i % 2 ? 'the-brand' : 'fake-volume', i));
    await inShards(dir, [
      many.map((record) => put('attempts', record)),
      [put('attempts', attempt('b1', 'quiet', 'the-brand', 50)), put('users', user('u1', 'MixedCase'))],
    ]);
    const store = await Store.open(dir);
    try {
      assert.deepEqual(
        store.find('attempts', 'studentId', 'busy').map((record) => record.id).sort(),
        many.map((record) => record.id).sort(),
      );
      assert.deepEqual(store.find('attempts', 'studentId', 'quiet').map((record) => record.id), ['b1']);
      assert.equal(store.find('users', 'username', 'mixedcase')[0]?.id, 'u1', 'usernames are found without regard to case');
      // Changes after loading keep the loaded indexes right.
      await store.commit([remove('attempts', 'a3'), put('attempts', { ...attempt('a4', 'quiet', 'the-brand', 90) })]);
      await store.commit([put('users', user('u1', 'Renamed'))]);
      const busy = store.find('attempts', 'studentId', 'busy').map((record) => record.id);
      assert.equal(busy.length, many.length - 2);
      assert.ok(!busy.includes('a3') && !busy.includes('a4'));
      assert.deepEqual(store.find('attempts', 'studentId', 'quiet').map((record) => record.id).sort(), ['a4', 'b1']);
      assert.equal(store.find('users', 'username', 'mixedcase').length, 0);
      assert.equal(store.find('users', 'username', 'RENAMED')[0]?.id, 'u1');
    } finally {
      await store.close();
      rmSync(dir, { recursive: true });
    }
  });

  test('unique keys loaded from the shards still refuse a second owner', async () => {
    const dir = tempDir();
    await inShards(dir, [[put('users', user('u1', 'Taken'))]]);
    const backend = await EmbeddedBackend.open(dir);
    try {
      await assert.rejects(backend.commit([change('users', user('u2', 'TAKEN'))]), StoreConflict);
      await backend.commit([change('users', user('u1', 'Free-again'))]);
      await backend.commit([change('users', user('u2', 'taken'))]);
      assert.equal((await backend.find('users', 'username', 'TAKEN'))[0]?.id, 'u2');
    } finally {
      await backend.close();
      rmSync(dir, { recursive: true });
    }
  });

  test('a shard holding records of different fields names each field once, in the order first seen, and loads them all', async () => {
    const dir = tempDir();
    // One shard file for the collection, so all three records share it.
    const first = { id: 'q1', questions: ['a'] };
    const second = { id: 'q2', extra: 'only here', questions: ['b'] };
    const third = Object.assign(Object.create({ inherited: 'not a field' }), { id: 'q3', questions: ['c'] });
    await inShards(dir, [[{ c: 'quizShapes', id: 'q1', v: first }, { c: 'quizShapes', id: 'q2', v: second }, { c: 'quizShapes', id: 'q3', v: third }]]);
    const doc = JSON.parse(readFileSync(path.join(dir, 'shards', 'quizShapes-0.json'), 'utf8')) as { fields: string[]; rows: unknown[][] };
    assert.deepEqual(doc.fields, ['id', 'questions', 'extra']);
    assert.equal(doc.rows.length, 3);
    const store = await Store.open(dir);
    try {
      assert.deepEqual(store.get('quizShapes', 'q1'), { id: 'q1', questions: ['a'], extra: null }, 'a field a record lacks is stored as null');
      assert.deepEqual(store.get('quizShapes', 'q2'), { id: 'q2', questions: ['b'], extra: 'only here' });
      assert.deepEqual(store.get('quizShapes', 'q3'), { id: 'q3', questions: ['c'], extra: null });
    } finally {
      await store.close();
      rmSync(dir, { recursive: true });
    }
  });

  test('an id written twice in one shard file keeps its last record, found once', async () => {
    const dir = tempDir();
    await inShards(dir, [[put('attempts', attempt('a1', 's1', 'the-brand', 40))]]);
    const file = shardFile(dir, 'attempts', 'a1', 64);
    const doc = JSON.parse(readFileSync(file, 'utf8')) as { fields: string[]; rows: unknown[][] };
    const later = doc.fields.map((field) => (attempt('a1', 's2', 'the-brand', 90) as unknown as Record<string, unknown>)[field]);
    writeFileSync(file, JSON.stringify({ fields: doc.fields, rows: [...doc.rows, later] }));
    const store = await Store.open(dir);
    try {
      assert.equal(store.get('attempts', 'a1')?.percent, 90);
      assert.equal(store.count('attempts'), 1);
      assert.deepEqual(store.find('attempts', 'studentId', 's2').map((record) => record.id), ['a1']);
      assert.deepEqual(store.find('attempts', 'studentId', 's1'), [], 'the replaced record is not in the index');
    } finally {
      await store.close();
      rmSync(dir, { recursive: true });
    }
  });

  test('shard files named for another spread of the collection still load every record where reads find it', async () => {
    const dir = tempDir();
    const users = Array.from({ length: 40 }, (_, i) => user(`u${i}`));
    await inShards(dir, [users.map((record) => put('users', record))]);
    // As if written when users were spread over 4 files: every record in files 0-3, and one in a file past the end.
    const shards = path.join(dir, 'shards');
    const rows = new Map<number, unknown[][]>();
    let fields: string[] = [];
    for (const record of users) {
      const file = shardFile(dir, 'users', record.id, 16);
      const doc = JSON.parse(readFileSync(file, 'utf8')) as { fields: string[]; rows: unknown[][] };
      fields = doc.fields;
      const row = doc.rows.find((candidate) => candidate[doc.fields.indexOf('id')] === record.id)!;
      const to = record.id === 'u7' ? 20 : shardIndex(record.id, 4);
      rows.set(to, [...(rows.get(to) ?? []), row]);
    }
    for (let i = 0; i < 16; i++) rmSync(path.join(shards, `users-${i}.json`), { force: true });
    for (const [index, list] of rows) writeFileSync(path.join(shards, `users-${index}.json`), JSON.stringify({ fields, rows: list }));
    const manifest = JSON.parse(readFileSync(path.join(dir, 'manifest.json'), 'utf8')) as { shards: string[] };
    manifest.shards = manifest.shards.filter((name) => !name.startsWith('users-')).concat([...rows.keys()].map((index) => `users-${index}`));
    writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify(manifest));
    const store = await Store.open(dir);
    try {
      for (const record of users) {
        assert.deepEqual(store.get('users', record.id), record, record.id);
        assert.equal(store.find('users', 'username', record.username)[0]?.id, record.id);
      }
      assert.equal(store.find('users', 'schoolId', 'school1').length, users.length);
    } finally {
      await store.close();
      rmSync(dir, { recursive: true });
    }
  });

  test('a shard file that is not a shard still stops the load with its name', async () => {
    const dir = tempDir();
    await inShards(dir, [[put('users', user('u1'))]]);
    const file = shardFile(dir, 'users', 'u1', 16);
    renameSync(file, `${file}.bak`);
    writeFileSync(file, JSON.stringify({ fields: ['id'], rows: [['u1', 'extra']] }));
    await assert.rejects(Store.open(dir), new RegExp(`${path.basename(file)} is not a FrameCheck shard: row 1 does not have one value per field`));
    rmSync(dir, { recursive: true });
  });
});

describe('FieldIndex', () => {
  test('keeps ids in the order they came, through the switch from a list to a Set', () => {
    const index = new FieldIndex();
    const ids = Array.from({ length: LIST_LIMIT + 5 }, (_, i) => `id${i}`);
    for (const id of ids) index.add('k', id);
    index.add('other', 'x');
    assert.deepEqual([...index.ids('k')], ids);
    index.remove('k', 'id3');
    index.add('k', 'id3');
    assert.deepEqual([...index.ids('k')], [...ids.filter((id) => id !== 'id3'), 'id3']);
    for (const id of ids) index.remove('k', id);
    assert.deepEqual([...index.ids('k')], []);
    assert.equal(index.sharedKey('k'), undefined, 'a value no record holds is forgotten');
    assert.deepEqual([...index.ids('other')], ['x']);
  });

  test('hands out the first copy of a value, so records can share it', () => {
    const index = new FieldIndex();
    const first = ['student', '-1'].join('');
    assert.equal(index.add(first, 'a'), first);
    assert.equal(index.add(`student-${1}`, 'b'), 'student-1');
    assert.equal(index.sharedKey('student-1'), 'student-1');
    index.remove('student-1', 'a');
    index.remove('student-1', 'nobody');
    assert.deepEqual([...index.ids('student-1')], ['b']);
  });
});
