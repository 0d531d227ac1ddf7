// LTI 1.3: keys, connecting an LMS, the login and launch with every refusal
// rule, users and classes from launches, deep linking and framing, driven
// against a platform simulator (tests/lti-platform.ts).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createLocalJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import supertest from 'supertest';
import { Client, schoolWithAdmin, signedUp, startApp, FIRST_LESSON, SECOND_LESSON, type TestApp } from './helpers.ts';
import { connect, INSTRUCTOR, launch, LEARNER, login, platformFor, ROLES, type Platform } from './lti-platform.ts';
import { rotateKey } from '../src/lti/keys.ts';
import { pruneLaunchRecords } from '../src/lti/launch.ts';

const DL = 'https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings';
const MESSAGE = 'https://purl.imsglobal.org/spec/lti/claim/message_type';

function sessionCookie(response: supertest.Response): string | undefined {
  const cookies = ([] as string[]).concat(response.headers['set-cookie'] ?? []);
  return cookies.find((cookie) => cookie.startsWith('framecheck.sid='));
}

describe('LTI keys', () => {
  let t: TestApp;
  before(async () => (t = await startApp()));
  after(async () => t.close());

  test('the tool publishes its key with a kid, keeps it across a restart, and a rotation keeps the old key published until its tokens are over', async () => {
    const first = (await supertest(t.app).get('/lti/jwks')).body.keys;
    assert.equal(first.length, 1);
    assert.ok(first[0].kid);
    assert.equal(first[0].d, undefined, 'no private part is published');
    t = await t.restart();
    assert.deepEqual((await supertest(t.app).get('/lti/jwks')).body.keys, first);
    const { newKid } = await rotateKey(t.store, t.clock.now);
    const both = (await supertest(t.app).get('/lti/jwks')).body.keys.map((key: { kid: string }) => key.kid);
    assert.deepEqual(both.sort(), [first[0].kid, newKid].sort());
    t.clock.now = new Date(t.clock.now.getTime() + 2 * 60 * 60 * 1000);
    assert.deepEqual((await supertest(t.app).get('/lti/jwks')).body.keys.map((key: { kid: string }) => key.kid), [newKid]);
  });
});

describe('LTI 1.3 connection and launch', () => {
  let t: TestApp;
  let lms: Platform;
  let other: Platform;
  let admin: Client;
  let schoolId: string;

  before(async () => {
    t = await startApp();
    ({ admin, schoolId } = await schoolWithAdmin(t));
    lms = await platformFor(t);
    other = await platformFor(t, 'other-client');
    await connect(admin, lms);
  });
  after(async () => {
    await lms.close();
    await other.close();
    await t.close();
  });

  test('only the school admin manages LMS connections; addresses must be https except on loopback', async () => {
    const teacher = await signedUp(t.app, 'teacher', 'ms-lee');
    assert.notEqual((await teacher.post('/lti/platforms', other.manualRegistration())).status, 201);
    assert.notEqual((await teacher.post('/lti/registrations', {})).status, 201);
    const plain = await admin.post('/lti/platforms', { ...other.manualRegistration(), authUrl: 'http://lms.example.org/auth' });
    assert.equal(plain.status, 422);
    assert.equal(plain.body.error.field, 'authUrl');
    assert.equal((await admin.post('/lti/platforms', lms.manualRegistration())).status, 409);
    const listPage = await admin.page('/lti/platforms');
    assert.equal(listPage.status, 200);
    assert.match(listPage.text, /Make a registration link/);
    const list = await admin.get('/lti/platforms');
    assert.equal(list.status, 200);
    assert.deepEqual(list.body.platforms.map((platform: { issuer: string; deploymentIds: string[] }) => [platform.issuer, platform.deploymentIds]), [[lms.issuer, [lms.deploymentId]]]);
    const events = await t.store.find('auditEvents', 'schoolId', schoolId);
    assert.equal(events.filter((event) => event.action === 'lms.connected').length, 1);
  });

  test('login redirects to the platform with the OIDC parameters; an unknown issuer or client id is a 400 page', async () => {
    const client = new Client(t.app);
    const { location } = await login(client, lms, { lti_message_hint: 'msg-7' });
    assert.equal(location.origin + location.pathname, lms.url('/auth'));
    for (const [name, value] of Object.entries({ scope: 'openid', response_type: 'id_token', response_mode: 'form_post', prompt: 'none', client_id: lms.clientId, login_hint: 'hint-1', lti_message_hint: 'msg-7' })) {
      assert.equal(location.searchParams.get(name), value, name);
    }
    assert.ok(location.searchParams.get('state') && location.searchParams.get('nonce'));
    assert.match(location.searchParams.get('redirect_uri')!, /\/lti\/launch$/);
    const unknown = await client.agent.get('/lti/login').query({ iss: 'https://nobody.example', login_hint: 'x', target_link_uri: 'http://tool.test/' });
    assert.equal(unknown.status, 400);
    assert.equal(unknown.headers.location, undefined);
    const wrongClient = await client.agent.post('/lti/login').type('form').send({ iss: lms.issuer, login_hint: 'x', target_link_uri: 'http://tool.test/', client_id: 'nope' });
    assert.equal(wrongClient.status, 400);
  });

  test('a learner lands in the lesson, signed in with a new session, in the class of the course, with the lesson assigned', async () => {
    const student = new Client(t.app);
    await student.agent.get('/session');
    const { response } = await launch(student, lms, { sub: 'learner-7', [ROLES]: LEARNER });
    assert.equal(response.status, 303, response.text.slice(0, 400));
    assert.equal(response.headers.location, `/lessons/${FIRST_LESSON}`);
    assert.ok(sessionCookie(response), 'a new session id');
    const me = await student.get('/session');
    assert.equal(me.body.user.role, 'student');
    assert.equal(me.body.user.displayName, 'Student 1');
    const user = await t.store.get('users', me.body.user.id);
    assert.equal(user!.schoolId, schoolId);
    assert.ok(!JSON.stringify(user).includes('@'), 'no email kept');
    const memberships = await t.store.find('memberships', 'studentId', user!.id);
    assert.equal(memberships.length, 1);
    const record = await t.store.get('classes', memberships[0].classId);
    assert.equal(record!.name, 'Year 9 Media');
    assert.equal(record!.schoolId, schoolId);
    assert.deepEqual((await t.store.find('assignments', 'classId', record!.id)).map((assignment) => assignment.lessonId), [FIRST_LESSON]);
    // The same LMS user again is the same FrameCheck user; a password never lets them in.
    const again = new Client(t.app);
    await launch(again, lms, { sub: 'learner-7', [ROLES]: LEARNER });
    assert.equal((await again.get('/session')).body.user.id, user!.id);
    assert.equal((await new Client(t.app).login(user!.username, '')).status, 422);
  });

  test('an instructor lands on the class page and becomes a co-teacher; the platform may frame launched pages, other pages refuse frames', async () => {
    const first = new Client(t.app);
    const { response } = await launch(first, lms, { sub: 'teacher-1', name: 'Ms Rivera', [ROLES]: INSTRUCTOR, 'https://purl.imsglobal.org/spec/lti/claim/resource_link': undefined, 'https://purl.imsglobal.org/spec/lti/claim/target_link_uri': 'http://tool.test/' });
    assert.equal(response.status, 303, response.text.slice(0, 400));
    assert.match(response.headers.location, /^\/classes\/[^/]+$/);
    const classPage = await first.page(response.headers.location);
    assert.equal(classPage.status, 200);
    assert.match(classPage.headers['content-security-policy'], new RegExp(`frame-ancestors 'self' ${lms.issuer}`));
    assert.equal(classPage.headers['x-frame-options'], undefined);
    const second = new Client(t.app);
    const co = await launch(second, lms, { sub: 'teacher-2', [ROLES]: ['Instructor'], 'https://purl.imsglobal.org/spec/lti/claim/resource_link': undefined, 'https://purl.imsglobal.org/spec/lti/claim/target_link_uri': 'http://tool.test/' });
    assert.equal(co.response.headers.location, response.headers.location, 'both instructors teach the one class');
    assert.equal((await second.get(response.headers.location)).status, 200);
    const classId = response.headers.location.split('/')[2];
    assert.equal((await t.store.find('classTeachers', 'classId', classId)).length, 2);
    const plain = await signedUp(t.app, 'teacher', 'mr-plain');
    assert.match((await plain.page('/')).headers['content-security-policy'], /frame-ancestors 'none'/);
  });

  test('two contexts with one title are two classes; a student of one platform never sees a class of another', async () => {
    await connect(admin, other);
    const a = new Client(t.app);
    const launchedA = await launch(a, lms, { sub: 'teacher-1', [ROLES]: INSTRUCTOR, 'https://purl.imsglobal.org/spec/lti/claim/resource_link': undefined });
    const b = new Client(t.app);
    const launchedB = await launch(b, other, { sub: 'teacher-1', [ROLES]: INSTRUCTOR, 'https://purl.imsglobal.org/spec/lti/claim/resource_link': undefined });
    assert.notEqual(launchedA.response.headers.location, launchedB.response.headers.location);
    const sameTitle = await launch(new Client(t.app), lms, { sub: 'teacher-1', [ROLES]: INSTRUCTOR, 'https://purl.imsglobal.org/spec/lti/claim/context': { id: 'course-2', title: 'Year 9 Media' }, 'https://purl.imsglobal.org/spec/lti/claim/resource_link': undefined });
    assert.equal(sameTitle.response.status, 303);
    assert.notEqual(sameTitle.response.headers.location.split('/')[2], launchedA.response.headers.location.split('/')[2]);
    const titled = (await t.store.find('classes', 'schoolId', schoolId)).filter((record) => record.name === 'Year 9 Media');
    assert.ok(titled.length >= 3, 'one class per course, whatever its title');
    const studentB = new Client(t.app);
    const launchedStudent = await launch(studentB, other, { sub: 'learner-7', [ROLES]: LEARNER });
    assert.equal(launchedStudent.response.status, 303, launchedStudent.response.text.slice(-1500));
    assert.notEqual((await studentB.get('/session')).body.user.id, undefined);
    const classOfA = launchedA.response.headers.location.split('/').slice(0, 3).join('/');
    const seen = await studentB.get(classOfA);
    assert.equal(seen.status, 404, JSON.stringify([seen.body, launchedA.response.headers.location, launchedB.response.headers.location]));
    const studentA = (await t.store.find('ltiIdentities', 'platformId', (await t.store.find('ltiPlatforms', 'issuer', lms.issuer))[0].id)).length;
    assert.ok(studentA >= 1);
  });

  describe('refused launches: 401, a page that says why, and no session', () => {
    async function refused(claims: Record<string, unknown>, options: { key?: 'foreign' | 'unknown-kid'; state?: (state: string) => string; client?: Client } = {}, pattern?: RegExp): Promise<void> {
      const client = options.client ?? new Client(t.app);
      const { state, nonce } = await login(client, lms);
      const key = options.key === 'foreign' ? await lms.signingKey(lms.signing.kid) : options.key === 'unknown-kid' ? await lms.signingKey('never-published') : undefined;
      const idToken = await lms.idToken({ nonce, ...claims }, { key });
      const sessionsBefore = await t.store.count('sessions');
      const response = await client.agent.post('/lti/launch').set('Accept', 'text/html').type('form').send({ id_token: idToken, state: options.state ? options.state(state) : state });
      assert.equal(response.status, 401, response.text.slice(0, 300));
      assert.match(response.text, /FrameCheck could not sign you in/);
      if (pattern) assert.match(response.text, pattern);
      assert.equal(sessionCookie(response), undefined);
      assert.equal(await t.store.count('sessions'), sessionsBefore);
      assert.equal((await client.get('/session')).body.user, null);
    }
    const now = () => Math.floor(t.clock.now.getTime() / 1000);

    test('bad signature', () => refused({}, { key: 'foreign' }, /signature/));
    test('unknown kid', () => refused({}, { key: 'unknown-kid' }, /kid/));
    test('unknown issuer', () => refused({ iss: 'https://someone-else.example' }, {}, /issuer/));
    test('aud without the client id', () => refused({ aud: 'another-tool' }, {}, /client id/));
    test('an array aud without azp', () => refused({ aud: [lms.clientId, 'another-tool'] }, {}, /azp/));
    test('azp of another client', () => refused({ aud: [lms.clientId], azp: 'another-tool' }, {}, /authorized/));
    test('expired beyond the skew', () => refused({ iat: now() - 900, exp: now() - 120 }, {}, /expired/));
    test('issued in the future beyond the skew', () => refused({ iat: now() + 600, exp: now() + 900 }, {}, /future/));
    test('an unknown deployment', () => refused({ 'https://purl.imsglobal.org/spec/lti/claim/deployment_id': 'deployment-9' }, {}, /deployment/));
    test('a missing version', () => refused({ 'https://purl.imsglobal.org/spec/lti/claim/version': undefined }, {}, /1\.3\.0/));
    test('a missing message type', () => refused({ [MESSAGE]: undefined }, {}, /message type/));
    test('a state this browser did not start', async () => {
      const thief = new Client(t.app);
      const { state: theirs } = await login(thief, lms);
      await refused({}, { state: () => theirs }, /does not match/);
    });
    test('a nonce seen before', async () => {
      const client = new Client(t.app);
      const first = await launch(client, lms, { sub: 'learner-replay' });
      assert.equal(first.response.status, 303);
      const replay = await client.agent.post('/lti/launch').type('form').send({ id_token: first.idToken, state: first.state });
      assert.equal(replay.status, 401);
      assert.match(replay.text, /nonce/);
    });
    test('a browser that dropped the state cookie is offered a new window', async () => {
      const client = new Client(t.app);
      const { state, nonce } = await login(client, lms);
      const response = await supertest(t.app).post('/lti/launch').type('form').send({ id_token: await lms.idToken({ nonce }), state });
      assert.equal(response.status, 401);
      assert.match(response.text, /Open FrameCheck in a new window/);
      assert.match(response.text, /href="\/lti\/login\?iss=/);
    });
    test('the platform rotated its key: the new kid is fetched and accepted', async () => {
      await new Promise((resolve) => setTimeout(resolve, 1100));
      await lms.rotate();
      const { response } = await launch(new Client(t.app), lms, { sub: 'learner-rotated' });
      assert.equal(response.status, 303, response.text.slice(0, 300));
    });
  });

  test('deep linking: the course map with checkboxes, then a signed response with one link and a line item out of 100 per lesson', async () => {
    const teacher = new Client(t.app);
    const { response } = await launch(teacher, lms, {
      sub: 'teacher-1',
      [ROLES]: INSTRUCTOR,
      [MESSAGE]: 'LtiDeepLinkingRequest',
      'https://purl.imsglobal.org/spec/lti/claim/resource_link': undefined,
      [DL]: { deep_link_return_url: lms.url('/deep-link/return?course=1'), accept_types: ['ltiResourceLink'], accept_presentation_document_targets: ['iframe'], data: 'opaque-42' },
    });
    assert.equal(response.status, 303, response.text.slice(0, 300));
    assert.equal(response.headers.location, '/lti/deep-link');
    const picker = await teacher.page('/lti/deep-link');
    assert.equal(picker.status, 200);
    assert.match(picker.text, new RegExp(`type="checkbox" id="lesson-${FIRST_LESSON}" name="lessonIds"`));
    const launchField = /name="launch" value="([^"]+)"/.exec(picker.text)![1];
    const token = /name="_csrf" value="([^"]+)"/.exec(picker.text)![1];
    const form = (fields: [string, string][]) => new URLSearchParams(fields).toString();
    const withoutCsrf = await teacher.agent.post('/lti/deep-link').type('form').send(form([['launch', launchField], ['lessonIds', FIRST_LESSON]]));
    assert.equal(withoutCsrf.status, 403);
    const lessons = [FIRST_LESSON, SECOND_LESSON, 'grievance-and-revenge'];
    const posted = await teacher.agent.post('/lti/deep-link').set('Accept', 'text/html').type('form').send(form([['_csrf', token], ['launch', launchField], ...lessons.map((id): [string, string] => ['lessonIds', id])]));
    assert.equal(posted.status, 200, posted.text.slice(0, 400));
    assert.match(posted.text, new RegExp(`<form method="post" action="${lms.url('/deep-link/return?course=1').replace(/[?.]/g, '\\$&')}"`));
    assert.match(posted.text, /<script src="\/lti-autopost.js"><\/script>/);
    assert.match(posted.text, /<button type="submit"/);
    assert.match(posted.headers['content-security-policy'], new RegExp(`form-action 'self' ${lms.issuer}`));
    const jwt = /name="JWT" value="([^"]+)"/.exec(posted.text)![1];
    const keys = createLocalJWKSet((await supertest(t.app).get('/lti/jwks')).body);
    const { payload } = await jwtVerify(jwt, keys, { issuer: lms.clientId, audience: lms.issuer, currentDate: t.clock.now });
    assert.ok(decodeProtectedHeader(jwt).kid);
    assert.ok(payload.iat && payload.exp);
    assert.equal(payload[MESSAGE], 'LtiDeepLinkingResponse');
    assert.equal(payload['https://purl.imsglobal.org/spec/lti-dl/claim/data'], 'opaque-42');
    const items = payload['https://purl.imsglobal.org/spec/lti-dl/claim/content_items'] as { type: string; url: string; lineItem: { scoreMaximum: number } }[];
    assert.equal(items.length, 3);
    for (const [i, item] of items.entries()) {
      assert.equal(item.type, 'ltiResourceLink');
      assert.match(item.url, new RegExp(`/lessons/${lessons[i]}$`));
      assert.equal(item.lineItem.scoreMaximum, 100);
    }
    // A learner cannot pick lessons.
    const learner = await launch(new Client(t.app), lms, { [MESSAGE]: 'LtiDeepLinkingRequest', [DL]: { deep_link_return_url: lms.url('/deep-link/return') } });
    assert.equal(learner.response.status, 401);
  });

  test('the hourly housekeeping drops registration links, sign-in states and nonces past their time, and keeps the live ones', async () => {
    const old = await admin.post('/lti/registrations', { name: 'Link left unused' });
    assert.equal(old.status, 201);
    const started = t.clock.now;
    try {
      // A week and a day later: the first link (valid 7 days) and every earlier launch's state and nonce are past their time.
      t.clock.now = new Date(started.getTime() + 8 * 24 * 60 * 60 * 1000);
      const fresh = await admin.post('/lti/registrations', { name: 'Link made today' });
      assert.equal(fresh.status, 201);
      assert.ok((await pruneLaunchRecords(t.store, t.clock.now)) >= 1);
      const names = (await t.store.list('ltiRegistrations')).map((registration) => registration.name);
      assert.ok(!names.includes('Link left unused'), `the expired link is gone (left: ${names.join(', ')})`);
      assert.ok(names.includes('Link made today'), 'the live link stays');
      assert.deepEqual(await t.store.list('ltiLogins'), []);
      assert.deepEqual(await t.store.list('ltiNonces'), []);
      // The expired link's token is refused as it was before the housekeeping.
      const expired = await supertest(t.app).get('/lti/register').query({ token: new URL(old.body.registration.url).searchParams.get('token')!, openid_configuration: 'https://lms.example/.well-known/openid-configuration' });
      assert.match(expired.text, /unknown, used or expired/);
    } finally {
      t.clock.now = started;
    }
  });

  test('dynamic registration: a one-time URL, the platform registered with it, the page closes itself through a script file', async () => {
    const dynamic = await platformFor(t, 'dynamic-client');
    try {
      const made = await admin.post('/lti/registrations', { name: 'Hillside Moodle' });
      assert.equal(made.status, 201);
      const url = new URL(made.body.registration.url);
      assert.equal(url.pathname, '/lti/register');
      const query = { token: url.searchParams.get('token')!, openid_configuration: dynamic.url('/.well-known/openid-configuration'), registration_token: dynamic.registrationToken };
      const page = await supertest(t.app).get('/lti/register').set('Accept', 'text/html').query(query);
      assert.equal(page.status, 200, page.text.slice(0, 500));
      assert.match(page.text, /<script src="\/lti-close.js"><\/script>/);
      assert.equal(page.headers['cross-origin-opener-policy'], undefined);
      assert.match(page.headers['content-security-policy'], new RegExp(`frame-ancestors 'self' ${dynamic.issuer}`));
      const sent = dynamic.registrations[0] as Record<string, unknown>;
      assert.equal(sent.token_endpoint_auth_method, 'private_key_jwt');
      assert.match(String(sent.jwks_uri), /\/lti\/jwks$/);
      assert.match(String(sent.initiate_login_uri), /\/lti\/login$/);
      const platform = (await t.store.find('ltiPlatforms', 'issuer', dynamic.issuer)).find((one) => one.clientId === 'dynamic-client');
      assert.equal(platform?.schoolId, schoolId);
      assert.deepEqual(platform?.deploymentIds, [dynamic.deploymentId]);
      assert.equal(platform?.name, 'Hillside Moodle');
      const again = await supertest(t.app).get('/lti/register').query(query);
      assert.equal(again.status, 400, 'the URL works once');
      const { response } = await launch(new Client(t.app), dynamic, {});
      assert.equal(response.status, 303);
      assert.equal(await import('node:fs').then(({ readFileSync }) => readFileSync(new URL('../public/lti-close.js', import.meta.url), 'utf8').includes('org.imsglobal.lti.close')), true);
    } finally {
      await dynamic.close();
    }
  });

  test('a Common Cartridge of the course holds one LTI link per lesson', async () => {
    const response = await admin.agent.get('/lti/cartridge.imscc').buffer(true).parse((res, done) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => done(null, Buffer.concat(chunks)));
    });
    assert.equal(response.status, 200);
    const body = response.body as Buffer;
    assert.equal(body.subarray(0, 2).toString(), 'PK');
    const text = body.toString('utf8');
    assert.match(text, /imsmanifest\.xml/);
    assert.match(text, /<schemaversion>1\.3\.0<\/schemaversion>/);
    const lessons = (await admin.get('/lessons')).body.lessons.length;
    assert.equal(text.match(/<cartridge_basiclti_link /g)?.length, lessons);
    assert.match(text, new RegExp(`/lessons/${FIRST_LESSON}</blti:launch_url>`));
    assert.equal((await new Client(t.app).get('/lti/cartridge.imscc')).status, 401);
  });

  test('the admin disconnects a platform: its launches stop, and the audit log says so', async () => {
    const platformId = (await t.store.find('ltiPlatforms', 'issuer', other.issuer))[0].id;
    const teacher = await signedUp(t.app, 'teacher', 'not-admin');
    assert.notEqual((await teacher.post(`/lti/platforms/${platformId}/disconnect`)).status, 200);
    assert.equal((await admin.post(`/lti/platforms/${platformId}/disconnect`)).status, 200);
    const client = new Client(t.app);
    const response = await client.agent.get('/lti/login').query({ iss: other.issuer, login_hint: 'x', target_link_uri: 'http://tool.test/', client_id: other.clientId });
    assert.equal(response.status, 400);
    const events = await t.store.find('auditEvents', 'schoolId', schoolId);
    assert.ok(events.some((event) => event.action === 'lms.disconnected'));
  });
});

describe('LTI state cookie and PUBLIC_URL', () => {
  let t: TestApp;
  let lms: Platform;
  let admin: Client;
  before(async () => {
    t = await startApp({ env: { TRUST_PROXY: '1', PUBLIC_URL: 'https://framecheck.school.example/' } });
    ({ admin } = await schoolWithAdmin(t));
    lms = await platformFor(t);
    await connect(admin, lms);
  });
  after(async () => {
    await lms.close();
    await t.close();
  });

  test('the state cookie is SameSite=None; Secure over HTTPS and Lax over plain HTTP; the tool URLs come from PUBLIC_URL', async () => {
    const query = { iss: lms.issuer, login_hint: 'x', target_link_uri: 'https://framecheck.school.example/', client_id: lms.clientId };
    const secure = await supertest(t.app).get('/lti/login').set('X-Forwarded-Proto', 'https').query(query);
    const secureCookie = ([] as string[]).concat(secure.headers['set-cookie'] ?? []).find((cookie) => cookie.startsWith('framecheck.lti='))!;
    assert.match(secureCookie, /SameSite=None/);
    assert.match(secureCookie, /Secure/);
    assert.match(secureCookie, /HttpOnly/);
    assert.equal(new URL(secure.headers.location).searchParams.get('redirect_uri'), 'https://framecheck.school.example/lti/launch');
    const plain = await supertest(t.app).get('/lti/login').query(query);
    const plainCookie = ([] as string[]).concat(plain.headers['set-cookie'] ?? []).find((cookie) => cookie.startsWith('framecheck.lti='))!;
    assert.match(plainCookie, /SameSite=Lax/);
    assert.doesNotMatch(plainCookie, /Secure/);
    const made = await admin.post('/lti/registrations', {});
    assert.match(made.body.registration.url, /^https:\/\/framecheck\.school\.example\/lti\/register\?token=/);
  });
});
