// Test helpers: a real app on a temp DATA_DIR, and a client that speaks the
// JSON side of the contract with its session cookie and CSRF token.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import supertest from 'supertest';
import type { Express } from 'express';
import { createApp } from '../src/app.ts';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { loadConfig, testStore, type Config } from '../src/config.ts';
import { loadCatalog, type Catalog } from '../src/content/catalog.ts';
import type { StoreBackend, User } from '../src/store/backend.ts';
import { openStore } from '../src/store/open.ts';
import { publicOptionId, publicQuestionId } from '../src/learning/public-ids.ts';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

let catalogCache: Catalog | undefined;
export function catalog(): Catalog {
  return (catalogCache ??= loadCatalog(ROOT));
}

export function tempDir(prefix = 'framecheck-test-'): string {
  return mkdtempSync(path.join(tmpdir(), prefix));
}

/** The store the suites run against (FRAMECHECK_STORE=postgres with DATABASE_URL, else embedded). */
export const STORE = testStore();

/**
 * A fresh, empty store: a temp DATA_DIR for the embedded store; for
 * PostgreSQL a schema of its own in the test database, dropped by `drop`.
 */
export async function openTestStore(dataDir: string, schema?: string): Promise<{ store: StoreBackend; schema: string | undefined; drop(): Promise<void> }> {
  if (STORE.kind === 'embedded') {
    const store = await openStore({ dataDir, databaseUrl: null, journalCompactBytes: 32 * 1024 * 1024 });
    return { store, schema: undefined, drop: async () => {} };
  }
  const name = schema ?? `t_${randomBytes(6).toString('hex')}`;
  const store = await openStore({ dataDir, databaseUrl: STORE.url, databaseSchema: name, journalCompactBytes: 0 });
  return { store, schema: name, drop: () => dropSchema(name) };
}

export async function dropSchema(schema: string): Promise<void> {
  if (STORE.kind !== 'postgres') return;
  const client = new pg.Client({ connectionString: STORE.url });
  await client.connect();
  try {
    await client.query(`drop schema if exists "${schema}" cascade`);
  } finally {
    await client.end();
  }
}

/**
 * Everything the app has stored, as text: every file of the embedded store's
 * DATA_DIR, or every row of every table of the app's PostgreSQL schema.
 */
export async function everythingStored(t: { dataDir: string; schema: string | undefined }): Promise<string> {
  if (STORE.kind === 'embedded' || !t.schema) {
    return readdirSync(t.dataDir, { recursive: true, withFileTypes: true })
      .filter((entry) => entry.isFile())
      .map((entry) => readFileSync(path.join(entry.parentPath, entry.name), 'utf8'))
      .join('\n');
  }
  const client = new pg.Client({ connectionString: STORE.url });
  await client.connect();
  try {
    const tables = await client.query<{ table_name: string }>('select table_name from information_schema.tables where table_schema = $1', [t.schema]);
    const dumps: string[] = [];
    for (const { table_name } of tables.rows) {
      const rows = await client.query<{ row: string }>(`select t::text as row from "${t.schema}"."${table_name}" t`);
      dumps.push(`-- ${table_name}`, ...rows.rows.map((row) => row.row));
    }
    return dumps.join('\n');
  } finally {
    await client.end();
  }
}

export interface TestApp {
  app: Express;
  store: StoreBackend;
  /** the PostgreSQL schema of this app's data (undefined on the embedded store) */
  schema: string | undefined;
  dataDir: string;
  config: Config;
  clock: { now: Date };
  close(): Promise<void>;
  /** closes the store and opens the same DATA_DIR again, as a restart would */
  restart(): Promise<TestApp>;
}

export async function startApp(options: { dataDir?: string; schema?: string; now?: Date; env?: NodeJS.ProcessEnv; catalog?: Catalog } = {}): Promise<TestApp> {
  const dataDir = options.dataDir ?? tempDir();
  const config: Config = { ...loadConfig({ DATA_DIR: dataDir, ...options.env }), passwordCost: 1024 };
  const { store, schema, drop } = await openTestStore(dataDir, options.schema);
  const clock = { now: options.now ?? new Date('2027-03-01T10:00:00Z') };
  const app = createApp({ config, store, catalog: options.catalog ?? catalog(), now: () => clock.now });
  const testApp: TestApp = {
    app,
    store,
    schema,
    dataDir,
    config,
    clock,
    async close() {
      await (app.locals.stopBackground as (() => Promise<void>) | undefined)?.();
      await store.close();
      await drop();
      rmSync(dataDir, { recursive: true, force: true });
    },
    async restart() {
      await (app.locals.stopBackground as (() => Promise<void>) | undefined)?.();
      await store.close();
      return startApp({ ...options, dataDir, schema, now: clock.now });
    },
  };
  testApps.set(app, testApp);
  return testApp;
}

type Role = 'admin' | 'teacher' | 'student' | 'parent';

/** Every app startApp made, so helpers given only the Express app can reach its store. */
const testApps = new WeakMap<Express, TestApp>();

/** The admin account of the school that teachers of a test app join unless a test says otherwise. */
export const DEFAULT_ADMIN = 'school-admin';
const defaultAdmins = new WeakMap<Express, Promise<Client>>();

/** The signed-in admin of the app's default school (made at first use, found again after a restart). */
export function defaultAdmin(app: Express): Promise<Client> {
  let admin = defaultAdmins.get(app);
  if (!admin) {
    const t = testApps.get(app);
    if (!t) throw new Error('defaultAdmin needs an app made by startApp');
    admin = (async () => {
      if ((await t.store.find('users', 'username', DEFAULT_ADMIN)).length) {
        const client = new Client(app);
        const response = await client.login(DEFAULT_ADMIN);
        if (response.status !== 200) throw new Error(`admin login: ${response.status} ${JSON.stringify(response.body)}`);
        return client;
      }
      return (await schoolWithAdmin(t, 'Hillside School', DEFAULT_ADMIN)).admin;
    })();
    defaultAdmins.set(app, admin);
  }
  return admin;
}

/** A one-time invitation code from an admin (the default school's unless another admin is given). */
export async function invitation(app: Express, role: 'teacher' | 'admin' = 'teacher', admin?: Client): Promise<string> {
  const by = admin ?? (await defaultAdmin(app));
  const response = await by.post('/admin/invites', { role });
  if (response.status !== 201) throw new Error(`invite: ${response.status} ${JSON.stringify(response.body)}`);
  return response.body.invite.code;
}

export class Client {
  readonly agent: ReturnType<typeof supertest.agent>;
  token = '';
  user: { id: string; role: Role; username: string; displayName: string } | null = null;

  /** `via`: where requests go, when not to `app` itself (the address of a server serving it). */
  constructor(
    readonly app: Express,
    via: Express | string = app,
  ) {
    this.agent = supertest.agent(via);
  }

  async refreshToken(): Promise<string> {
    const response = await this.agent.get('/session').set('Accept', 'application/json');
    this.token = response.body.csrfToken;
    return this.token;
  }

  get(url: string) {
    return this.agent.get(url).set('Accept', 'application/json');
  }

  /** A page as a browser gets it. */
  page(url: string) {
    return this.agent.get(url).set('Accept', 'text/html');
  }

  post(url: string, body: object = {}) {
    return this.agent.post(url).set('Accept', 'application/json').set('X-CSRF-Token', this.token).send(body);
  }

  /** A browser form post: urlencoded, with the _csrf field. */
  form(url: string, fields: Record<string, string | string[]> = {}) {
    return this.agent
      .post(url)
      .set('Accept', 'text/html')
      .type('form')
      .send({ _csrf: this.token, ...fields });
  }

  /**
   * Signs up through POST /signup. A teacher comes with an invitation from
   * the default school's admin unless `extra` names an `invite` (even '').
   */
  async signup(role: Role, username: string, extra: Record<string, string> = {}) {
    if (role === 'teacher' && !('invite' in extra)) extra = { ...extra, invite: await invitation(this.app) };
    if (!this.token) await this.refreshToken();
    const response = await this.post('/signup', { role, username, password: 'a-long-secret-1', displayName: username, ...extra });
    if (response.status !== 201) throw new Error(`signup ${username}: ${response.status} ${JSON.stringify(response.body)}`);
    this.token = response.body.csrfToken;
    this.user = response.body.user;
    return response;
  }

  async login(username: string, password = 'a-long-secret-1') {
    if (!this.token) await this.refreshToken();
    const response = await this.post('/login', { username, password });
    if (response.status === 200) {
      this.token = response.body.csrfToken;
      this.user = response.body.user;
    }
    return response;
  }
}

export async function signedUp(app: Express, role: Role, username: string, extra: Record<string, string> = {}): Promise<Client> {
  const client = new Client(app);
  await client.signup(role, username, extra);
  return client;
}

/** A teacher with a class, and students who joined it with the code. */
export async function classroom(app: Express, studentNames: string[] = ['sam', 'rae']) {
  const teacher = await signedUp(app, 'teacher', 'ms-lee');
  const created = await teacher.post('/classes', { name: 'Year 9' });
  const classId: string = created.body.class.id;
  const joinCode: string = created.body.class.joinCode;
  const students: Client[] = [];
  for (const name of studentNames) students.push(await signedUp(app, 'student', name, { classCode: joinCode }));
  return { teacher, classId, joinCode, students };
}

/** The right answers of a lesson's quiz, as the JSON API takes them (in the opaque ids pages show). */
export function rightAnswers(lessonId: string): Record<string, string | string[]> {
  const quiz = catalog().quiz(lessonId)!;
  return Object.fromEntries(
    quiz.questions.map((question) => {
      const ids = question.options.filter((option) => option.correct).map((option) => publicOptionId(lessonId, question.id, option.id));
      return [publicQuestionId(lessonId, question.id), question.kind === 'single' ? ids[0] : ids];
    }),
  );
}

export const FIRST_LESSON = 'recruitment-funnel';
export const SECOND_LESSON = 'paradise-on-screen';

/** A user of a school written straight into the store (as /setup, an invitation or a roster import makes them). */
export async function seedUser(t: TestApp, schoolId: string | null, role: Role, username: string, extra: Partial<User> = {}): Promise<User> {
  const { hashPassword } = await import('../src/accounts/passwords.ts');
  const { newId } = await import('../src/ids.ts');
  const { insert } = await import('../src/store/backend.ts');
  const user: User = {
    id: newId(),
    role,
    schoolId,
    username,
    displayName: username,
    passwordHash: await hashPassword('a-long-secret-1', t.config.passwordCost),
    mustChangePassword: false,
    createdAt: t.clock.now.toISOString(),
    ...extra,
  };
  await t.store.commit([insert('users', user)]);
  return user;
}

/** A client signed in with the test password. */
export async function signedIn(t: TestApp, username: string): Promise<Client> {
  const client = new Client(t.app);
  const response = await client.login(username);
  if (response.status !== 200) throw new Error(`login ${username}: ${response.status} ${JSON.stringify(response.body)}`);
  return client;
}

/**
 * A school with its admin, written straight into the store (as `/setup` or a
 * district operator would make it), and the admin signed in.
 */
export async function schoolWithAdmin(t: TestApp, name = 'Hillside School', adminName = 'head.admin'): Promise<{ schoolId: string; admin: Client }> {
  const { newId } = await import('../src/ids.ts');
  const { insert } = await import('../src/store/backend.ts');
  const schoolId = newId();
  await t.store.commit([insert('schools', { id: schoolId, name, createdAt: t.clock.now.toISOString(), retention: { inactiveMonths: 12, archiveClassesAfter: null, lastRunAt: null } })]);
  await seedUser(t, schoolId, 'admin', adminName);
  return { schoolId, admin: await signedIn(t, adminName) };
}
