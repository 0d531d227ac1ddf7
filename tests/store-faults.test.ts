// The store when the disk misbehaves: short writes, a full disk, I/O errors,
// failed compactions, damaged files and stale locks. Faults are injected with
// tests/faulty-fs.ts; every test checks what a user would notice (an answer
// acknowledged but gone, a refused one shown, a start-up on a damaged folder).
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { put, remove, Store, StoreUnavailableError, type StoreOptions, type User } from '../src/store/index.ts';
import { APPEND_DURABLY } from '../src/store/journal.ts';
import { FaultyFs } from './faulty-fs.ts';
import { tempDir } from './helpers.ts';

function user(id: string, username = id, displayName = `Name ${id}`): User {
  return { id, role: 'student', schoolId: 's1', username, displayName, passwordHash: 'x', mustChangePassword: false, createdAt: '2027-01-01T00:00:00.000Z' };
}

function filesText(dir: string): string {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => readFileSync(path.join(entry.parentPath, entry.name), 'utf8'))
    .join('\n');
}

function manifest(dir: string): { generation: number; shards?: string[] } {
  return JSON.parse(readFileSync(path.join(dir, 'manifest.json'), 'utf8'));
}

const FAST_RETRY: Pick<StoreOptions, 'retry' | 'compactRetry'> = {
  retry: { firstMs: 5, maxMs: 20 },
  compactRetry: { firstMs: 10, maxMs: 40 },
};

/** A store on a faulty file system, with its log kept for assertions. */
async function faultyStore(options: StoreOptions = {}) {
  const dir = tempDir();
  const fs = new FaultyFs();
  const log: string[] = [];
  const store = await Store.open(dir, { fs, log: (message) => log.push(message), compactBytes: Number.POSITIVE_INFINITY, ...FAST_RETRY, ...options });
  return { dir, fs, log, store };
}

async function reopened(dir: string, check: (store: Store) => void): Promise<void> {
  const store = await Store.open(dir, { log: () => {} });
  try {
    check(store);
  } finally {
    await store.close();
  }
}

async function eventually(condition: () => boolean, what: string, limitMs = 5000): Promise<void> {
  const started = Date.now();
  while (!condition()) {
    if (Date.now() - started > limitMs) assert.fail(`${what} did not happen within ${limitMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

const settled = (promise: Promise<unknown>) => promise.then(() => 'resolved', (error: Error) => error);

describe('journal writes on a misbehaving disk', () => {
  test('writes the disk cuts short are finished before they are acknowledged', async () => {
    const { dir, fs, store } = await faultyStore();
    fs.shortWrites(7);
    await Promise.all(Array.from({ length: 30 }, (_, i) => store.commit([put('users', user(`short${i}`))])));
    await store.close();
    await reopened(dir, (again) => {
      for (let i = 0; i < 30; i++) assert.ok(again.get('users', `short${i}`), `acknowledged short${i} is on disk`);
    });
    rmSync(dir, { recursive: true });
  });

  test('a disk that fills up mid-batch refuses exactly that batch, and reads never show it', async () => {
    const { dir, fs, store } = await faultyStore();
    await store.commit([put('users', user('before'))]);
    fs.diskFullAfter(100); // less than the batch below: it is cut off part-way
    const results = await Promise.all(
      ['full1', 'full2', 'full3'].map((id) => settled(store.commit([put('users', user(id)), put('memberships', { id: `c1:${id}`, classId: 'c1', studentId: id, joinedAt: 'x' })]))),
    );
    for (const result of results) {
      assert.ok(result instanceof StoreUnavailableError, 'the write is refused');
      assert.equal(result.status, 503);
    }
    for (const id of ['full1', 'full2', 'full3']) {
      assert.equal(store.get('users', id), undefined, `${id} is not shown after the disk refused it`);
      assert.equal(store.find('users', 'username', id).length, 0);
    }
    assert.equal(store.find('memberships', 'classId', 'c1').length, 0, 'indexes are rolled back too');
    assert.equal(store.count('users'), 1);
    const journal = readFileSync(path.join(dir, 'journal-0.jsonl'), 'utf8');
    assert.ok(journal.endsWith('\n') && !journal.includes('full'), 'the cut-off bytes are removed from the journal');
    await store.close();
    await reopened(dir, (again) => {
      assert.ok(again.get('users', 'before'));
      assert.equal(again.count('users'), 1, 'nothing refused comes back after a restart');
    });
    rmSync(dir, { recursive: true });
  });

  test('writing resumes by itself once space is freed, without a restart; failure and recovery are logged once', async () => {
    const { dir, fs, store, log } = await faultyStore();
    await store.commit([put('users', user('first'))]);
    fs.diskFullAfter(0);
    for (let i = 0; i < 20; i++) {
      assert.ok((await settled(store.commit([put('users', user(`refused${i}`))]))) instanceof StoreUnavailableError);
    }
    const health = store.health();
    assert.equal(health.ok, false);
    assert.match(health.ok ? '' : health.reason, /ENOSPC/);
    fs.heal();
    await eventually(() => store.health().ok, 'health turning good without any write');
    await store.commit([put('users', user('after'))]);
    assert.ok(store.get('users', 'after'));
    assert.equal(log.filter((line) => /failing/.test(line)).length, 1, `one failure line: ${log.join(' | ')}`);
    assert.equal(log.filter((line) => /work again/.test(line)).length, 1, `one recovery line: ${log.join(' | ')}`);
    await store.close();
    await reopened(dir, (again) => {
      assert.ok(again.get('users', 'first'));
      assert.ok(again.get('users', 'after'));
      assert.equal(again.count('users'), 2);
    });
    rmSync(dir, { recursive: true });
  });

  test('a commit is acknowledged only once its journal write is synced (O_DSYNC on Linux, else fdatasync)', async () => {
    const { dir, fs, store } = await faultyStore();
    if (process.platform === 'linux') assert.notEqual(APPEND_DURABLY, null, 'journal writes sync themselves');
    const gate = fs.hold('datasync', 'journal-');
    let acknowledged = false;
    const commit = store.commit([put('users', user('a'))]).then(() => (acknowledged = true));
    const timeout = new Promise((_, reject) => setTimeout(() => reject(new Error('the journal write was never synced')), 5000).unref());
    await Promise.race([gate.reached, timeout]);
    await new Promise((resolve) => setTimeout(resolve, 20));
    assert.equal(acknowledged, false, 'not acknowledged while the sync is under way');
    gate.release();
    await commit;
    assert.equal(acknowledged, true);
    await store.close();
    await reopened(dir, (again) => assert.ok(again.get('users', 'a')));
    rmSync(dir, { recursive: true });
  });

  test('an I/O error on fdatasync refuses the batch; the next write lands and the journal holds no trace of the refused one', async () => {
    const { dir, fs, store } = await faultyStore();
    await store.commit([put('users', user('ok1'))]);
    fs.fail('datasync', 'journal-', 'EIO', 1);
    assert.ok((await settled(store.commit([put('users', user('eio'))]))) instanceof StoreUnavailableError);
    assert.equal(store.get('users', 'eio'), undefined);
    await eventually(() => store.health().ok, 'recovery');
    await store.commit([put('users', user('ok2'))]);
    await store.close();
    const lines = readFileSync(path.join(dir, 'journal-0.jsonl'), 'utf8').trim().split('\n');
    assert.deepEqual(lines.map((line) => JSON.parse(line).id), ['ok1', 'ok2']);
    rmSync(dir, { recursive: true });
  });

  test('a commit of several changes is one journal line, so a crash mid-write keeps all of it or none', async () => {
    const dir = tempDir();
    const store = await Store.open(dir);
    await store.commit([put('users', user('kept'))]);
    await store.commit([remove('users', 'kept'), put('users', user('a')), put('users', user('b'))]);
    await store.close();
    const file = path.join(dir, 'journal-0.jsonl');
    const text = readFileSync(file, 'utf8');
    assert.equal(text.trim().split('\n').length, 2);
    writeFileSync(file, text.slice(0, -6)); // the process died while writing the second commit
    await reopened(dir, (again) => {
      assert.ok(again.get('users', 'kept'), 'the half-written commit took nothing with it');
      assert.equal(again.get('users', 'a'), undefined);
      assert.equal(again.get('users', 'b'), undefined);
    });
    rmSync(dir, { recursive: true });
  });

  test('changes made on top of a refused batch are refused with it, and memory is back to what the disk holds', async () => {
    const { dir, fs, store } = await faultyStore();
    await store.commit([put('users', user('u', 'v1'))]);
    const gate = fs.hold('datasync', 'journal-');
    const first = settled(store.commit([put('users', user('u', 'v2'))]));
    await gate.reached;
    const second = settled(store.commit([put('users', user('u', 'v3'))])); // queued behind the first
    assert.equal(store.get('users', 'u')?.username, 'v3', 'reads see a change at once');
    fs.fail('datasync', 'journal-', 'EIO', 1);
    gate.release();
    assert.ok((await first) instanceof StoreUnavailableError);
    assert.ok((await second) instanceof StoreUnavailableError);
    assert.equal(store.get('users', 'u')?.username, 'v1');
    assert.equal(store.find('users', 'username', 'v1').length, 1);
    assert.equal(store.find('users', 'username', 'v3').length, 0);
    await store.close();
    await reopened(dir, (again) => assert.equal(again.get('users', 'u')?.username, 'v1'));
    rmSync(dir, { recursive: true });
  });
});

describe('compaction on a misbehaving disk', () => {
  test('after a failed compaction, the next one writes every shard the failed one did not, and nothing is lost', async () => {
    const { dir, fs, store } = await faultyStore();
    for (let i = 0; i < 40; i++) await store.commit([put('users', user(`old${i}`))]);
    await store.compact();
    for (let i = 0; i < 40; i++) await store.commit([put('users', user(`new${i}`))]);
    const before = manifest(dir);
    fs.fail('sync', /shards[/\\]users-/, 'ENOSPC', 1, 2); // the third shard file does not fit
    await assert.rejects(store.compact(), StoreUnavailableError);
    assert.deepEqual(manifest(dir), before, 'the manifest is as it was');
    assert.ok(existsSync(path.join(dir, `journal-${before.generation}.jsonl`)), 'the journal with the changes is kept');
    // A later change elsewhere, then a compaction that succeeds: it must still write the users' shards.
    await store.commit([put('classes', { id: 'k1', schoolId: 's1', teacherId: 'old0', name: 'Year 9', joinCode: 'ABC123', createdAt: 'x' })]);
    await store.compact();
    await store.close();
    await reopened(dir, (again) => {
      for (let i = 0; i < 40; i++) assert.ok(again.get('users', `new${i}`), `new${i} survived`);
      assert.ok(again.get('classes', 'k1'));
      assert.equal(again.count('users'), 80);
    });
    rmSync(dir, { recursive: true });
  });

  test('a compaction that fails is tried again by itself', async () => {
    const { dir, fs, store, log } = await faultyStore();
    await store.commit([put('users', user('a'))]);
    fs.fail('rename', 'manifest.json', 'EIO', 1);
    await assert.rejects(store.compact());
    assert.ok(!existsSync(path.join(dir, 'manifest.json')));
    assert.ok(existsSync(path.join(dir, 'journal-0.jsonl')), 'the journal is deleted only after the manifest is written');
    await eventually(() => existsSync(path.join(dir, 'manifest.json')), 'a retried compaction');
    await eventually(() => !existsSync(path.join(dir, 'journal-0.jsonl')), 'the folded journal being deleted');
    assert.equal(log.filter((line) => /Compaction failed/.test(line)).length, 1);
    await store.close();
    await reopened(dir, (again) => assert.ok(again.get('users', 'a')));
    rmSync(dir, { recursive: true });
  });

  test('an erasure committed while a compaction runs is in no file once compact() resolves', async () => {
    const { dir, fs, store } = await faultyStore();
    await store.commit([put('users', user('keep', 'keeper'))]);
    await store.commit([put('users', user('gone', 'secret-name-XYZ', 'Unique Display QQQ'))]);
    await store.compact();
    await store.commit([put('users', user('gone', 'secret-name-XYZ', 'Unique Display QQQ'))]);
    const gate = fs.hold('write', /shards[/\\]users-/);
    const running = store.compact();
    await gate.reached; // that compaction has taken its copy of the student's shard and is writing it
    await store.commit([remove('users', 'gone')]);
    const erased = store.compact();
    gate.release();
    await running;
    await erased;
    const text = filesText(dir);
    assert.doesNotMatch(text, /secret-name-XYZ/);
    assert.doesNotMatch(text, /Unique Display QQQ/);
    assert.match(text, /keeper/);
    await store.close();
    rmSync(dir, { recursive: true });
  });

  test('a shard never holds a change the disk refused', async () => {
    const { dir, fs, store } = await faultyStore();
    await store.commit([put('users', user('u', 'durable-name'))]);
    await store.compact();
    await store.commit([put('classes', { id: 'k1', schoolId: 's1', teacherId: 'u', name: 'Year 9', joinCode: 'ABC123', createdAt: 'x' })]);
    await store.commit([put('users', user('u', 'durable-name-2'))]);
    const shardGate = fs.hold('write', /shards[/\\]classes-/); // holds the compaction before it takes the users' shard
    const compaction = store.compact();
    await shardGate.reached;
    const journalGate = fs.hold('datasync', 'journal-');
    const refused = settled(store.commit([put('users', user('u', 'REFUSED-NAME'))]));
    await journalGate.reached;
    shardGate.release();
    await compaction; // writes the users' shard while the change above is still on its way to disk
    fs.fail('datasync', 'journal-', 'ENOSPC', 1);
    journalGate.release();
    assert.ok((await refused) instanceof StoreUnavailableError);
    assert.doesNotMatch(filesText(dir), /REFUSED-NAME/);
    assert.equal(store.get('users', 'u')?.username, 'durable-name-2');
    await store.close();
    await reopened(dir, (again) => assert.equal(again.get('users', 'u')?.username, 'durable-name-2'));
    rmSync(dir, { recursive: true });
  });

  test('temp files left by a crash during a write are removed at start-up', async () => {
    const dir = tempDir();
    const store = await Store.open(dir);
    await store.commit([put('users', user('a'))]);
    await store.compact();
    await store.close();
    writeFileSync(path.join(dir, 'shards', 'users-3.json.4242.abc123.tmp'), '{"fields":["id","username"],"rows":[["x","erased-student-XYZ"]]}');
    writeFileSync(path.join(dir, 'manifest.json.4242.def456.tmp'), '{"version":2,"generation":9,"shards":[]}');
    await reopened(dir, () => {});
    assert.doesNotMatch(filesText(dir), /erased-student-XYZ/);
    assert.deepEqual(
      readdirSync(dir, { recursive: true }).filter((name) => String(name).endsWith('.tmp')),
      [],
    );
    rmSync(dir, { recursive: true });
  });
});

describe('start-up on a damaged data folder', () => {
  async function compactedFolder(): Promise<{ dir: string; shard: string }> {
    const dir = tempDir();
    const store = await Store.open(dir);
    for (let i = 0; i < 20; i++) await store.commit([put('users', user(`d${i}`))]);
    await store.compact();
    await store.close();
    const shard = readdirSync(path.join(dir, 'shards')).find((name) => name.startsWith('users-'))!;
    return { dir, shard: path.join(dir, 'shards', shard) };
  }

  test('a shard the manifest lists but that is missing stops start-up, naming the file', async () => {
    const { dir, shard } = await compactedFolder();
    rmSync(shard);
    await assert.rejects(Store.open(dir), (error: Error) => error.message.includes(shard) && /missing/.test(error.message));
    rmSync(dir, { recursive: true });
  });

  test('a shard holding null stops start-up, naming the file', async () => {
    const { dir, shard } = await compactedFolder();
    writeFileSync(shard, 'null');
    await assert.rejects(Store.open(dir), (error: Error) => error.message.includes(shard));
    rmSync(dir, { recursive: true });
  });

  test('a shard of the wrong shape stops start-up, naming the file', async () => {
    const { dir, shard } = await compactedFolder();
    for (const text of ['{"fields":"id","rows":[]}', '{"fields":["id"],"rows":[["a","extra"]]}', '[1,2,3]']) {
      writeFileSync(shard, text);
      await assert.rejects(Store.open(dir), (error: Error) => error.message.includes(shard), text);
    }
    rmSync(dir, { recursive: true });
  });

  test('a manifest generation that does not match the journals stops start-up and deletes nothing', async () => {
    const { dir } = await compactedFolder();
    const journals = readdirSync(dir).filter((name) => name.endsWith('.jsonl'));
    writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify({ ...manifest(dir), generation: 7 }));
    await assert.rejects(Store.open(dir), /generation 7.*journal-7\.jsonl is missing/);
    assert.deepEqual(readdirSync(dir).filter((name) => name.endsWith('.jsonl')), journals, 'no journal was deleted');
    rmSync(dir, { recursive: true });
  });
});

describe('the lock on a data folder', () => {
  test('a lock naming a live process that started after the lock was written is stale (a reused pid)', async () => {
    const dir = tempDir();
    // The parent process is alive, but it did not write a lock dated long before it started.
    writeFileSync(path.join(dir, 'LOCK'), String(process.ppid));
    utimesSync(path.join(dir, 'LOCK'), new Date('2020-01-01'), new Date('2020-01-01'));
    const store = await Store.open(dir);
    await store.close();
    rmSync(dir, { recursive: true });
  });

  test('a lock naming a live pid with another start time is stale (pid 1 after a container restart)', async () => {
    const dir = tempDir();
    writeFileSync(path.join(dir, 'LOCK'), JSON.stringify({ pid: process.ppid, token: 'x', processStart: 1, bootId: 'some-earlier-boot' }));
    const store = await Store.open(dir);
    const lock = JSON.parse(readFileSync(path.join(dir, 'LOCK'), 'utf8'));
    assert.equal(lock.pid, process.pid);
    assert.match(lock.token, /^[0-9a-f]{32}$/);
    await store.close();
    rmSync(dir, { recursive: true });
  });

  test('a folder open in this process cannot be opened a second time', async () => {
    const dir = tempDir();
    const store = await Store.open(dir);
    await assert.rejects(Store.open(dir), /in use by another FrameCheck server/);
    await store.close();
    const again = await Store.open(dir);
    await again.close();
    rmSync(dir, { recursive: true });
  });
});
