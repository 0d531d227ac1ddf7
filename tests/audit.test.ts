import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Client, schoolWithAdmin, startApp, type TestApp } from './helpers.ts';
import { parseCsv } from './more-helpers.ts';
import { DAY_MS, eventsOf, seedEvent, seedUser, signedIn } from './audit-helpers.ts';
import { auditEvent } from '../src/audit/events.ts';
import { PAGE_SIZE } from '../src/audit/log.ts';
import { ERASED_TARGET } from '../src/store/schema.ts';

async function withApp(run: (t: TestApp) => Promise<void>) {
  const t = await startApp();
  try {
    await run(t);
  } finally {
    await t.close();
  }
}

test("an admin's sign-in is in the log; the log is a page with a filter form and a JSON list, newest first", () =>
  withApp(async (t) => {
    const { schoolId, admin } = await schoolWithAdmin(t);
    const login = (await eventsOf(t, schoolId)).filter((event) => event.action === 'admin.login');
    assert.equal(login.length, 1, 'signing in wrote one admin.login event');
    assert.equal(login[0].actorName, 'head.admin');

    t.clock.now = new Date(t.clock.now.getTime() + 60_000);
    await seedEvent(t, { schoolId, actor: { id: 'x', username: 'ms.lee' }, action: 'password.reset', target: 'student sam.k' });
    const json = await admin.get('/admin/audit');
    assert.equal(json.status, 200);
    assert.deepEqual(Object.keys(json.body.events[0]).sort(), ['action', 'actor', 'at', 'detail', 'target']);
    assert.deepEqual(
      json.body.events.map((event: { action: string; actor: string }) => [event.action, event.actor]),
      [['password.reset', 'ms.lee'], ['admin.login', 'head.admin']],
    );

    const page = await admin.page('/admin/audit');
    assert.equal(page.status, 200);
    assert.match(page.text, /<h1>Audit log<\/h1>/);
    assert.match(page.text, /<form method="get" action="\/admin\/audit"/, 'filters work without JavaScript');
    for (const label of ['From', 'To', 'Who \\(username\\)', 'Action']) assert.match(page.text, new RegExp(`<label for="field-\\w+">${label}</label>`));
    assert.match(page.text, /<td data-label="Action">Password reset<\/td>/);
    assert.match(page.text, /href="\/admin\/audit.csv"/);
  }));

test('teachers and students do not read the log; another school admin sees only their own school', () =>
  withApp(async (t) => {
    const a = await schoolWithAdmin(t, 'School A', 'admin.a');
    const b = await schoolWithAdmin(t, 'School B', 'admin.b');
    await seedEvent(t, { schoolId: a.schoolId, target: 'student only-in-a' });
    await seedUser(t, a.schoolId, 'teacher', 'teacher.a');
    await seedUser(t, a.schoolId, 'student', 'student.a');
    const teacher = await signedIn(t, 'teacher.a');
    const student = await signedIn(t, 'student.a');
    for (const url of ['/admin/audit', '/admin/audit.csv']) {
      assert.equal((await teacher.get(url)).status, 403, `${url} teacher`);
      assert.equal((await student.get(url)).status, 403, `${url} student`);
      assert.equal((await new Client(t.app).get(url)).status, 401, `${url} anonymous`);
    }
    const seenByB = await b.admin.get('/admin/audit');
    assert.equal(seenByB.status, 200);
    assert.deepEqual(seenByB.body.events.map((event: { actor: string }) => event.actor), ['admin.b']);
    const csvOfB = await b.admin.get('/admin/audit.csv');
    assert.doesNotMatch(csvOfB.text, /only-in-a|admin\.a/);
    assert.match((await a.admin.get('/admin/audit.csv')).text, /only-in-a/);
  }));

test('filters: from and to are whole days, who is a username in any case, action is one of the list; bad filters are a 422 naming the field', () =>
  withApp(async (t) => {
    const { schoolId, admin } = await schoolWithAdmin(t);
    const day = (iso: string) => new Date(`${iso}T12:00:00Z`);
    await seedEvent(t, { schoolId, actor: { id: '1', username: 'ms.lee' }, action: 'password.reset', target: 'student one', at: day('2027-02-01') });
    await seedEvent(t, { schoolId, actor: { id: '1', username: 'ms.lee' }, action: 'student.removed', target: 'student two', at: day('2027-02-02') });
    await seedEvent(t, { schoolId, actor: { id: '2', username: 'mr.oak' }, action: 'password.reset', target: 'student three', at: day('2027-02-03') });
    const targets = async (query: string) => {
      const response = await admin.get(`/admin/audit?${query}`);
      assert.equal(response.status, 200, query);
      return response.body.events.map((event: { target: string }) => event.target);
    };
    assert.deepEqual(await targets('from=2027-02-02&to=2027-02-02'), ['student two']);
    assert.deepEqual(await targets('from=2027-02-01&to=2027-02-03&actor=MS.LEE'), ['student two', 'student one']);
    assert.deepEqual(await targets('action=password.reset&to=2027-02-28'), ['student three', 'student one']);
    assert.equal((await targets('from=&to=&actor=&action=')).length, 4, 'empty fields filter nothing (3 events and the sign-in)');

    for (const [query, field] of [
      ['from=2027-13-40', 'from'],
      ['to=yesterday', 'to'],
      ['from=2027-02-03&to=2027-02-01', 'to'],
      ['action=nonsense', 'action'],
      ['actor=' + 'x'.repeat(65), 'actor'],
      ['page=0', 'page'],
      ['page=two', 'page'],
      ['from=2027-02-01&from=2027-02-02', 'from'],
    ]) {
      const response = await admin.get(`/admin/audit?${query}`);
      assert.equal(response.status, 422, query);
      assert.equal(response.body.error.field, field, query);
      const csv = await admin.get(`/admin/audit.csv?${query}`);
      assert.equal(csv.status, 422, `csv ${query}`);
    }
    const page = await admin.page('/admin/audit?action=nonsense');
    assert.equal(page.status, 422);
    assert.match(page.text, /Action: choose one of the listed actions/);
  }));

test('a big school pages through its log; the CSV holds every matching event, neutralised against formulas', () =>
  withApp(async (t) => {
    const { schoolId, admin } = await schoolWithAdmin(t);
    const start = t.clock.now.getTime();
    const changes = [];
    for (let i = 0; i < 150; i++) {
      changes.push(auditEvent({ schoolId, actor: { id: 't', username: 'ms.lee' }, action: 'password.reset', target: `student n${i}`, at: new Date(start + (i + 1) * 60_000) }));
    }
    changes.push(auditEvent({ schoolId, actor: { id: 't', username: '=cmd|calc' }, action: 'student.removed', target: '=HYPERLINK("http://x.test","hi")', detail: '@SUM(1,2); "quoted"', at: new Date(start + 200 * 60_000) }));
    await t.store.commit(changes);

    const first = await admin.get('/admin/audit?action=password.reset');
    assert.equal(first.body.events.length, PAGE_SIZE);
    assert.equal(first.body.events[0].target, 'student n149', 'newest first');
    assert.equal(first.body.nextPage, 2);
    assert.equal(first.body.total, 150);
    const second = await admin.get('/admin/audit?action=password.reset&page=2');
    assert.equal(second.body.events.length, 50);
    assert.equal(second.body.events.at(-1).target, 'student n0');
    assert.equal(second.body.nextPage, null);
    const html = await admin.page('/admin/audit?action=password.reset');
    assert.match(html.text, /href="\/admin\/audit\?action=password.reset&amp;page=2" rel="next"/);

    const csv = await admin.get('/admin/audit.csv?from=2027-03-01');
    assert.equal(csv.status, 200);
    assert.match(csv.headers['content-type'], /^text\/csv/);
    assert.match(csv.headers['content-disposition'], /attachment; filename="?audit-log-2027-03-01\.csv/);
    const rows = parseCsv(csv.text);
    assert.deepEqual(rows[0], ['time (UTC)', 'who', 'action', 'what', 'detail']);
    assert.equal(rows.length, 1 + 151 + 1, 'header, 151 events and the sign-in: no paging in the file');
    assert.deepEqual(rows[1].slice(1), ["'=cmd|calc", 'student.removed', `'=HYPERLINK("http://x.test","hi")`, `'@SUM(1,2); "quoted"`]);
  }));

test('the log is never editable: no route writes to it, and what it shows is what was written', () =>
  withApp(async (t) => {
    const { schoolId, admin } = await schoolWithAdmin(t);
    const event = await seedEvent(t, { schoolId, target: 'student untouched' });
    const before = await eventsOf(t, schoolId);
    const attempts = [
      () => admin.post('/admin/audit', { target: 'edited' }),
      () => admin.post('/admin/audit.csv', {}),
      () => admin.post(`/admin/audit/${event.id}`, { target: 'edited' }),
      () => admin.post(`/admin/audit/${event.id}/delete`),
      () => admin.agent.put(`/admin/audit/${event.id}`).set('Accept', 'application/json').set('X-CSRF-Token', admin.token).send({ target: 'edited' }),
      () => admin.agent.patch(`/admin/audit/${event.id}`).set('Accept', 'application/json').set('X-CSRF-Token', admin.token).send({ target: 'edited' }),
      () => admin.agent.delete(`/admin/audit/${event.id}`).set('Accept', 'application/json').set('X-CSRF-Token', admin.token),
      () => admin.agent.delete('/admin/audit').set('Accept', 'application/json').set('X-CSRF-Token', admin.token),
    ];
    for (const attempt of attempts) assert.equal((await attempt()).status, 404);
    assert.deepEqual(await eventsOf(t, schoolId), before);

    // Every route the app has: only GETs under /admin/audit.
    const routes: { path: string; methods: string[] }[] = [];
    const walk = (stack: { route?: { path: string; methods: Record<string, boolean> }; handle?: { stack?: unknown[]; routers?: { stack: unknown[] }[] } }[]) => {
      for (const layer of stack) {
        if (layer.route) routes.push({ path: String(layer.route.path), methods: Object.keys(layer.route.methods) });
        else if (layer.handle?.stack) walk(layer.handle.stack as never);
        // The feature routers behind src/http/dispatch.ts
        else if (layer.handle?.routers) for (const router of layer.handle.routers) walk(router.stack as never);
      }
    };
    walk((t.app as unknown as { router: { stack: never[] } }).router.stack);
    const auditRoutes = routes.filter((route) => route.path.startsWith('/admin/audit'));
    assert.ok(auditRoutes.length >= 2);
    for (const route of auditRoutes) assert.deepEqual(route.methods, ['get'], route.path);
  }));

test("erasing a student scrubs their name and id from events about them, in the erasure's own commit; other events stay as written", () =>
  withApp(async (t) => {
    const { schoolId } = await schoolWithAdmin(t);
    const student = await seedUser(t, schoolId, 'student', 'scrub-me-qx');
    const about = await seedEvent(t, { schoolId, action: 'password.reset', target: 'student scrub-me-qx', targetUserId: student.id });
    const other = await seedEvent(t, { schoolId, action: 'password.reset', target: 'student someone-else', targetUserId: 'another-id' });
    const erasure = auditEvent({ schoolId, actor: { id: 'a', username: 'head.admin' }, action: 'student.erased', target: 'student scrub-me-qx', targetUserId: student.id, at: new Date(t.clock.now.getTime() + DAY_MS) });
    await t.store.eraseStudent(student.id, [erasure]);

    assert.equal(await t.store.get('users', student.id), undefined);
    const after = new Map((await eventsOf(t, schoolId)).map((event) => [event.id, event]));
    assert.deepEqual(after.get(about.id), { ...about, target: ERASED_TARGET, targetUserId: null });
    assert.deepEqual(after.get(erasure.id), { ...(erasure.v as object), target: ERASED_TARGET, targetUserId: null }, 'the erasure event itself names no one');
    assert.deepEqual(after.get(other.id), other, 'an event about someone else is unchanged');
    assert.equal((await t.store.find('auditEvents', 'targetUserId', student.id)).length, 0);
  }));

test('only admins leave a sign-in event, and a sign-in records the day it happened at most once a day', () =>
  withApp(async (t) => {
    const { schoolId } = await schoolWithAdmin(t);
    const teacher = await seedUser(t, schoolId, 'teacher', 'ms.lee');
    const student = await seedUser(t, schoolId, 'student', 'sam.k');
    await signedIn(t, 'ms.lee');
    await signedIn(t, 'sam.k');
    assert.deepEqual((await eventsOf(t, schoolId)).map((event) => event.action), ['admin.login']);

    const first = t.clock.now.toISOString();
    assert.equal((await t.store.get('users', student.id))!.lastActiveAt, first);
    assert.equal((await t.store.get('users', teacher.id))!.lastActiveAt, first);
    t.clock.now = new Date(t.clock.now.getTime() + 3 * 60 * 60 * 1000);
    await signedIn(t, 'sam.k');
    assert.equal((await t.store.get('users', student.id))!.lastActiveAt, first, 'a second sign-in the same day writes nothing');
    t.clock.now = new Date(t.clock.now.getTime() + DAY_MS);
    await signedIn(t, 'sam.k');
    assert.equal((await t.store.get('users', student.id))!.lastActiveAt, t.clock.now.toISOString());
  }));
