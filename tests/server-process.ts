// Spawns the real server (server.ts) as a child process, for tests where a
// crash, a restart or a second process is the point.
import type { ChildProcess } from 'node:child_process';
import { spawnServer, type SpawnedServer } from '../scripts/spawn-server.ts';

export type ServerProcess = SpawnedServer;

/** The embedded store in dataDir unless env names a DATABASE_URL (never one inherited by accident). */
export function startServer(dataDir: string, env: NodeJS.ProcessEnv = {}, script = 'server.ts'): Promise<ServerProcess> {
  return spawnServer(script, { DATA_DIR: dataDir, DATABASE_URL: '', ...env });
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

  /** The same visitor (cookie and CSRF token) talking to another instance. */
  on(base: string): HttpClient {
    const twin = new HttpClient(base);
    twin.cookie = this.cookie;
    twin.token = this.token;
    return twin;
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
