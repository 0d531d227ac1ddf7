// Plays the attacker against a running FrameCheck: guesses class join
// codes, parent codes and passwords as fast as the server answers, tries to
// lock a real student out, and times failed logins for names that exist
// against names that do not. The server must trust X-Forwarded-For
// (TRUST_PROXY), which is how this script speaks for several addresses.
//
//   npx tsx scripts/attack.ts [seconds per phase, default 10]
//
// starts its own server (production settings, real password cost) on a
// temporary DATA_DIR and prints what the attacker got. tests/attack.test.ts
// runs it briefly and checks the numbers.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawnServer } from './spawn-server.ts';

const CODE_ALPHABET = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789';
const VICTIM_PASSWORD = 'violet-kite-harbour-7';
/** What a guesser tries first: common passwords that pass the length rule. */
const COMMON_GUESSES = ['password1', '12345678', 'qwertyuiop', 'iloveyou1', 'football1', 'sunshine1', 'princess1', 'letmein123', 'Summer2027!', 'welcome123'];

/** A cookie-keeping JSON client whose requests come from one address. */
export class AttackClient {
  private cookie = '';
  private token = '';
  constructor(
    private readonly base: string,
    public address: string,
  ) {}

  async request(method: string, url: string, body?: unknown): Promise<{ status: number; body: any; retryAfter: number | null; ms: number }> {
    const started = performance.now();
    const response = await fetch(this.base + url, {
      method,
      headers: {
        Accept: 'application/json',
        'Content-Type': 'application/json',
        'X-Forwarded-For': this.address,
        ...(this.cookie ? { Cookie: this.cookie } : {}),
        ...(this.token ? { 'X-CSRF-Token': this.token } : {}),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    const ms = performance.now() - started;
    const setCookie = response.headers.get('set-cookie');
    if (setCookie) this.cookie = setCookie.split(';')[0];
    let parsed: any = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      // not JSON
    }
    if (parsed?.csrfToken) this.token = parsed.csrfToken;
    const retryAfter = response.headers.get('retry-after');
    return { status: response.status, body: parsed, retryAfter: retryAfter === null ? null : Number(retryAfter), ms };
  }

  /** Drops the session, as a script that throws its cookies away would. */
  async fresh(): Promise<this> {
    this.cookie = '';
    this.token = '';
    await this.request('GET', '/session');
    return this;
  }

  async signup(fields: Record<string, string>) {
    if (!this.token) await this.fresh();
    return this.request('POST', '/signup', { password: 'a-long-secret-1', ...fields });
  }

  async login(username: string, password: string) {
    await this.fresh();
    return this.request('POST', '/login', { username, password });
  }
}

function randomCode(length: number): string {
  return Array.from({ length }, () => CODE_ALPHABET[Math.floor(Math.random() * CODE_ALPHABET.length)]).join('');
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** What one kind of guessing got in its time. */
export interface GuessTally {
  requests: number;
  /** guesses the server actually checked (answered 422 or a hit) */
  checked: number;
  refused429: number;
  hits: number;
  /** every 429 carried Retry-After */
  retryAfterAlways: boolean;
  longestRetryAfter: number;
}

export interface AttackReport {
  seconds: number;
  joinCodesSignedIn: GuessTally;
  joinCodesFreshSessions: GuessTally;
  parentCodes: GuessTally;
  passwordsOneName: GuessTally;
  passwordSpray: GuessTally;
  /** the real student's own logins while under attack */
  ownerLogins: { tried: number; ok: number; statuses: Record<string, number> };
  /** null when not measured (timingSamples 0) */
  timing: { samples: number; knownMedianMs: number; unknownMedianMs: number; ratio: number } | null;
}

/** Guesses for `seconds`, and at least `atLeast` times (a slow answer must not end the test before a limit is reached). */
async function guessFor(seconds: number, guess: () => Promise<{ status: number; retryAfter: number | null }>, hitStatus: number, atLeast = 0): Promise<GuessTally> {
  const tally: GuessTally = { requests: 0, checked: 0, refused429: 0, hits: 0, retryAfterAlways: true, longestRetryAfter: 0 };
  const until = performance.now() + seconds * 1000;
  while (performance.now() < until || tally.requests < atLeast) {
    const { status, retryAfter } = await guess();
    tally.requests++;
    if (status === 429) {
      tally.refused429++;
      if (!retryAfter || retryAfter < 1) tally.retryAfterAlways = false;
      tally.longestRetryAfter = Math.max(tally.longestRetryAfter, retryAfter ?? 0);
    } else {
      tally.checked++;
      if (status === hitStatus) tally.hits++;
    }
  }
  return tally;
}

/**
 * Failed logins for a real name and for an unknown one, each from its own
 * address. The two of a pair are sent at the same moment, so that whatever
 * else the machine is doing slows both alike.
 */
export async function timeFailedLogins(base: string, knownUsername: string, samples: number, firstOctet = 100): Promise<NonNullable<AttackReport['timing']>> {
  const known: number[] = [];
  const unknown: number[] = [];
  for (let i = 0; i < samples; i++) {
    const pair = [
      { into: known, username: knownUsername },
      { into: unknown, username: `no-such-user-${i}-${Math.floor(Math.random() * 1e6)}` },
    ];
    const clients = await Promise.all(pair.map((_, index) => new AttackClient(base, `${firstOctet}.${(i >> 8) & 255}.${i & 255}.${index + 1}`).fresh()));
    const responses = await Promise.all(pair.map(({ username }, index) => clients[index].request('POST', '/login', { username, password: `wrong-guess-${i}` })));
    for (const [index, response] of responses.entries()) {
      if (response.status !== 401) throw new Error(`timing sample got ${response.status}, expected 401`);
      pair[index].into.push(response.ms);
    }
  }
  const knownMedianMs = median(known);
  const unknownMedianMs = median(unknown);
  return { samples, knownMedianMs, unknownMedianMs, ratio: knownMedianMs / unknownMedianMs };
}

/** The operator token the attacked server is started with, so the attack can make its school. */
export const ATTACK_SETUP_TOKEN = 'attack-operator-setup-token-0123456789';

export async function attack(base: string, options: { seconds: number; timingSamples: number }): Promise<AttackReport> {
  const { seconds } = options;
  // The school: its admin, a teacher (by invitation), a class, and the student under attack.
  const admin = await new AttackClient(base, '198.51.100.1').fresh();
  const school = await admin.request('POST', '/setup', { token: ATTACK_SETUP_TOKEN, schoolName: 'Target School', username: 'target-admin', password: 'a-long-secret-1', displayName: 'Admin' });
  if (school.status !== 201) throw new Error(`setup: ${school.status} ${JSON.stringify(school.body)}`);
  const invite: string = (await admin.request('POST', '/admin/invites', { role: 'teacher' })).body.invite.code;
  const teacher = new AttackClient(base, '198.51.100.1');
  await teacher.signup({ role: 'teacher', username: 'ms-target', displayName: 'Ms Target', invite });
  const created = await teacher.request('POST', '/classes', { name: 'Year 9' });
  const joinCode: string = created.body.class.joinCode;
  const victim = new AttackClient(base, '198.51.100.2');
  const signed = await victim.signup({ role: 'student', username: 'vic-student', displayName: 'Vic', password: VICTIM_PASSWORD, classCode: joinCode });
  if (signed.status !== 201) throw new Error(`victim signup: ${signed.status} ${JSON.stringify(signed.body)}`);
  const parentCode = (await victim.request('POST', '/parent-code')).body.code as string;

  // The attacker: one address, a student account and a parent account.
  const attackerAddress = '203.0.113.66';
  const mallory = new AttackClient(base, attackerAddress);
  await mallory.signup({ role: 'student', username: 'mallory-s', displayName: 'M' });
  const malloryParent = new AttackClient(base, attackerAddress);
  await malloryParent.signup({ role: 'parent', username: 'mallory-p', displayName: 'M' });

  const joinCodesSignedIn = await guessFor(seconds, () => mallory.request('POST', '/join', { classCode: randomCode(6) }), 200, 20);
  const anonymous = new AttackClient(base, attackerAddress);
  let signupCount = 0;
  const joinCodesFreshSessions = await guessFor(
    seconds,
    async () => (await anonymous.fresh()).request('POST', '/signup', { role: 'student', username: `mal-${signupCount++}`, password: 'a-long-secret-1', displayName: 'M', classCode: randomCode(6) }),
    201,
  );
  const parentCodes = await guessFor(seconds, () => malloryParent.request('POST', '/children', { code: randomCode(8) }), 201, 20);

  // Passwords: the attacker hammers the victim's name while the victim logs in now and then, at school and at home.
  const ownerLogins = { tried: 0, ok: 0, statuses: {} as Record<string, number> };
  let attacking = true;
  const owner = (async () => {
    const places = [new AttackClient(base, '198.51.100.2'), new AttackClient(base, '192.0.2.77')];
    while (attacking) {
      const place = places[ownerLogins.tried % places.length];
      const response = await place.login('vic-student', VICTIM_PASSWORD);
      ownerLogins.tried++;
      if (response.status === 200) ownerLogins.ok++;
      ownerLogins.statuses[response.status] = (ownerLogins.statuses[response.status] ?? 0) + 1;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  })();
  const guesser = new AttackClient(base, attackerAddress);
  await guesser.fresh();
  let attempt = 0;
  const passwordsOneName = await guessFor(
    seconds,
    () => guesser.request('POST', '/login', { username: 'vic-student', password: COMMON_GUESSES[attempt++ % COMMON_GUESSES.length] + (attempt > COMMON_GUESSES.length ? attempt : '') }),
    200,
    20,
  );
  let sprayed = 0;
  const sprayer = new AttackClient(base, '203.0.113.67');
  await sprayer.fresh();
  const passwordSpray = await guessFor(seconds, () => sprayer.request('POST', '/login', { username: sprayed++ % 3 === 0 ? 'vic-student' : `guess-name-${sprayed}`, password: 'Summer2027!' }), 200);
  attacking = false;
  await owner;
  // After all that, the victim still logs in from both places.
  for (const address of ['198.51.100.2', '192.0.2.77']) {
    const response = await new AttackClient(base, address).login('vic-student', VICTIM_PASSWORD);
    ownerLogins.tried++;
    if (response.status === 200) ownerLogins.ok++;
    ownerLogins.statuses[response.status] = (ownerLogins.statuses[response.status] ?? 0) + 1;
  }
  // The real parent's code was never found and still works.
  const realParent = new AttackClient(base, '198.51.100.3');
  await realParent.signup({ role: 'parent', username: 'vic-parent', displayName: 'Vic parent' });
  const linked = await realParent.request('POST', '/children', { code: parentCode });
  if (linked.status !== 201) throw new Error(`the real parent code stopped working: ${linked.status}`);

  const timing = options.timingSamples ? await timeFailedLogins(base, 'vic-student', options.timingSamples) : null;
  return { seconds, joinCodesSignedIn, joinCodesFreshSessions, parentCodes, passwordsOneName, passwordSpray, ownerLogins, timing };
}

export function describeReport(report: AttackReport): string {
  const line = (name: string, tally: GuessTally) =>
    `| ${name} | ${tally.requests} | ${tally.checked} | ${tally.refused429} | ${tally.hits} | ${tally.longestRetryAfter} s |`;
  return [
    `Attack, ${report.seconds} s per kind of guessing, from one attacker address:`,
    '',
    '| guessing | requests | guesses checked | refused (429) | hits | longest Retry-After |',
    '|---|---|---|---|---|---|',
    line('class codes, signed-in student (POST /join)', report.joinCodesSignedIn),
    line('class codes, signup with a new session each time', report.joinCodesFreshSessions),
    line('parent codes (POST /children)', report.parentCodes),
    line("passwords, the victim's name", report.passwordsOneName),
    line('passwords, sprayed over many names', report.passwordSpray),
    '',
    `The victim's own logins meanwhile (school address and home): ${report.ownerLogins.ok} of ${report.ownerLogins.tried} succeeded (${JSON.stringify(report.ownerLogins.statuses)}).`,
    report.timing
      ? `Failed-login timing, ${report.timing.samples} interleaved samples each: real name ${report.timing.knownMedianMs.toFixed(1)} ms, unknown name ${report.timing.unknownMedianMs.toFixed(1)} ms (median; ratio ${report.timing.ratio.toFixed(3)}).`
      : 'Failed-login timing: not measured.',
  ].join('\n');
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const seconds = Number(process.argv[2] ?? 10);
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'framecheck-attack-'));
  const server = await spawnServer('server.ts', { DATA_DIR: dataDir, TRUST_PROXY: 'true', SETUP_TOKEN: ATTACK_SETUP_TOKEN });
  try {
    console.log(describeReport(await attack(server.url, { seconds, timingSamples: 30 })));
  } finally {
    server.child.kill('SIGTERM');
    await new Promise((resolve) => server.child.once('exit', resolve));
    rmSync(dataDir, { recursive: true, force: true });
  }
}
