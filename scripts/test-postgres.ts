// The PostgreSQL half of `npm test`: every test that touches the store, run
// again with FRAMECHECK_STORE=postgres against DATABASE_URL (each test app
// in a schema of its own), plus the multi-instance tests. Without
// DATABASE_URL it says clearly that it skipped; `.ci/run` always runs it on a
// throwaway cluster (scripts/with-postgres.sh).
//   tsx scripts/test-postgres.ts [--required]
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runTests } from './run-tests.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Tests of the embedded engine itself, or of code that never touches the store. */
const NOT_FOR_POSTGRES = new Set([
  'store.test.ts',
  'backup.test.ts',
  'crash.test.ts',
  'demo.test.ts',
  'content-checker.test.ts',
  'bank-checker.test.ts',
  'grading.test.ts',
  'store-faults.test.ts',
  'disk-full.test.ts',
  'testwise.test.ts',
  // spawn their own embedded server: the same run as in the embedded suite
  'attack.test.ts',
  'lti-kill.test.ts',
]);

const required = process.argv.includes('--required');
if (!process.env.DATABASE_URL) {
  const message = 'PostgreSQL suite SKIPPED: DATABASE_URL is not set. Run `scripts/with-postgres.sh npm run test:postgres` (or .ci/run) to run it on a throwaway cluster.';
  console.error(required ? `FAILED: ${message}` : `\n*** ${message} ***\n`);
  process.exit(required ? 1 : 0);
}
process.env.FRAMECHECK_STORE = 'postgres';
const files = readdirSync(path.join(ROOT, 'tests'))
  .filter((name) => name.endsWith('.test.ts') && !NOT_FOR_POSTGRES.has(name))
  .sort()
  .map((name) => path.join('tests', name));
// Every test app has a schema of its own, and most of the time goes to waiting on the database: three files at once.
runTests(files, { label: 'tests on PostgreSQL', limitMs: 12 * 60 * 1000, concurrency: 3 }).then((ok) => process.exit(ok ? 0 : 1));
