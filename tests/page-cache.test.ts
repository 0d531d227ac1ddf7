// The page cache's memory bound: pages are kept up to a budget in bytes
// (a class page is 66 KB, a lesson 9 KB), the least recently read going
// first, and a page evicted is rendered again when next asked for.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import express from 'express';
import request from 'supertest';
import { PageCache } from '../src/http/page-cache.ts';

/** An app whose page n is n thousand bytes of HTML (or of JSON), counting how often each is built. */
function pagesApp(cache: PageCache) {
  const builds = new Map<string, number>();
  const app = express();
  // A view that prints the page's filler: the cache renders through res.render like the real views.
  app.set(
    'view',
    class FillerView {
      path = 'filler';
      render(options: { size: number }, done: (error: Error | null, html?: string) => void) {
        done(null, `<p>${'x'.repeat(options.size)}</p>`);
      }
    },
  );
  app.get('/pages/:n', async (req, res) => {
    const key = `page:${req.params.n}`;
    await cache.send(req, res, key, 'v1', async () => {
      builds.set(key, (builds.get(key) ?? 0) + 1);
      const size = Number(req.params.n) * 1000;
      return { view: 'page', locals: { size }, json: { filler: 'y'.repeat(size) } };
    });
  });
  return { app, builds: (n: number) => builds.get(`page:${n}`) ?? 0 };
}

test('pages are kept up to the byte budget, the least recently read evicted first and rebuilt when asked for again', async () => {
  const cache = new PageCache({ entries: 100, bytes: 10_000 });
  const { app, builds } = pagesApp(cache);
  for (const n of [3, 4]) assert.equal((await request(app).get(`/pages/${n}`)).status, 200);
  // Page 3 read again: page 4 is now the least recently read.
  await request(app).get('/pages/3');
  assert.equal(builds(3), 1, 'a cached page is not built again');
  const five = await request(app).get('/pages/5');
  assert.equal(five.text.length, 5007, 'the new page is served whole');
  assert.ok(cache.size.bytes <= 10_000, `held ${cache.size.bytes} bytes, over the 10,000 budget`);
  assert.equal(cache.size.entries, 2);
  await request(app).get('/pages/3');
  assert.equal(builds(3), 1, 'the recently read page stayed');
  await request(app).get('/pages/4');
  assert.equal(builds(4), 2, 'the least recently read page was evicted, so it is built again');
});

test('JSON answers count against the same budget, and a page bigger than the budget is still served', async () => {
  const cache = new PageCache({ entries: 100, bytes: 10_000 });
  const { app, builds } = pagesApp(cache);
  const json = { Accept: 'application/json' };
  await request(app).get('/pages/6').set(json);
  await request(app).get('/pages/6').set(json);
  assert.equal(builds(6), 1);
  assert.ok(cache.size.bytes > 6000 && cache.size.bytes <= 10_000);
  const huge = await request(app).get('/pages/12');
  assert.equal(huge.status, 200);
  assert.equal(huge.text.length, 12_007);
  assert.equal(cache.size.entries, 1, 'everything older made room for it');
  await request(app).get('/pages/2');
  assert.ok(cache.size.bytes <= 10_000, 'the oversized page goes as soon as another comes');
});

test('the entry count still bounds the map when pages are small', async () => {
  const cache = new PageCache({ entries: 3, bytes: 1_000_000 });
  const { app, builds } = pagesApp(cache);
  for (const n of [1, 2, 3, 4]) await request(app).get(`/pages/${n}`);
  assert.equal(cache.size.entries, 3);
  await request(app).get('/pages/1');
  assert.equal(builds(1), 2);
});

test('forgotten and cleared pages give their bytes back', async () => {
  const cache = new PageCache({ entries: 100, bytes: 100_000 });
  const { app } = pagesApp(cache);
  for (const n of [1, 2, 3]) await request(app).get(`/pages/${n}`);
  const before = cache.size.bytes;
  cache.forget(['page:2']);
  assert.equal(cache.size.entries, 2);
  assert.ok(before - cache.size.bytes >= 2000 && before - cache.size.bytes < 2100);
  cache.forget([], ['page:']);
  assert.deepEqual(cache.size, { entries: 0, bytes: 0 });
  await request(app).get('/pages/1');
  cache.clear();
  assert.deepEqual(cache.size, { entries: 0, bytes: 0 });
});
