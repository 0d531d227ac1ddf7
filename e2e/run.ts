// `npm run test:e2e`: runs the real-browser suite (e2e/*.e2e.ts), one file at a
// time, and fails unless at least one test ran and none failed.
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runTests } from '../scripts/run-tests.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const files = readdirSync(here)
  .filter((name) => name.endsWith('.e2e.ts'))
  .sort()
  .map((name) => path.join('e2e', name));

runTests(files, { label: 'e2e', limitMs: 12 * 60 * 1000, concurrency: 1 }).then((ok) => process.exit(ok ? 0 : 1));
