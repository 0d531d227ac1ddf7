// The only module that reads process.env: everything else receives a Config.
import path from 'node:path';

export interface Config {
  port: number;
  dataDir: string;
  production: boolean;
  /** Express "trust proxy" setting; false unless TRUST_PROXY is set. */
  trustProxy: boolean | number | string;
  /** scrypt cost; lowered only by generators and tests, never by the server. */
  passwordCost: number;
  /** Compaction threshold for the journal, in bytes. */
  journalCompactBytes: number;
  /**
   * FRAMECHECK_NOW: where the clock starts (it then runs on), so a test or a
   * demo can restart the server weeks later. null: the real time.
   */
  clockStart: Date | null;
  /**
   * postgres://… when DATABASE_URL is set: every instance with the same URL
   * serves one school from PostgreSQL. Null: the embedded store in dataDir.
   */
  databaseUrl: string | null;
  /** the PostgreSQL schema holding FrameCheck's tables (DATABASE_SCHEMA, default public) */
  databaseSchema: string;
  /**
   * PUBLIC_URL: the address people and LMSs reach FrameCheck at
   * (https://framecheck.school.example), used in LTI links and registrations.
   * Null: taken from each request.
   */
  publicUrl: string | null;
  /**
   * SETUP_TOKEN: a district operator's token. Each POST /setup with it
   * creates one more school with its admin. Null: only the one-time token
   * printed at start-up creates the first school.
   */
  setupToken: string | null;
  /**
   * TEACHER_SIGNUP=open: anyone may sign up as a teacher of the first school
   * (made if there is none) without an invitation. For a trial on one
   * machine, never for a school: off by default.
   */
  teacherSignupOpen: boolean;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const port = Number(env.PORT ?? 3000);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Error(`PORT must be a whole number from 0 to 65535, got "${env.PORT}"`);
  }
  return {
    port,
    dataDir: path.resolve(env.DATA_DIR ?? './data'),
    production: env.NODE_ENV === 'production',
    trustProxy: parseTrustProxy(env.TRUST_PROXY),
    passwordCost: 1 << 15,
    journalCompactBytes: Number(env.JOURNAL_COMPACT_BYTES ?? 32 * 1024 * 1024),
    clockStart: parseClockStart(env.FRAMECHECK_NOW),
    databaseUrl: parseDatabaseUrl(env.DATABASE_URL),
    databaseSchema: parseSchema(env.DATABASE_SCHEMA),
    publicUrl: parsePublicUrl(env.PUBLIC_URL),
    setupToken: parseSetupToken(env.SETUP_TOKEN),
    teacherSignupOpen: parseTeacherSignup(env.TEACHER_SIGNUP),
  };
}

function parseClockStart(value: string | undefined): Date | null {
  if (value === undefined || value === '') return null;
  const start = new Date(value);
  if (!/^\d{4}-\d{2}-\d{2}/.test(value) || Number.isNaN(start.getTime())) {
    throw new Error(`FRAMECHECK_NOW must be an ISO time like 2027-03-01T09:00:00Z, got "${value}"`);
  }
  return start;
}

function parsePublicUrl(value: string | undefined): string | null {
  if (value === undefined || value.trim() === '') return null;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new Error(`PUBLIC_URL must be an address like https://framecheck.school.example, got "${value}"`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new Error('PUBLIC_URL must start with https:// or http://');
  return url.origin + url.pathname.replace(/\/+$/, '');
}

function parseSetupToken(value: string | undefined): string | null {
  if (value === undefined || value === '') return null;
  // Anyone holding it can make a school: it must not be guessable.
  if (value.length < 16) throw new Error('SETUP_TOKEN must be at least 16 characters long');
  return value;
}

function parseTeacherSignup(value: string | undefined): boolean {
  if (value === undefined || value === '' || value === 'invite') return false;
  if (value === 'open') return true;
  throw new Error(`TEACHER_SIGNUP must be "open" (a trial on one machine, unsafe for a school) or unset, got "${value}"`);
}

function parseSchema(value: string | undefined): string {
  if (value === undefined || value === '') return 'public';
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(value)) throw new Error(`DATABASE_SCHEMA must be a lower-case SQL name (letters, digits, _), got "${value}"`);
  return value;
}

function parseDatabaseUrl(value: string | undefined): string | null {
  if (value === undefined || value.trim() === '') return null;
  if (!/^postgres(ql)?:\/\//.test(value)) throw new Error('DATABASE_URL must start with postgres:// or postgresql://');
  return value;
}

/**
 * Which store the test suites run against: FRAMECHECK_STORE=postgres with
 * DATABASE_URL runs them on PostgreSQL; anything else on the embedded store.
 */
export function testStore(env: NodeJS.ProcessEnv = process.env): { kind: 'embedded' } | { kind: 'postgres'; url: string } {
  if (env.FRAMECHECK_STORE !== 'postgres') return { kind: 'embedded' };
  const url = parseDatabaseUrl(env.DATABASE_URL);
  if (!url) throw new Error('FRAMECHECK_STORE=postgres needs DATABASE_URL');
  return { kind: 'postgres', url };
}

function parseTrustProxy(value: string | undefined): boolean | number | string {
  if (value === undefined || value === '' || value === 'false') return false;
  if (value === 'true') return true;
  const hops = Number(value);
  return Number.isInteger(hops) ? hops : value;
}
