// `npm run test:e2e`: runs the real-browser suite (e2e/*.e2e.ts) with node:test
// and its TAP reporter, and fails unless at least one test ran and none failed.
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..');
const files = readdirSync(here)
  .filter((name) => name.endsWith('.e2e.ts'))
  .sort()
  .map((name) => path.join('e2e', name));

if (!files.length) {
  console.error('e2e: no e2e/*.e2e.ts files found');
  process.exit(1);
}

const LIMIT_MS = 6 * 60 * 1000;
const started = Date.now();
const child = spawn(process.execPath, ['--import', 'tsx', '--test', '--test-reporter=tap', '--test-concurrency=1', ...files], {
  cwd: root,
  stdio: ['ignore', 'pipe', 'inherit'],
  // its own process group, so a stuck run can be stopped with the server and Chromium it started
  detached: true,
});

let output = '';
child.stdout.on('data', (chunk: Buffer) => {
  output += chunk.toString();
  process.stdout.write(chunk);
});

const timer = setTimeout(() => {
  console.error(`e2e: still running after ${LIMIT_MS / 60000} minutes; stopping it`);
  try {
    process.kill(-child.pid!, 'SIGTERM');
  } catch {
    child.kill('SIGTERM');
  }
}, LIMIT_MS);

child.on('close', (code, signal) => {
  clearTimeout(timer);
  const count = (name: string) => {
    const match = new RegExp(`^# ${name} (\\d+)$`, 'm').exec(output);
    return match ? Number(match[1]) : null;
  };
  // node:test reports a file that defines no test as one passing "test" named after the file,
  // so only results named otherwise count as tests that ran.
  const ran = [...output.matchAll(/^(?:not )?ok \d+ - (.*)$/gm)].filter((match) => !match[1].trim().endsWith('.e2e.ts')).length;
  const tests = count('tests');
  const pass = count('pass');
  const fail = count('fail');
  const seconds = Math.round((Date.now() - started) / 1000);
  const problems: string[] = [];
  if (code !== 0) problems.push(`the test runner exited with ${signal ?? code}`);
  if (!tests || !ran) problems.push('no test ran');
  if (fail) problems.push(`${fail} test${fail === 1 ? '' : 's'} failed`);
  if (problems.length) {
    console.error(`e2e: FAILED after ${seconds} s: ${problems.join('; ')}`);
    process.exit(1);
  }
  console.log(`e2e: ${pass} of ${tests} tests passed in ${seconds} s`);
});
