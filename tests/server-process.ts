// Spawns the real server (server.ts) as a child process, for tests where a
// crash, a restart or a second process is the point.
import { spawn, type ChildProcess } from 'node:child_process';
import { ROOT } from './helpers.ts';

export interface ServerProcess {
  child: ChildProcess;
  url: string;
  output: () => string;
}

export function startServer(dataDir: string, env: NodeJS.ProcessEnv = {}, script = 'server.ts'): Promise<ServerProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', script], {
    cwd: ROOT,
    env: { ...process.env, PORT: '0', DATA_DIR: dataDir, NODE_ENV: 'production', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  return new Promise((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /serving (http:\/\/localhost:\d+)/.exec(output);
      if (match) resolve({ child, url: match[1].replace('localhost', '127.0.0.1'), output: () => output });
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.on('exit', (code) => reject(new Error(`server exited with ${code} before listening:\n${output}`)));
  });
}

export function exitOf(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => child.on('exit', (code) => resolve(code)));
}

/** A tiny cookie-keeping JSON client over fetch, with the CSRF token. */
export class HttpClient {
  private cookie = '';
  token = '';
  constructor(private readonly base: string) {}

  async request(method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
    const response = await fetch(this.base + path, {
      method,
      headers: {
        Accept: 'application/json',
        'Content-Type': 'application/json',
        ...(this.cookie ? { Cookie: this.cookie } : {}),
        ...(this.token ? { 'X-CSRF-Token': this.token } : {}),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const setCookie = response.headers.get('set-cookie');
    if (setCookie) this.cookie = setCookie.split(';')[0];
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      // not JSON
    }
    return { status: response.status, body: parsed };
  }

  async start(): Promise<void> {
    this.token = (await this.request('GET', '/session')).body.csrfToken;
  }

  async signup(fields: Record<string, string>): Promise<any> {
    if (!this.token) await this.start();
    const response = await this.request('POST', '/signup', { password: 'a-long-secret-1', ...fields });
    if (response.status !== 201) throw new Error(`signup failed: ${response.status} ${JSON.stringify(response.body)}`);
    this.token = response.body.csrfToken;
    return response.body.user;
  }

  async login(username: string, password = 'a-long-secret-1'): Promise<number> {
    if (!this.token) await this.start();
    const response = await this.request('POST', '/login', { username, password });
    if (response.status === 200) this.token = response.body.csrfToken;
    return response.status;
  }
}
