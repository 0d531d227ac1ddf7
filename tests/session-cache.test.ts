// The PostgreSQL instance's memory of sessions it read lately: what it may
// keep, when it must read again, and that a read racing a sign-out is not kept.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SessionCache, sessionDigest } from '../src/store/postgres/session-cache.ts';
import type { SessionAndUser, User } from '../src/store/backend.ts';

const signedIn = (sessionId: string, userId: string): SessionAndUser => ({
  session: { id: sessionId, userId, data: { userId }, expiresAt: '2099-01-01T00:00:00.000Z' },
  user: { id: userId, role: 'student', username: userId, displayName: userId, passwordHash: 'x', mustChangePassword: false, createdAt: '2027-01-01T00:00:00.000Z' } as User,
});

test('a signed-in session is kept for a while, then read again', () => {
  let now = 0;
  const cache = new SessionCache(() => now, 10_000);
  cache.keep('s1', signedIn('s1', 'u1'), cache.begin());
  now = 9_999;
  assert.equal(cache.get('s1')?.user?.id, 'u1');
  now = 10_000;
  assert.equal(cache.get('s1'), undefined);
  assert.equal(cache.size, 0);
});

test('anonymous sessions, missing sessions and sessions whose account is gone are never kept', () => {
  const cache = new SessionCache();
  cache.keep('anonymous', { session: { id: 'anonymous', userId: null, data: {}, expiresAt: '2099-01-01T00:00:00.000Z' }, user: undefined }, cache.begin());
  cache.keep('missing', { session: undefined, user: undefined }, cache.begin());
  cache.keep('orphan', { session: signedIn('orphan', 'u1').session, user: undefined }, cache.begin());
  assert.equal(cache.size, 0);
});

test('a read that was under way while anything was forgotten is not kept: it may hold the row as it was', () => {
  const cache = new SessionCache();
  const readSince = cache.begin();
  cache.forget({ accounts: ['someone-else'] });
  cache.keep('s1', signedIn('s1', 'u1'), readSince);
  assert.equal(cache.get('s1'), undefined);
  cache.keep('s1', signedIn('s1', 'u1'), cache.begin());
  assert.ok(cache.get('s1'));
});

test("forgetting an account forgets all its sessions; a session goes by its id here and by its digest from elsewhere", () => {
  const cache = new SessionCache();
  for (const [session, user] of [['a1', 'u1'], ['a2', 'u1'], ['b1', 'u2'], ['c1', 'u3'], ['d1', 'u4']]) cache.keep(session, signedIn(session, user), cache.begin());
  cache.forget({ accounts: ['u1'] });
  assert.deepEqual(['a1', 'a2', 'b1'].map((id) => Boolean(cache.get(id))), [false, false, true]);
  cache.forget({ sessions: ['b1'] });
  cache.forget({ digests: [sessionDigest('c1')] });
  assert.deepEqual(['b1', 'c1', 'd1'].map((id) => Boolean(cache.get(id))), [false, false, true]);
  cache.clear();
  assert.equal(cache.size, 0);
});

test('a digest does not give the session id away, and the cache holds at most its limit (the oldest goes)', () => {
  assert.notEqual(sessionDigest('secret-session-id'), 'secret-session-id');
  assert.ok(!sessionDigest('secret-session-id').includes('secret'));
  const cache = new SessionCache(Date.now, 10_000, 3);
  for (const id of ['s1', 's2', 's3', 's4']) cache.keep(id, signedIn(id, `u-${id}`), cache.begin());
  assert.equal(cache.size, 3);
  assert.equal(cache.get('s1'), undefined);
  assert.ok(cache.get('s4'));
});
