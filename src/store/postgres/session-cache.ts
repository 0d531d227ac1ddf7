// Signed-in sessions this instance read lately, with their users, so that a
// request does not wait on the database for its session before its own work.
// A quiz answer took two round trips (the session, then the commit); with the
// session kept here it takes one, and under a class's burst of answers on two
// instances the slowest 1 % came down by about a fifth
// (docs/performance-notes.md).
//
// Being kept never makes a session outlive its end:
// - a write to a session or an account on this instance forgets it before the
//   write is sent and again once it is committed;
// - a write on another instance sends, inside its own transaction, a
//   notification naming the accounts and (as digests) the sessions it
//   touched, which reaches this instance as the transaction commits;
// - a read that was under way while anything was forgotten is not kept (it
//   may have read the row as it was before);
// - while the listening connection is down, nothing is kept or served from
//   here, and everything is forgotten when it drops and when it is back;
// - an entry is read again after SESSION_KEPT_MS whatever happens, in case a
//   notification was lost without the connection noticing.
// Only sessions with their signed-in user are kept: an anonymous session, a
// session that is not found, or one whose account is gone is always read.
import { createHash } from 'node:crypto';
import type { SessionAndUser } from '../backend.ts';

interface Entry {
  value: SessionAndUser;
  digest: string;
  until: number;
}

/** How long an entry may be served before it is read again. */
export const SESSION_KEPT_MS = 10_000;
/** At most this many sessions are kept (the oldest goes first): about 2 KB each. */
export const SESSIONS_KEPT = 10_000;

/** What a notification names a session by: its id is a bearer secret and never leaves the instance. */
export function sessionDigest(sessionId: string): string {
  return createHash('sha256').update(sessionId).digest('base64url').slice(0, 22);
}

export class SessionCache {
  private entries = new Map<string, Entry>();
  /** bumped whenever anything is forgotten; a read keeps its result only if it is unchanged since the read began */
  private generation = 0;

  constructor(
    private readonly now: () => number = Date.now,
    private readonly keptMs = SESSION_KEPT_MS,
    private readonly limit = SESSIONS_KEPT,
  ) {}

  /** The session and its user, if kept and still fresh. */
  get(sessionId: string): SessionAndUser | undefined {
    const entry = this.entries.get(sessionId);
    if (!entry) return undefined;
    if (entry.until > this.now()) return entry.value;
    this.entries.delete(sessionId);
    return undefined;
  }

  /** Marks the start of a read from the database: pass the result to keep() with it. */
  begin(): number {
    return this.generation;
  }

  keep(sessionId: string, value: SessionAndUser, readSince: number): void {
    if (readSince !== this.generation || !value.session?.userId || value.user?.id !== value.session.userId) return;
    if (this.entries.size >= this.limit) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(sessionId, { value, digest: sessionDigest(sessionId), until: this.now() + this.keptMs });
  }

  /** Forgets the sessions signed in to these accounts, and the sessions with these ids or digests. */
  forget(change: { accounts?: Iterable<string>; sessions?: Iterable<string>; digests?: Iterable<string> }): void {
    this.generation++;
    for (const id of change.sessions ?? []) this.entries.delete(id);
    const accounts = new Set(change.accounts ?? []);
    const digests = new Set(change.digests ?? []);
    if (!accounts.size && !digests.size) return;
    for (const [id, entry] of this.entries) {
      if (accounts.has(entry.value.session!.userId!) || digests.has(entry.digest)) this.entries.delete(id);
    }
  }

  clear(): void {
    this.generation++;
    this.entries.clear();
  }

  get size(): number {
    return this.entries.size;
  }
}
