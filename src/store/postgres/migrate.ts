// Applies the SQL files in migrations/ in name order, each once, under an
// advisory lock: several instances starting together migrate exactly once.
import { readdir, readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type pg from 'pg';

const MIGRATIONS = fileURLToPath(new URL('./migrations/', import.meta.url));

export async function migrate(client: pg.ClientBase, schema: string): Promise<string[]> {
  const lock = `framecheck-migrations:${schema}`;
  await client.query('select pg_advisory_lock(hashtext($1))', [lock]);
  try {
    await client.query(`create schema if not exists ${quoteIdent(schema)}`);
    await client.query(`set search_path to ${quoteIdent(schema)}`);
    await client.query('create table if not exists schema_migrations (name text primary key, applied_at timestamptz not null default now())');
    const done = new Set((await client.query<{ name: string }>('select name from schema_migrations')).rows.map((row) => row.name));
    const files = (await readdir(MIGRATIONS)).filter((name) => name.endsWith('.sql')).sort();
    const applied: string[] = [];
    for (const name of files) {
      if (done.has(name)) continue;
      const sql = await readFile(MIGRATIONS + name, 'utf8');
      await client.query('begin');
      try {
        await client.query(sql);
        await client.query('insert into schema_migrations (name) values ($1)', [name]);
        await client.query('commit');
      } catch (error) {
        await client.query('rollback');
        throw new Error(`Migration ${name} failed: ${(error as Error).message}`);
      }
      applied.push(name);
    }
    return applied;
  } finally {
    await client.query('select pg_advisory_unlock(hashtext($1))', [lock]);
  }
}

export function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}
