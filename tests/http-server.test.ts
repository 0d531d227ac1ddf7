// The server `npm start` runs (src/http/server.ts) builds each request and
// response with the app's prototypes, so that Express's change of prototype
// finds nothing to change. These tests serve the real app through it over
// real HTTP: it must answer as the app does anywhere else, and the objects
// must arrive already made with Express's prototypes (with Node's own
// constructors they do not; the second test shows the difference is seen).
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serverFor } from '../src/http/server.ts';
import { Client, FIRST_LESSON, classroom, rightAnswers, startApp, type TestApp } from './helpers.ts';

/**
 * The app served over HTTP by `server` on a free port, closed after the test;
 * notes for every request whether it came with the app's prototypes.
 */
async function serving(t: TestContext, app: TestApp, server: Server): Promise<{ url: string; madeWithAppPrototypes: boolean[] }> {
  t.after(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    await app.close();
  });
  const madeWithAppPrototypes: boolean[] = [];
  // Before the app's own listener, which is where Express would change them.
  server.prependListener('request', (req: IncomingMessage, res: ServerResponse) => {
    madeWithAppPrototypes.push(Object.getPrototypeOf(req) === app.app.request && Object.getPrototypeOf(res) === app.app.response);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, madeWithAppPrototypes };
}

test('served by serverFor, a student signs up, answers a quiz and reads the result, with every request made with the app\'s prototypes', async (t) => {
  const app = await startApp();
  const { joinCode } = await classroom(app.app, []);
  const { url, madeWithAppPrototypes } = await serving(t, app, serverFor(app.app));

  const student = new Client(app.app, url);
  const signup = await student.signup('student', 'kit', { classCode: joinCode });
  assert.equal(signup.status, 201);
  assert.match(String(signup.headers['content-security-policy']), /default-src 'self'/);

  const answered = await student.post(`/lessons/${FIRST_LESSON}/quiz`, { answers: rightAnswers(FIRST_LESSON) });
  assert.equal(answered.status, 201);
  assert.equal(answered.body.attempt.percent, 100);
  assert.equal(answered.body.attempt.passed, true);

  // A form post from the quiz page (nothing ticked): a redirect to the result page.
  const form = await student.form(`/lessons/${FIRST_LESSON}/quiz`, {});
  assert.equal(form.status, 303);
  const result = await student.page(String(form.headers.location));
  assert.equal(result.status, 200);
  assert.match(result.text, /Your result/);

  const missing = await student.get('/no-such-page');
  assert.equal(missing.status, 404);
  assert.equal(missing.body.error !== undefined, true);

  assert.ok(madeWithAppPrototypes.length >= 6, `requests seen: ${madeWithAppPrototypes.length}`);
  assert.deepEqual(madeWithAppPrototypes, madeWithAppPrototypes.map(() => true));
});

test('with Node\'s own constructors the objects arrive with other prototypes (what serverFor changes)', async (t) => {
  const app = await startApp();
  const { url, madeWithAppPrototypes } = await serving(t, app, createServer(app.app));
  const home = await new Client(app.app, url).page('/');
  assert.equal(home.status, 200);
  assert.deepEqual(madeWithAppPrototypes, [false]);
});
