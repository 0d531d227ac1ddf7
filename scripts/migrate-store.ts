// Copies a school from the embedded store into PostgreSQL, then checks that
// every collection has as many records there as here. Stop the server first
// (the data folder's lock says so if not). Sessions are not copied: everyone
// logs in once more on the new store.
//   npm run migrate-store -- --from ./data --to postgres://user@host/db [--schema public]
import { parseArgs } from 'node:util';
import { EmbeddedBackend } from '../src/store/embedded.ts';
import { PostgresBackend } from '../src/store/postgres/backend.ts';
import { put } from '../src/store/backend.ts';
import { markLmsAccounts } from '../src/lti/provisioning.ts';
import { INDEXED } from '../src/store/schema.ts';
import type { CollectionName } from '../src/store/types.ts';

const BATCH = 5000;
const SKIPPED = new Set<CollectionName>(['sessions']);

export interface MigrationReport {
  collection: CollectionName;
  from: number;
  to: number;
}

export async function migrateStore(from: string, to: string, schema = 'public', log: (line: string) => void = console.log): Promise<MigrationReport[]> {
  const source = await EmbeddedBackend.open(from);
  const target = await PostgresBackend.open({ url: to, schema });
  try {
    const collections = (Object.keys(INDEXED) as CollectionName[]).filter((collection) => !SKIPPED.has(collection));
    for (const collection of collections) {
      if ((await target.count(collection)) > 0) throw new Error(`The target already holds ${collection}; migrate only into an empty database (or another DATABASE_SCHEMA).`);
    }
    const report: MigrationReport[] = [];
    for (const collection of collections) {
      const records = await source.list(collection);
      for (let at = 0; at < records.length; at += BATCH) {
        await target.commit(records.slice(at, at + BATCH).map((record) => put(collection, record as never)));
      }
      const row = { collection, from: records.length, to: await target.count(collection) };
      report.push(row);
      log(`${collection.padEnd(18)} ${String(row.from).padStart(9)} -> ${String(row.to).padStart(9)}${row.from === row.to ? '' : '   MISMATCH'}`);
    }
    const wrong = report.filter((row) => row.from !== row.to);
    if (wrong.length) throw new Error(`Counts differ for ${wrong.map((row) => row.collection).join(', ')}`);
    // The copy skips PostgreSQL's migrations: accounts from an LMS launched before they were marked get marked here.
    await markLmsAccounts(target);
    return report;
  } finally {
    await source.close();
    await target.close();
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { from: { type: 'string' }, to: { type: 'string' }, schema: { type: 'string', default: 'public' } } });
  if (!values.from || !values.to || !/^postgres(ql)?:\/\//.test(values.to)) {
    console.error('Usage: npm run migrate-store -- --from DATA_DIR --to postgres://user@host/database [--schema public]');
    process.exit(2);
  }
  const started = performance.now();
  await migrateStore(values.from, values.to, values.schema);
  console.log(`Copied and counted in ${((performance.now() - started) / 1000).toFixed(1)} s. Start FrameCheck with DATABASE_URL set to use it; sessions were not copied, so everyone logs in again.`);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().catch((error: Error) => {
    console.error(`migrate-store failed: ${error.message}`);
    process.exit(1);
  });
}
