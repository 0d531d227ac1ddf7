// Runs test files with node:test and its TAP reporter, echoing the output,
// and fails unless at least one test ran and none failed (node:test alone
// exits 0 when the files define no test). Used by `npm test` and the e2e suite.
//   tsx scripts/run-tests.ts tests/*.test.ts
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export interface RunOptions {
  label: string;
  /** stop the run (and what it started) after this long */
  limitMs: number;
  /** test files run one at a time when 1 */
  concurrency?: number;
}

export function runTests(files: string[], { label, limitMs, concurrency }: RunOptions): Promise<boolean> {
  if (!files.length) {
    console.error(`${label}: no test files given`);
    return Promise.resolve(false);
  }
  const started = Date.now();
  const args = ['--import', 'tsx', '--test', '--test-reporter=tap', ...(concurrency ? [`--test-concurrency=${concurrency}`] : []), ...files];
  // Its own process group, so a stuck run can be stopped with the servers and browsers it started.
  const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'], detached: true });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => {
    output += chunk.toString();
    process.stdout.write(chunk);
  });
  const timer = setTimeout(() => {
    console.error(`${label}: still running after ${Math.round(limitMs / 60000)} minutes; stopping it`);
    try {
      process.kill(-child.pid!, 'SIGTERM');
    } catch {
      child.kill('SIGTERM');
    }
  }, limitMs);
  return new Promise((resolve) => {
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const count = (name: string) => {
        const match = new RegExp(`^# ${name} (\\d+)$`, 'm').exec(output);
        return match ? Number(match[1]) : null;
      };
      // node:test reports a file that defines no test as one passing "test" named after the file.
      const ran = [...output.matchAll(/^(?:not )?ok \d+ - (.*)$/gm)].filter((match) => !/\.(e2e|test)\.ts$/.test(match[1].trim())).length;
      const tests = count('tests');
      const fail = count('fail');
      const seconds = Math.round((Date.now() - started) / 1000);
      const problems: string[] = [];
      if (code !== 0) problems.push(`the test runner exited with ${signal ?? code}`);
      if (!tests || !ran) problems.push('no test ran');
      if (fail) problems.push(`${fail} test${fail === 1 ? '' : 's'} failed`);
      if (problems.length) console.error(`${label}: FAILED after ${seconds} s: ${problems.join('; ')}`);
      else console.error(`${label}: ${count('pass')} of ${tests} tests passed in ${seconds} s`);
      resolve(problems.length === 0);
    });
  });
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  runTests(process.argv.slice(2), { label: 'tests', limitMs: 12 * 60 * 1000 }).then((ok) => process.exit(ok ? 0 : 1));
}
