// Starts a FrameCheck entry point (server.ts, the demo, the bench reference)
// as a child process and resolves once it prints the address it serves.
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export interface SpawnedServer {
  child: ChildProcess;
  url: string;
  /** milliseconds from spawn to listening */
  startMs: number;
  output: () => string;
}

/** `cwd` is the checkout to start (an older one, for the scripts that compare two). */
export function spawnServer(script: string, env: NodeJS.ProcessEnv = {}, nodeArgs: string[] = [], cwd = ROOT): Promise<SpawnedServer> {
  const started = performance.now();
  // Plain JavaScript (scripts/start.js, what `npm start` runs) needs no tsx.
  const loader = script.endsWith('.js') ? [] : ['--import', 'tsx'];
  const child = spawn(process.execPath, [...nodeArgs, ...loader, script], {
    cwd,
    env: { ...process.env, PORT: '0', NODE_ENV: 'production', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  return new Promise((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /serving (http:\/\/localhost:\d+)/.exec(output);
      if (match) resolve({ child, url: match[1].replace('localhost', '127.0.0.1'), startMs: performance.now() - started, output: () => output });
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.on('exit', (code) => reject(new Error(`${script} exited with ${code} before listening:\n${output}`)));
  });
}
