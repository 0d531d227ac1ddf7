// Guessing is slowed down without locking anyone out. Several people are
// simulated by their addresses: the app trusts X-Forwarded-For here
// (TRUST_PROXY), as it does behind a school's or a host's proxy.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Client, signedUp, startApp, type TestApp } from './helpers.ts';
import { GrowingDelay, Limiters } from '../src/accounts/limiters.ts';
import { LIMITS, addressKey } from '../src/accounts/throttles.ts';

/** A client whose every request comes from `address`. */
class From extends Client {
  constructor(
    app: TestApp['app'],
    readonly address: string,
  ) {
    super(app);
  }
  override get(url: string) {
    return super.get(url).set('X-Forwarded-For', this.address);
  }
  override page(url: string) {
    return super.page(url).set('X-Forwarded-For', this.address);
  }
  override post(url: string, body: object = {}) {
    return super.post(url, body).set('X-Forwarded-For', this.address);
  }
  override form(url: string, fields: Record<string, string | string[]> = {}) {
    return super.form(url, fields).set('X-Forwarded-For', this.address);
  }
  override async refreshToken(): Promise<string> {
    const response = await this.agent.get('/session').set('Accept', 'application/json').set('X-Forwarded-For', this.address);
    this.token = response.body.csrfToken;
    return this.token;
  }
}

async function from(app: TestApp['app'], address: string): Promise<From> {
  const client = new From(app, address);
  await client.refreshToken();
  return client;
}

async function signedUpFrom(app: TestApp['app'], address: string, role: 'teacher' | 'student' | 'parent', username: string, extra: Record<string, string> = {}) {
  const client = await from(app, address);
  await client.signup(role, username, extra);
  return client;
}

function assertTooMany(response: { status: number; headers: Record<string, string>; body: { error: { message: string; retryAfter: number } } }, what: RegExp) {
  assert.equal(response.status, 429);
  const retryAfter = Number(response.headers['retry-after']);
  assert.ok(retryAfter >= 1, `Retry-After is a number of seconds, got ${response.headers['retry-after']}`);
  assert.equal(response.body.error.retryAfter, retryAfter);
  assert.match(response.body.error.message, what);
  assert.match(response.body.error.message, /wait \d+ (second|minute)s? and try again/);
}

describe('throttles', () => {
  let t: TestApp;
  before(async () => {
    t = await startApp({ env: { TRUST_PROXY: 'true' } });
  });
  after(async () => {
    await t.close();
  });

  test('growing delays: free tries, then 2 s, 4 s, 8 s ... up to the cap', async () => {
    const delay = new GrowingDelay(new Limiters(), 'test-delay', 3, 3600, 10);
    const waits: number[] = [];
    for (let i = 0; i < 7; i++) {
      await delay.fail('k');
      waits.push(await delay.waitSeconds('k'));
    }
    assert.deepEqual(waits, [0, 0, 2, 4, 8, 10, 10]);
    assert.equal(await delay.waitSeconds('other'), 0, 'keys are counted apart');
    await delay.forget('k');
    assert.equal(await delay.waitSeconds('k'), 0);
  });

  test('addresses: IPv4 as is, IPv4-mapped IPv6 as IPv4, IPv6 by its /64', () => {
    assert.equal(addressKey('203.0.113.7'), '203.0.113.7');
    assert.equal(addressKey('::ffff:203.0.113.7'), '203.0.113.7');
    assert.equal(addressKey('2001:db8:1:2:aaaa::1'), '2001:db8:1:2::/64');
    assert.equal(addressKey('2001:db8:1:2:bbbb:cccc:dddd:eeee'), '2001:db8:1:2::/64');
    assert.equal(addressKey('2001:db8::1'), '2001:db8:0:0::/64');
  });

  test("someone else's wrong passwords never refuse the owner's right one from another address", async () => {
    await signedUpFrom(t.app, '198.51.100.1', 'student', 'victim-vi');
    const attacker = await from(t.app, '203.0.113.66');
    for (let i = 0; i < LIMITS.passwordsPerPair; i++) {
      assert.equal((await attacker.login('victim-vi', `wrong-guess-${i}`)).status, 401);
    }
    const refused = await attacker.post('/login', { username: 'victim-vi', password: 'another-guess' });
    assertTooMany(refused as never, /wrong passwords/);
    const evenRight = await attacker.post('/login', { username: 'victim-vi', password: 'a-long-secret-1' });
    assert.equal(evenRight.status, 429, 'a guesser who hits the right password while waiting learns nothing');

    for (const address of ['198.51.100.1', '192.0.2.44']) {
      const owner = await from(t.app, address);
      assert.equal((await owner.login('victim-vi')).status, 200, `the owner logs in from ${address}`);
    }
    // The attacker's address keeps waiting, however many times the owner logs in elsewhere.
    assert.equal((await attacker.post('/login', { username: 'victim-vi', password: 'x-guess-again' })).status, 429);
  });

  test("a school's shared address: one student's typos slow only that student", async () => {
    const school = '198.51.100.20';
    const names = Array.from({ length: 12 }, (_, i) => `school-kid-${i}`);
    for (const name of names) await signedUpFrom(t.app, `192.0.2.${names.indexOf(name) + 100}`, 'student', name);
    const typist = await from(t.app, school);
    for (let i = 0; i < 20; i++) await typist.post('/login', { username: names[0], password: `typo-${i}-xx` });
    assert.equal((await typist.post('/login', { username: names[0], password: 'a-long-secret-1' })).status, 429);
    const statuses = await Promise.all(names.slice(1).map(async (name) => (await (await from(t.app, school)).login(name)).status));
    assert.deepEqual(new Set(statuses), new Set([200]), 'everyone else at the school logs in');
    assert.equal((await (await from(t.app, '192.0.2.250')).login(names[0])).status, 200, 'the typist at home logs in');
  });

  test('an address that fails for many different usernames waits, for every name; other addresses do not', async () => {
    await signedUpFrom(t.app, '192.0.2.201', 'teacher', 'spray-target');
    const sprayer = await from(t.app, '203.0.113.99');
    for (let i = 0; i < LIMITS.usernamesPerAddress; i++) {
      const response = await sprayer.post('/login', { username: `sprayed-${i}`, password: 'Summer2027!' });
      assert.equal(response.status, 401, `name ${i}`);
    }
    const refused = await sprayer.post('/login', { username: 'spray-target', password: 'Summer2027!' });
    assertTooMany(refused as never, /wrong passwords/);
    assert.equal((await (await from(t.app, '192.0.2.201')).login('spray-target')).status, 200);
  });

  test('wrong class codes: 10 from one account, then a wait with Retry-After; other students join', async () => {
    const teacher = await signedUpFrom(t.app, '192.0.2.10', 'teacher', 'codes-owner');
    const joinCode: string = (await teacher.post('/classes', { name: 'Code class' })).body.class.joinCode;
    const guesser = await signedUpFrom(t.app, '203.0.113.10', 'student', 'code-guesser');
    for (let i = 0; i < LIMITS.codesPerSession; i++) {
      const wrong = await guesser.post('/join', { classCode: `ZZZZ${String(i).padStart(2, '2')}` });
      assert.equal(wrong.status, 422, `guess ${i}`);
    }
    assertTooMany((await guesser.post('/join', { classCode: 'ZZZZ99' })) as never, /wrong class codes/);
    assert.equal((await guesser.post('/join', { classCode: joinCode })).status, 429, 'a right guess while waiting is refused too');
    const page = await guesser.form('/join', { classCode: 'ZZZZ98' });
    assert.equal(page.status, 429);
    assert.ok(Number(page.headers['retry-after']) >= 1);
    assert.match(page.text, /Please wait \d+ (second|minute)s? and try again/, 'the page says when to try again');

    const classmate = await signedUpFrom(t.app, '192.0.2.11', 'student', 'code-classmate');
    assert.equal((await classmate.post('/join', { classCode: joinCode })).status, 200);
    assert.equal((await guesser.login('code-guesser')).status, 200, 'wrong codes do not count against logins');
  });

  test('wrong class codes from one address are counted across new sessions, also on signup', async () => {
    const address = '203.0.113.20';
    let refused: { status: number } | undefined;
    for (let i = 0; i <= LIMITS.codesPerAddress && !refused; i++) {
      // A fresh session every time, as a script that drops its cookies would have.
      const fresh = await from(t.app, address);
      const response = await fresh.post('/signup', { role: 'student', username: `drop-${i}`, password: 'a-long-secret-1', displayName: 'D', classCode: `QQQQ${(i % 90) + 10}` });
      if (response.status === 429) refused = response;
      else assert.equal(response.status, 422, `guess ${i}`);
    }
    assert.ok(refused, `refused within ${LIMITS.codesPerAddress + 1} guesses`);
    assertTooMany(refused as never, /wrong class codes/);
    const elsewhere = await from(t.app, '192.0.2.21');
    assert.equal((await elsewhere.post('/signup', { role: 'student', username: 'drop-other', password: 'a-long-secret-1', displayName: 'D', classCode: 'QQQQ22' })).status, 422, 'other addresses are not affected');
  });

  test('wrong parent codes: 10, then a wait; counted apart from logins and class codes', async () => {
    const child = await signedUpFrom(t.app, '192.0.2.30', 'student', 'coded-child');
    const code: string = (await child.post('/parent-code')).body.code;
    const guesser = await signedUpFrom(t.app, '203.0.113.30', 'parent', 'code-guessing-parent');
    for (let i = 0; i < LIMITS.codesPerSession; i++) {
      assert.equal((await guesser.post('/children', { code: `WXYZ-${2000 + i}` })).status, 422, `guess ${i}`);
    }
    assertTooMany((await guesser.post('/children', { code: 'WXYZ-9999' })) as never, /wrong codes/);
    assert.equal((await guesser.post('/children', { code })).status, 429);
    assert.equal((await guesser.post('/join', { classCode: 'ABCDEF' })).status, 403, 'a parent still cannot join a class');
    const parent = await signedUpFrom(t.app, '192.0.2.31', 'parent', 'coded-parent');
    assert.equal((await parent.post('/children', { code })).status, 201, "the real parent's code still works");
    assert.equal((await (await from(t.app, '203.0.113.30')).login('code-guessing-parent')).status, 200, 'logins are not slowed by wrong codes');
  });

  test('signups: at most 60 per address in 10 minutes; others sign up meanwhile', async () => {
    const address = '203.0.113.40';
    const client = await from(t.app, address);
    let created = 0;
    let refused;
    for (let i = 0; i <= LIMITS.signupsPerAddress && !refused; i++) {
      const response = await client.post('/signup', { role: 'parent', username: `mass-${i}`, password: 'a-long-secret-1', displayName: 'M' });
      if (response.status === 201) {
        created++;
        client.token = response.body.csrfToken;
      } else refused = response;
    }
    assert.equal(created, LIMITS.signupsPerAddress);
    assert.ok(refused);
    assertTooMany(refused as never, /new accounts/);
    assert.ok(Number(refused.headers['retry-after']) > 60, 'the wait runs to the end of the 10 minutes');
    const html = await (await from(t.app, address)).form('/signup', { role: 'parent', username: 'mass-form', password: 'a-long-secret-1', displayName: 'M' });
    assert.equal(html.status, 429);
    assert.match(html.text, /Please wait \d+ minutes? and try again/);
    await signedUpFrom(t.app, '192.0.2.41', 'parent', 'not-mass');
  });
});
