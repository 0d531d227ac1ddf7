// src/http/dispatch.ts: the feature routers are walked only by requests that
// one of their routes could answer, and nothing that could answer is skipped.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import express, { Router } from 'express';
import supertest from 'supertest';
import { dispatch, inSeries } from '../src/http/dispatch.ts';

function appWith(...routers: Router[]) {
  const app = express();
  app.use(dispatch(routers));
  app.use((_req, res) => {
    res.status(404).send('none');
  });
  return app;
}

test('each request reaches the router with its route, in the order the routers were given', async () => {
  const first = Router();
  first.get('/lessons/:id', (req, res, next) => (req.params.id === 'skip' ? next() : res.send(`first ${req.params.id}`)));
  // Which paths the first router's route was tried against.
  const walked: string[] = [];
  for (const layer of first.stack as unknown as { match: (path: string) => unknown }[]) {
    const match = layer.match.bind(layer);
    layer.match = (path) => {
      walked.push(path);
      return match(path);
    };
  }
  const second = Router();
  second.get('/lessons/:id', (req, res) => res.send(`second ${req.params.id}`));
  second.get('/classes', (_req, res) => res.send('classes'));
  const third = Router();
  third.get('/', (_req, res) => res.send('home'));
  const app = appWith(first, second, third);
  assert.equal((await supertest(app).get('/lessons/a')).text, 'first a');
  assert.equal((await supertest(app).get('/lessons/skip')).text, 'second skip', 'next() goes on to the next router with that segment');
  assert.equal((await supertest(app).get('/LESSONS/b')).text, 'first b', 'paths match without regard to case, as Express does');
  assert.equal((await supertest(app).get('/classes')).text, 'classes');
  assert.equal((await supertest(app).get('/classes/')).text, 'classes', 'a trailing slash, as Express allows');
  assert.equal((await supertest(app).get('/')).text, 'home');
  assert.equal((await supertest(app).get('/nothing/here')).status, 404);
  walked.length = 0;
  await supertest(app).get('/classes');
  assert.deepEqual(walked, [], 'a /classes request does not try the lessons router');
  await supertest(app).get('/lessons/c');
  assert.deepEqual(walked, ['/lessons/c'], 'a /lessons request does');
});

test('a router with a parameter as its first segment is walked by every request', async () => {
  const fixed = Router();
  fixed.get('/about', (_req, res) => res.send('about'));
  const open = Router();
  open.get('/:slug', (req, res) => res.send(`page ${req.params.slug}`));
  const app = appWith(fixed, open);
  assert.equal((await supertest(app).get('/about')).text, 'about');
  assert.equal((await supertest(app).get('/anything')).text, 'page anything');
});

test('an error from a route reaches the error handler', async () => {
  const failing = Router();
  failing.get('/broken', () => {
    throw Object.assign(new Error('teapot'), { status: 418 });
  });
  const app = appWith(failing);
  app.use((error: { status: number; message: string }, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
    res.status(error.status).send(error.message);
  });
  const response = await supertest(app).get('/broken');
  assert.equal(response.status, 418);
  assert.equal(response.text, 'teapot');
});

test('steps in series run in order; an error, a throw or a rejection skips the rest and reaches the error handler', async () => {
  const ran: string[] = [];
  const app = express();
  app.use(
    inSeries([
      (req, _res, next) => {
        ran.push('first');
        next();
      },
      (req, _res, next) => {
        ran.push('second');
        if (req.path === '/next-error') return next(Object.assign(new Error('by next'), { status: 400 }));
        if (req.path === '/throws') throw Object.assign(new Error('thrown'), { status: 409 });
        if (req.path === '/rejects') return Promise.reject(Object.assign(new Error('rejected'), { status: 503 })) as never;
        next();
      },
      (_req, _res, next) => {
        ran.push('third');
        next();
      },
    ]),
  );
  app.get('/fine', (_req, res) => res.send('fine'));
  app.use((error: { status: number; message: string }, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
    res.status(error.status).send(error.message);
  });
  assert.equal((await supertest(app).get('/fine')).text, 'fine');
  assert.deepEqual(ran, ['first', 'second', 'third']);
  for (const [path, status, message] of [['/next-error', 400, 'by next'], ['/throws', 409, 'thrown'], ['/rejects', 503, 'rejected']] as const) {
    ran.length = 0;
    const response = await supertest(app).get(path);
    assert.equal(response.status, status, path);
    assert.equal(response.text, message, path);
    assert.deepEqual(ran, ['first', 'second'], `${path}: the third step does not run`);
  }
});
