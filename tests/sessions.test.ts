// The session layer (src/http/sessions.ts) and the lesson page every reader
// of one role shares (src/http/page-cache.ts sendToRole): what a browser
// notices when they go wrong is being signed in as someone else, being
// signed out, or seeing another reader's name.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Client, FIRST_LESSON, signedUp, startApp, type TestApp } from './helpers.ts';

function sessionCookie(response: { headers: Record<string, unknown> }): string | undefined {
  return ([] as string[]).concat((response.headers['set-cookie'] as string[] | undefined) ?? []).find((cookie) => cookie.startsWith('framecheck.sid='));
}

describe('sessions', () => {
  let t: TestApp;
  before(async () => {
    t = await startApp();
  });
  after(async () => {
    await t.close();
  });

  test('the cookie is set when a session is stored, not on every page', async () => {
    const client = await signedUp(t.app, 'student', 'cookie-once');
    const page = await client.page('/');
    assert.equal(page.status, 200);
    assert.equal(sessionCookie(page), undefined, 'a signed-in page view sets no cookie');
    assert.equal((await client.get('/session')).body.user.username, 'cookie-once');
  });

  test('a signed-in cookie lasts 14 days; an anonymous one 2 hours', async () => {
    const anonymous = await new Client(t.app).agent.get('/session');
    const anonymousExpiry = Date.parse(/Expires=([^;]+)/.exec(sessionCookie(anonymous)!)![1]);
    assert.ok(Math.abs(anonymousExpiry - (t.clock.now.getTime() + 2 * 3600_000)) < 60_000, 'about two hours');
    const client = new Client(t.app);
    await client.signup('student', 'fortnight');
    const signIn = await client.login('fortnight');
    const expiry = Date.parse(/Expires=([^;]+)/.exec(sessionCookie(signIn)!)![1]);
    assert.ok(Math.abs(expiry - (t.clock.now.getTime() + 14 * 86_400_000)) < 60_000, 'about fourteen days');
  });

  test('a forged or altered cookie signs no one in and is not trusted', async () => {
    const client = await signedUp(t.app, 'student', 'forge-victim');
    const [cookie] = client.agent.jar.getCookies({ domain: '127.0.0.1', path: '/', secure: false, script: false }).filter((c) => c.name === 'framecheck.sid');
    const value = decodeURIComponent(cookie.value);
    const sid = value.slice(2, value.lastIndexOf('.'));
    const attempts = [
      `s:${sid}.${'A'.repeat(43)}`, // the real id with a made-up signature
      `s:${sid}`, // no signature
      sid, // unsigned
      `s:${sid}x.${value.slice(value.lastIndexOf('.') + 1)}`, // another id with the real signature
      '%E0%A4%A', // not even valid percent-encoding
    ];
    for (const forged of attempts) {
      const response = await new Client(t.app).agent.get('/session').set('Accept', 'application/json').set('Cookie', `framecheck.sid=${forged.startsWith('%') ? forged : encodeURIComponent(forged)}`);
      assert.equal(response.status, 200, forged);
      assert.equal(response.body.user, null, `${forged} signs no one in`);
    }
    // And the genuine cookie still works after the forgeries.
    assert.equal((await client.get('/session')).body.user.username, 'forge-victim');
  });

  test('an expired session signs no one in', async () => {
    const client = await signedUp(t.app, 'student', 'expiring');
    const [record] = await t.store.find('sessions', 'userId', client.user!.id);
    const { put } = await import('../src/store/backend.ts');
    await t.store.commit([put('sessions', { ...record, expiresAt: new Date(t.clock.now.getTime() - 1000).toISOString() })]);
    assert.equal((await client.get('/session')).body.user, null);
  });

  test('signing in gives a new session id (no fixation), and logging out deletes the session', async () => {
    const client = new Client(t.app);
    await client.refreshToken();
    const before = client.agent.jar.getCookies({ domain: '127.0.0.1', path: '/', secure: false, script: false }).find((c) => c.name === 'framecheck.sid')!.value;
    await client.signup('student', 'fixation');
    const after = client.agent.jar.getCookies({ domain: '127.0.0.1', path: '/', secure: false, script: false }).find((c) => c.name === 'framecheck.sid')!.value;
    assert.notEqual(after, before);
    assert.equal((await t.store.find('sessions', 'userId', client.user!.id)).length, 1);
    const logout = await client.post('/logout');
    assert.equal(logout.status, 200);
    assert.equal((await t.store.find('sessions', 'userId', client.user!.id)).length, 0, 'the session is gone from the store');
    assert.equal((await client.get('/session')).body.user, null);
  });

  test('a form page stores its CSRF token with the page, so the form it prints works', async () => {
    const client = new Client(t.app);
    const page = await client.agent.get('/login').set('Accept', 'text/html');
    const token = /name="_csrf" value="([^"]+)"/.exec(page.text)![1];
    client.token = token;
    await signedUp(t.app, 'student', 'form-user');
    const response = await client.form('/login', { username: 'form-user', password: 'a-long-secret-1' });
    assert.equal(response.status, 303, 'the token printed on the page is accepted');
  });
});

describe('a lesson page is shared by readers of one role, with their own name and token', () => {
  let t: TestApp;
  let ana: Client;
  let cy: Client;
  let teacher: Client;
  before(async () => {
    t = await startApp();
    ana = await signedUp(t.app, 'student', 'ana', { displayName: 'Ana & <Bo>' });
    cy = await signedUp(t.app, 'student', 'cyrus', { displayName: 'Cy "the quick"' });
    teacher = await signedUp(t.app, 'teacher', 'lesson-teacher', { displayName: 'Mr Teach' });
  });
  after(async () => {
    await t.close();
  });

  const tokenIn = (html: string) => /name="_csrf" value="([^"]+)"/.exec(html)![1];

  test("each reader sees their own name and token, never the previous reader's", async () => {
    for (let round = 0; round < 2; round++) {
      const first = (await ana.page(`/lessons/${FIRST_LESSON}`)).text;
      const second = (await cy.page(`/lessons/${FIRST_LESSON}`)).text;
      assert.ok(first.includes('Log out <span class="visually-hidden">Ana &amp; &lt;Bo&gt;</span>'), "Ana's name, escaped");
      assert.ok(second.includes('Log out <span class="visually-hidden">Cy &#34;the quick&#34;</span>'), "Cy's name, escaped");
      assert.ok(!first.includes('Cy ') && !second.includes('Ana'), "no one sees the other's name");
      assert.equal(tokenIn(first), ana.token);
      assert.equal(tokenIn(second), cy.token);
      assert.notEqual(tokenIn(first), tokenIn(second));
    }
  });

  test('a teacher gets the teacher page (no Family link), a student the student page', async () => {
    const forTeacher = (await teacher.page(`/lessons/${FIRST_LESSON}`)).text;
    const forStudent = (await ana.page(`/lessons/${FIRST_LESSON}`)).text;
    assert.ok(forTeacher.includes('Mr Teach'));
    assert.ok(!forTeacher.includes('href="/family"'), 'no Family link for a teacher');
    assert.ok(forStudent.includes('href="/family"'), 'a Family link for a student');
  });

  test('a session that had no token yet gets one stored with the page that prints it', async () => {
    const client = await signedUp(t.app, 'student', 'no-token-yet');
    const [record] = await t.store.find('sessions', 'userId', client.user!.id);
    const { csrfToken: _dropped, ...data } = record.data;
    const { put } = await import('../src/store/backend.ts');
    await t.store.commit([put('sessions', { ...record, data })]);
    for (const url of [`/lessons/${FIRST_LESSON}`, '/']) {
      const page = await client.page(url);
      client.token = tokenIn(page.text);
      const [stored] = await t.store.find('sessions', 'userId', client.user!.id);
      assert.equal(stored.data.csrfToken, client.token, `${url}: the printed token is the stored one`);
    }
    assert.equal((await client.form('/logout')).status, 303, 'and the form it printed works');
  });

  test("the logout form on a shared page works with the reader's own token", async () => {
    const page = (await cy.page(`/lessons/${FIRST_LESSON}`)).text;
    cy.token = tokenIn(page);
    const response = await cy.form('/logout');
    assert.equal(response.status, 303);
    assert.equal((await cy.get('/session')).body.user, null);
  });
});
