// npm run migrate-store: an embedded school copied into PostgreSQL, counted, and refused into a non-empty target.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { catalog, dropSchema, STORE, tempDir } from './helpers.ts';
import { generate } from '../scripts/generate.ts';
import { migrateStore } from '../scripts/migrate-store.ts';
import { EmbeddedBackend } from '../src/store/embedded.ts';
import { PostgresBackend } from '../src/store/postgres/backend.ts';

test('an embedded school is copied into PostgreSQL with every count checked', { skip: STORE.kind !== 'postgres' && 'needs FRAMECHECK_STORE=postgres and DATABASE_URL' }, async () => {
  const url = (STORE as { url: string }).url;
  const dir = tempDir();
  const schema = `mig_${randomBytes(5).toString('hex')}`;
  try {
    const source = await EmbeddedBackend.open(dir);
    const generated = await generate(source, catalog(), { classes: 3, studentsPerClass: 12, attemptsPerStudent: 4 });
    const someAttempt = (await source.find('attempts', 'studentId', 's1-3'))[0];
    await source.close();
    const lines: string[] = [];
    const report = await migrateStore(dir, url, schema, (line) => lines.push(line));
    assert.equal(report.find((row) => row.collection === 'attempts')?.to, generated.attempts);
    assert.equal(report.find((row) => row.collection === 'users')?.to, generated.students.length + generated.teachers.length + generated.admins.length);
    assert.ok(report.every((row) => row.from === row.to));
    const target = await PostgresBackend.open({ url, schema });
    try {
      assert.deepEqual(await target.get('attempts', someAttempt.id), someAttempt);
      assert.equal((await target.find('users', 'username', 'STUDENT1-3'))[0].id, 's1-3');
    } finally {
      await target.close();
    }
    await assert.rejects(migrateStore(dir, url, schema, () => {}), /only into an empty database/);
  } finally {
    await dropSchema(schema);
    rmSync(dir, { recursive: true, force: true });
  }
});
