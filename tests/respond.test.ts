// wantsJson keeps its answer per Accept header: the kept answers must be the
// ones content negotiation gives, whatever order the headers come in.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import express from 'express';
import request from 'supertest';
import { wantsJson } from '../src/http/respond.ts';

test('JSON or HTML is decided by the Accept header, the same on every request', async () => {
  const app = express();
  app.get('/', (req, res) => {
    res.send(wantsJson(req) ? 'json' : 'html');
  });
  const cases: [string | undefined, string][] = [
    ['application/json', 'json'],
    ['text/html', 'html'],
    ['*/*', 'html'],
    [undefined, 'html'],
    ['application/json;q=0.5, text/html', 'html'],
    ['text/html;q=0.2, application/json', 'json'],
  ];
  for (let round = 0; round < 2; round++) {
    for (const [accept, expected] of round === 0 ? cases : [...cases].reverse()) {
      const call = request(app).get('/');
      const response = await (accept === undefined ? call.unset('Accept') : call.set('Accept', accept));
      assert.equal(response.text, expected, `Accept: ${accept ?? '(none)'}, round ${round}`);
    }
  }
});
