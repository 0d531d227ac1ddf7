import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Client, defaultAdmin, FIRST_LESSON, signedUp, startApp, type TestApp } from './helpers.ts';
import { classWith, parseCsv } from './more-helpers.ts';
import { toCsv } from '../src/classes/csv.ts';

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

  test('wrong passwords for one name from one address get a 429 with Retry-After and a page saying when to try again', async () => {
    await signedUp(t.app, 'student', 'target');
    const client = new Client(t.app);
    await client.refreshToken();
    for (let i = 0; i < 5; i++) assert.equal((await client.post('/login', { username: 'target', password: `guess-${i}-xx` })).status, 401);
    const limited = await client.post('/login', { username: 'target', password: 'a-long-secret-1' });
    assert.equal(limited.status, 429);
    assert.match(limited.body.error.message, /Too many wrong passwords/);
    assert.match(limited.body.error.message, /wait \d+ seconds? and try again/);
    assert.ok(Number(limited.headers['retry-after']) >= 1);
    const page = await client.form('/login', { username: 'target', password: 'guess-again-xx' });
    assert.equal(page.status, 429);
    assert.match(page.text, /Please wait \d+ seconds? and try again/);
    assert.match(page.text, /value="target"/, 'the form keeps the username');
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

describe('accounts: input at the edge, sessions and private pages', () => {
  let t: TestApp;
  before(async () => {
    t = await startApp();
  });
  after(async () => {
    await t.close();
  });

  async function anonymous(): Promise<Client> {
    const client = new Client(t.app);
    await client.refreshToken();
    return client;
  }

  test('messages name the field and the limit, and "must be text" only for what is not text', async () => {
    const client = await anonymous();
    const cases: [string, object, string, string][] = [
      ['/signup', { role: 'student', username: 'u'.repeat(33), password: 'a-long-secret-1', displayName: 'A' }, 'username', 'Username: at most 32 characters'],
      ['/signup', { role: 'student', username: 'ab', password: 'a-long-secret-1', displayName: 'A' }, 'username', 'Username: at least 3 characters'],
      ['/signup', { role: 'student', username: 'long-pw', password: 'p'.repeat(201), displayName: 'A' }, 'password', 'Password: at most 200 characters'],
      ['/signup', { role: 'student', username: 'short-pw', password: 'short', displayName: 'A' }, 'password', 'Password: at least 8 characters.'],
      ['/signup', { role: 'student', username: 'long-name', password: 'a-long-secret-1', displayName: 'n'.repeat(61) }, 'displayName', 'Display name: at most 60 characters'],
      ['/signup', { role: 'student', username: 'long-code', password: 'a-long-secret-1', displayName: 'A', classCode: 'C'.repeat(21) }, 'classCode', 'Class code: at most 20 characters'],
      ['/signup', { role: 'student', username: ['a', 'b'], password: 'a-long-secret-1', displayName: 'A' }, 'username', 'Username: must be text'],
      ['/signup', { role: 'student', password: 'a-long-secret-1', displayName: 'A' }, 'username', 'Username: is missing'],
      ['/login', { username: 'u'.repeat(65), password: 'whatever-1' }, 'username', 'Username: at most 64 characters'],
      ['/login', { username: 'someone', password: 'p'.repeat(201) }, 'password', 'Password: at most 200 characters'],
    ];
    for (const [url, body, field, message] of cases) {
      const response = await client.post(url, body);
      assert.equal(response.status, 422, JSON.stringify(body).slice(0, 80));
      assert.deepEqual(response.body.error, { message, field });
    }
  });

  test('display names lose reordering controls and blank edges; a name with nothing visible is a 422 naming the field', async () => {
    const rlo = await signedUp(t.app, 'student', 'rlo-name', { displayName: 'Sam\u202E' });
    assert.equal(rlo.user!.displayName, 'Sam', 'a trailing right-to-left override cannot reverse what follows the name');
    const mixed = await signedUp(t.app, 'student', 'bidi-mix', { displayName: '\u200B\u2067Ana\u2069 \u200Fmaría\u200B' });
    assert.equal(mixed.user!.displayName, 'Ana maría');
    const joined = await signedUp(t.app, 'student', 'emoji-zwj', { displayName: 'Kai 👩‍💻' });
    assert.equal(joined.user!.displayName, 'Kai 👩‍💻', 'joiners inside emoji sequences stay');
    const multiline = await signedUp(t.app, 'student', 'two-lines', { displayName: 'Line\r\nBreak\tTab' });
    assert.equal(multiline.user!.displayName, 'Line Break Tab');

    const client = await anonymous();
    for (const invisible of ['\u200B\u200C\u200D', '\u202E\u2066', '\u3164\u3164', ' \u00A0 ', '\uFEFF']) {
      const response = await client.post('/signup', { role: 'student', username: 'invisible-1', password: 'a-long-secret-1', displayName: invisible });
      assert.equal(response.status, 422, JSON.stringify(invisible));
      assert.equal(response.body.error.field, 'displayName');
      assert.match(response.body.error.message, /^Display name: /);
    }
    assert.equal((await client.post('/login', { username: 'invisible-1', password: 'a-long-secret-1' })).status, 401, 'no account was made');
  });

  test('a class name is cleaned the same way', async () => {
    const teacher = await signedUp(t.app, 'teacher', 'class-namer');
    const created = await teacher.post('/classes', { name: '\u202EYear 9\u200B' });
    assert.equal(created.status, 201);
    assert.equal(created.body.class.name, 'Year 9');
    const blank = await teacher.post('/classes', { name: '\u200B\u200D' });
    assert.equal(blank.status, 422);
    assert.equal(blank.body.error.field, 'name');
  });

  test('changing a password ends every other session of that user, and keeps this one', async () => {
    const laptop = await signedUp(t.app, 'student', 'two-devices');
    const phone = new Client(t.app);
    assert.equal((await phone.login('two-devices')).status, 200);
    const other = await signedUp(t.app, 'student', 'bystander');
    const changed = await laptop.post('/password', { password: 'a-long-secret-1', newPassword: 'a-newer-secret-2' });
    assert.equal(changed.status, 200);
    assert.equal((await phone.get('/session')).body.user, null, 'the phone is signed out');
    assert.equal((await laptop.get('/session')).body.user?.username, 'two-devices', 'the laptop stays signed in');
    assert.equal((await other.get('/session')).body.user?.username, 'bystander', "other people's sessions stay");
    await phone.refreshToken();
    assert.equal((await phone.login('two-devices')).status, 401);
    assert.equal((await phone.login('two-devices', 'a-newer-secret-2')).status, 200);
  });

  test("a teacher's reset ends every session of the student", async () => {
    const { teacher, classId, students } = await classWith(t.app, 'rs', ['kid']);
    const [laptop] = students;
    const phone = new Client(t.app);
    assert.equal((await phone.login('rs-kid')).status, 200);
    const reset = await teacher.post(`/classes/${classId}/students/${laptop.user!.id}/reset-password`);
    assert.equal(reset.status, 201);
    assert.equal((await laptop.get('/session')).body.user, null);
    assert.equal((await phone.get('/session')).body.user, null);
    assert.equal((await teacher.get('/session')).body.user?.username, 't-rs', "the teacher's own session stays");
  });

  test('no-store on every page and file with personal data or a secret; Vary: Accept where a URL serves HTML and JSON', async () => {
    const { teacher, classId, students } = await classWith(t.app, 'hdr', ['kid']);
    await teacher.post(`/classes/${classId}/assignments`, { lessonId: FIRST_LESSON });
    const studentId = students[0].user!.id;
    const anon = new Client(t.app);
    const responses = {
      'login page (CSRF token)': await anon.page('/login'),
      'session JSON (CSRF token)': await anon.get('/session'),
      'home page': await teacher.page('/'),
      'home JSON': await teacher.get('/'),
      'class page': await teacher.page(`/classes/${classId}`),
      'student page': await teacher.page(`/classes/${classId}/students/${studentId}`),
      'progress CSV': await teacher.agent.get(`/classes/${classId}/progress.csv`),
      'student export': await (await defaultAdmin(t.app)).post(`/admin/students/${studentId}/export`),
      'parent code': await students[0].form('/parent-code'),
      'reset slip': await teacher.form(`/classes/${classId}/students/${studentId}/reset-password`),
      'an error page': await teacher.page('/classes/nope'),
    };
    for (const [what, response] of Object.entries(responses)) {
      assert.equal(response.headers['cache-control'], 'no-store', what);
      assert.match(String(response.headers.vary), /\bAccept\b/, what);
    }
    assert.equal(responses['reset slip'].status, 201);
    assert.equal(responses['parent code'].status, 201);
    const css = await anon.agent.get('/styles.css');
    assert.equal(css.status, 200);
    assert.notEqual(css.headers['cache-control'], 'no-store', 'the public style sheet may be cached');
  });

  test('a student who must choose a new password still gets the style sheet for that page', async () => {
    const { teacher, classId, students } = await classWith(t.app, 'css', ['kid']);
    const temporary = (await teacher.post(`/classes/${classId}/students/${students[0].user!.id}/reset-password`)).body.temporaryPassword;
    const student = new Client(t.app);
    assert.equal((await student.login('css-kid', temporary)).status, 200);
    assert.equal((await student.page('/lessons')).headers.location, '/password');
    const css = await student.agent.get('/styles.css');
    assert.equal(css.status, 200);
    assert.match(css.headers['content-type'], /text\/css/);
  });

  test("no text a user types can become the reader's CSRF token on a cached page", async () => {
    const placeholder = '__CSRF_TOKEN_PLACEHOLDER__';
    const { teacher, classId } = await classWith(t.app, 'ph', ['kid'], { displayNames: [placeholder] });
    for (let i = 0; i < 2; i++) {
      const page = await teacher.page(`/classes/${classId}`);
      assert.equal(page.status, 200);
      assert.ok(page.text.includes(placeholder), 'the name is shown as typed');
    }
  });

  test('CSV cells holding a separator, quote or line break are quoted; formulas are neutralised', async () => {
    const csv = toCsv([['Sam;=1+1', 'a,b', 'tab\there', 'say "hi"', 'two\nlines', 'plain', '=1+1', '+1', '-1', '@SUM(A1)', '\tx', '\rx', ' =1', '']]);
    assert.equal(csv, `"Sam;=1+1","a,b","tab\there","say ""hi""","two\nlines",plain,'=1+1,'+1,'-1,'@SUM(A1),"'\tx","'\rx",' =1,\n`);
    const { teacher, classId } = await classWith(t.app, 'semi', ['kid'], { displayNames: ['Sam;=1+1'] });
    await teacher.post(`/classes/${classId}/assignments`, { lessonId: FIRST_LESSON });
    const response = await teacher.agent.get(`/classes/${classId}/progress.csv`);
    assert.ok(response.text.includes('"Sam;=1+1"'), 'a spreadsheet splitting on semicolons keeps the name in one cell');
    assert.equal(parseCsv(response.text)[1][1], 'Sam;=1+1');
  });

  test('exports and teacher pages never show parent codes', async () => {
    const { teacher, classId, students } = await classWith(t.app, 'pcx', ['kid']);
    const made = await students[0].post('/parent-code');
    const raw = made.body.code.replace('-', '');
    const studentId = students[0].user!.id;
    const pages = [
      await (await defaultAdmin(teacher.app)).post(`/admin/students/${studentId}/export`),
      await teacher.get(`/classes/${classId}/students/${studentId}`),
      await teacher.page(`/classes/${classId}/students/${studentId}`),
      await teacher.get(`/classes/${classId}`),
      await teacher.page(`/classes/${classId}`),
      await teacher.get(`/classes/${classId}/roster`),
      await teacher.agent.get(`/classes/${classId}/progress.csv`),
    ];
    for (const page of pages) {
      assert.equal(page.status, 200);
      assert.ok(!page.text.includes(raw) && !page.text.includes(made.body.code), 'the code is not shown');
    }
    const exported = JSON.parse(pages[0].text);
    assert.equal(exported.parentCodes, undefined);
    assert.equal(exported.account.username, 'pcx-kid');
  });
});
