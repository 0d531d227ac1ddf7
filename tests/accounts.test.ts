import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Client, signedUp, startApp, type TestApp } from './helpers.ts';

describe('accounts', () => {
  let t: TestApp;
  before(async () => {
    t = await startApp();
  });
  after(async () => {
    await t.close();
  });

  test('a teacher signs up, is signed in, logs out and in again', async () => {
    const client = await signedUp(t.app, 'teacher', 'Ms.Rivera');
    const session = await client.get('/session');
    assert.equal(session.body.user.username, 'Ms.Rivera');
    assert.equal(session.body.user.role, 'teacher');
    assert.equal(session.body.user.passwordHash, undefined);
    const out = await client.post('/logout');
    assert.equal(out.status, 200);
    assert.deepEqual(out.body, { ok: true });
    assert.equal((await client.get('/session')).body.user, null);
    await client.refreshToken();
    const back = await client.login('ms.rivera');
    assert.equal(back.status, 200, 'usernames match without regard to case');
    assert.equal(back.body.user.role, 'teacher');
  });

  test('a taken username is 409, whatever its case', async () => {
    await signedUp(t.app, 'student', 'taken_name');
    const other = new Client(t.app);
    await other.refreshToken();
    const response = await other.post('/signup', { role: 'student', username: 'TAKEN_NAME', password: 'a-long-secret-1', displayName: 'X' });
    assert.equal(response.status, 409);
    assert.equal(response.body.error.field, 'username');
  });

  test('short and common passwords are refused with the field named, and nothing is created', async () => {
    const client = new Client(t.app);
    await client.refreshToken();
    for (const password of ['short', 'password1', 'iloveyou']) {
      const response = await client.post('/signup', { role: 'student', username: `pw-${password}`, password, displayName: 'P' });
      assert.equal(response.status, 422, password);
      assert.equal(response.body.error.field, 'password');
    }
    const login = await client.post('/login', { username: 'pw-short', password: 'short' });
    assert.equal(login.status, 401);
  });

  test('bad signup input is 422 naming the field; never a 500', async () => {
    const client = new Client(t.app);
    await client.refreshToken();
    const cases: [object, string][] = [
      [{ role: 'admin', username: 'abc', password: 'a-long-secret-1', displayName: 'A' }, 'role'],
      [{ role: 'student', username: 'ab', password: 'a-long-secret-1', displayName: 'A' }, 'username'],
      [{ role: 'student', username: 'has space', password: 'a-long-secret-1', displayName: 'A' }, 'username'],
      [{ role: 'student', username: 'abc', password: 'a-long-secret-1', displayName: '' }, 'displayName'],
      [{ role: 'student', username: 'abc', password: 'a-long-secret-1', displayName: 'x'.repeat(61) }, 'displayName'],
      [{ role: 'student', username: 12345, password: 'a-long-secret-1', displayName: 'A' }, 'username'],
      [{ role: 'student', username: 'abcd', password: 'a-long-secret-1', displayName: 'A', classCode: 'NOPE99' }, 'classCode'],
    ];
    for (const [body, field] of cases) {
      const response = await client.post('/signup', body);
      assert.equal(response.status, 422, JSON.stringify(body));
      assert.equal(response.body.error.field, field);
    }
    assert.equal((await client.post('/login', { username: 'abcd', password: 'a-long-secret-1' })).status, 401, 'no account was made');
  });

  test('display names in any script are accepted as typed', async () => {
    const name = 'Zoë <b>"O\'Neil"</b> مريم Дарья 🙂';
    const client = await signedUp(t.app, 'student', 'scripts', { displayName: name });
    assert.equal((await client.get('/session')).body.user.displayName, name);
  });

  test('malformed JSON is a 400 with a JSON error', async () => {
    const client = new Client(t.app);
    await client.refreshToken();
    const response = await client.agent
      .post('/login')
      .set('Accept', 'application/json')
      .set('Content-Type', 'application/json')
      .set('X-CSRF-Token', client.token)
      .send('{"username": ');
    assert.equal(response.status, 400);
    assert.match(response.body.error.message, /JSON/);
  });

  test('a wrong pair gets the same 401 whether or not the name exists', async () => {
    await signedUp(t.app, 'parent', 'known-parent');
    const client = new Client(t.app);
    await client.refreshToken();
    const known = await client.post('/login', { username: 'known-parent', password: 'wrong-password-1' });
    const unknown = await client.post('/login', { username: 'nobody-here', password: 'wrong-password-1' });
    assert.equal(known.status, 401);
    assert.equal(unknown.status, 401);
    assert.deepEqual(known.body, unknown.body);
  });

  test('state changes without a CSRF token are refused with 403 and change nothing', async () => {
    const client = new Client(t.app);
    await client.refreshToken();
    const missing = await client.agent
      .post('/signup')
      .set('Accept', 'application/json')
      .send({ role: 'teacher', username: 'no-csrf', password: 'a-long-secret-1', displayName: 'N' });
    assert.equal(missing.status, 403);
    const wrong = await client.agent
      .post('/signup')
      .set('Accept', 'application/json')
      .set('X-CSRF-Token', 'forged')
      .send({ role: 'teacher', username: 'no-csrf', password: 'a-long-secret-1', displayName: 'N' });
    assert.equal(wrong.status, 403);
    const form = await client.agent.post('/signup').type('form').send({ role: 'teacher', username: 'no-csrf', password: 'a-long-secret-1', displayName: 'N' });
    assert.equal(form.status, 403);
    assert.match(form.text, /This form has expired/, "people get FrameCheck's own page, not a bare error");
    assert.equal((await client.post('/login', { username: 'no-csrf', password: 'a-long-secret-1' })).status, 401);
  });

  test('wrong passwords for one name are rate limited with 429', async () => {
    await signedUp(t.app, 'student', 'target');
    const client = new Client(t.app);
    await client.refreshToken();
    for (let i = 0; i < 10; i++) assert.equal((await client.post('/login', { username: 'target', password: `guess-${i}-xx` })).status, 401);
    const limited = await client.post('/login', { username: 'target', password: 'a-long-secret-1' });
    assert.equal(limited.status, 429);
    assert.match(limited.body.error.message, /Too many/);
  });

  test('a class of 35 logging in at once from one address is never throttled', async () => {
    const names = Array.from({ length: 35 }, (_, i) => `nat-student-${i}`);
    await Promise.all(names.map((name) => signedUp(t.app, 'student', name)));
    const results = await Promise.all(
      names.map(async (name) => {
        const client = new Client(t.app);
        return (await client.login(name)).status;
      }),
    );
    assert.deepEqual(new Set(results), new Set([200]));
  });

  test('session cookies are HttpOnly and SameSite=Lax, Secure only over HTTPS', async () => {
    const client = new Client(t.app);
    const plain = await client.agent.get('/session');
    const cookie = String(plain.headers['set-cookie']);
    assert.match(cookie, /HttpOnly/);
    assert.match(cookie, /SameSite=Lax/);
    assert.doesNotMatch(cookie, /Secure/);
    const proxied = await startApp({ env: { TRUST_PROXY: '1' } });
    try {
      const response = await new Client(proxied.app).agent.get('/session').set('X-Forwarded-Proto', 'https');
      assert.match(String(response.headers['set-cookie']), /Secure/);
    } finally {
      await proxied.close();
    }
  });

  test('sessions survive a restart', async () => {
    const own = await startApp();
    const client = await signedUp(own.app, 'teacher', 'restart-teacher');
    const cookie = client.agent.jar.getCookies({ domain: '127.0.0.1', path: '/', secure: false, script: false });
    const restarted = await own.restart();
    try {
      const fresh = new Client(restarted.app);
      for (const c of cookie) fresh.agent.jar.setCookie(c.toString());
      const response = await fresh.get('/session');
      assert.equal(response.body.user?.username, 'restart-teacher');
    } finally {
      await restarted.close();
    }
  });

  test('the login form shows the error next to the field, and keeps the username', async () => {
    const client = new Client(t.app);
    await client.refreshToken();
    const response = await client.form('/login', { username: 'someone', password: 'wrong-password' });
    assert.equal(response.status, 401);
    assert.match(response.text, /role="alert"/);
    assert.match(response.text, /value="someone"/);
    assert.match(response.text, /aria-invalid="true"/);
  });

  test('pages need a login: HTML redirects to /login, JSON is 401', async () => {
    const client = new Client(t.app);
    const page = await client.page('/lessons');
    assert.equal(page.status, 303);
    assert.equal(page.headers.location, '/login?next=%2Flessons');
    assert.equal((await client.get('/lessons')).status, 401);
  });

  test('security headers: a CSP without inline script', async () => {
    const response = await new Client(t.app).page('/');
    const csp = response.headers['content-security-policy'];
    assert.match(csp, /script-src 'self'/);
    assert.doesNotMatch(csp, /unsafe-inline/);
    assert.equal(response.headers['x-content-type-options'], 'nosniff');
  });
});
