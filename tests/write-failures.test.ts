// What people and monitors see when the disk refuses writes, and what an
// anonymous visitor costs the disk: /healthz, the 503 a refused answer gets,
// and sessions that are stored only when a page has a form.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import supertest from 'supertest';
import { createApp } from '../src/app.ts';
import { loadConfig } from '../src/config.ts';
import { EmbeddedBackend } from '../src/store/embedded.ts';
import { FaultyFs } from './faulty-fs.ts';
import { formPairs } from './more-helpers.ts';
import { catalog, Client, FIRST_LESSON, rightAnswers, signedUp, startApp, tempDir } from './helpers.ts';

function journalBytes(dir: string): number {
  return readdirSync(dir)
    .filter((name) => name.endsWith('.jsonl'))
    .reduce((sum, name) => sum + statSync(path.join(dir, name)).size, 0);
}

describe('anonymous visitors', () => {
  test('pages without a form, 404s and /healthz create no session and write nothing', async () => {
    const t = await startApp();
    try {
      const before = journalBytes(t.dataDir);
      for (const url of ['/', '/about', '/help', '/lessons', `/lessons/${FIRST_LESSON}`, '/no-such-page', '/styles.css', '/healthz']) {
        const response = await supertest(t.app).get(url).set('Accept', 'text/html').set('User-Agent', 'ExampleCrawler/1.0');
        assert.ok(response.status < 500, `${url} answers`);
        assert.equal(response.headers['set-cookie'], undefined, `${url} sets no session cookie`);
      }
      assert.equal((await t.store.count('sessions')), 0);
      assert.equal(journalBytes(t.dataDir), before, 'nothing was written to disk');
    } finally {
      await t.close();
    }
  });

  test('a page with a form creates the session that holds its token, and the form works', async () => {
    const t = await startApp();
    try {
      await signedUp(t.app, 'student', 'formuser');
      const sessionsBefore = (await t.store.count('sessions'));
      const visitor = new Client(t.app);
      const page = await visitor.page('/login');
      assert.equal(page.status, 200);
      assert.ok(page.headers['set-cookie'], 'the login page starts a session');
      assert.equal((await t.store.count('sessions')), sessionsBefore + 1);
      visitor.token = /name="_csrf" value="([^"]+)"/.exec(page.text)![1];
      const login = await visitor.form('/login', { username: 'formuser', password: 'a-long-secret-1' });
      assert.equal(login.status, 303, 'the token in the form is accepted');
      const home = await visitor.page('/');
      assert.match(home.text, /Log out/, 'signed in');
      const logoutToken = /name="_csrf" value="([^"]+)"/.exec(home.text)![1];
      visitor.token = logoutToken;
      assert.equal((await visitor.form('/logout')).status, 303, 'a signed-in page still carries a working token');
    } finally {
      await t.close();
    }
  });
});

describe('when the disk refuses writes', () => {
  test('an answer is refused with 503, /healthz says why, and both recover without a restart', async () => {
    const dataDir = tempDir();
    const fs = new FaultyFs();
    const log: string[] = [];
    const store = await EmbeddedBackend.open(dataDir, { fs, log: (message) => log.push(message), retry: { firstMs: 5, maxMs: 20 } });
    const config = { ...loadConfig({ DATA_DIR: dataDir }), passwordCost: 1024 };
    const app = createApp({ config, store, catalog: catalog() });
    try {
      const student = await signedUp(app, 'student', 'diskfull');
      assert.deepEqual((await supertest(app).get('/healthz')).body, { status: 'ok' });

      fs.diskFullAfter(0);
      const refused = await student.post(`/lessons/${FIRST_LESSON}/quiz`, { answers: rightAnswers(FIRST_LESSON) });
      assert.equal(refused.status, 503);
      assert.match(refused.body.error.message, /nothing was saved/);
      const pairs = Object.entries(rightAnswers(FIRST_LESSON)).flatMap(([question, ids]) => [ids].flat().map((id): [string, string] => [question, id]));
      const asPage = await formPairs(student, `/lessons/${FIRST_LESSON}/quiz`, pairs);
      assert.equal(asPage.status, 503);
      assert.match(asPage.text, /try again/);
      const health = await supertest(app).get('/healthz');
      assert.equal(health.status, 503);
      assert.equal(health.body.status, 'failing');
      assert.match(health.body.reason, /ENOSPC/);
      assert.equal((await store.list('attempts')).length, 0, 'the refused answer is not shown anywhere');

      fs.heal();
      const started = Date.now();
      while ((await supertest(app).get('/healthz')).status !== 200) {
        assert.ok(Date.now() - started < 5000, '/healthz recovers within 5 s');
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      const saved = await student.post(`/lessons/${FIRST_LESSON}/quiz`, { answers: rightAnswers(FIRST_LESSON) });
      assert.equal(saved.status, 201);
      assert.equal(log.filter((line) => /failing/.test(line)).length, 1, 'the failure is logged once');
      assert.equal(log.filter((line) => /work again/.test(line)).length, 1, 'the recovery is logged once');
    } finally {
      await store.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
