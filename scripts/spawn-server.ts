// Starts a FrameCheck entry point (server.ts, the demo, the bench reference)
// as a child process and resolves once it prints the address it serves.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
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

/**
 * The Node flags `npm start` gives the server in the checkout `cwd`: its
 * package.json's start script is `node [flags] scripts/start.js`. Read from
 * there, so that what is measured is started as `npm start` starts it.
 */
export function npmStartFlags(cwd = ROOT): string[] {
  const start: unknown = JSON.parse(readFileSync(path.join(cwd, 'package.json'), 'utf8')).scripts?.start;
  const match = typeof start === 'string' ? /^node((?:\s+--\S+)*)\s+scripts\/start\.js$/.exec(start.trim()) : null;
  if (!match) throw new Error(`${path.join(cwd, 'package.json')}: the start script is not "node [--flags] scripts/start.js" (it is ${JSON.stringify(start)})`);
  return match[1].split(/\s+/).filter(Boolean);
}

/**
 * `cwd` is the checkout to start (an older one, for the scripts that compare
 * two). scripts/start.js is started with `npm start`'s Node flags.
 */
export function spawnServer(script: string, env: NodeJS.ProcessEnv = {}, nodeArgs: string[] = [], cwd = ROOT): Promise<SpawnedServer> {
  const started = performance.now();
  // Plain JavaScript (scripts/start.js, what `npm start` runs) needs no tsx.
  const loader = script.endsWith('.js') ? [] : ['--import', 'tsx'];
  const flags = script === 'scripts/start.js' ? npmStartFlags(cwd) : [];
  const child = spawn(process.execPath, [...flags, ...nodeArgs, ...loader, script], {
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
