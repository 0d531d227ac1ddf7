// Sessions kept in FrameCheck's store, so they survive a restart. The
// cookie is HttpOnly, SameSite=Lax, and Secure whenever the request came over
// HTTPS (directly or through a trusted proxy).
import session from 'express-session';
import type { RequestHandler } from 'express';
import { put, remove, type StoreBackend, type User } from '../store/backend.ts';

declare module 'express-session' {
  interface SessionData {
    userId?: string;
  }
}

declare module 'express-serve-static-core' {
  interface Request {
    /** the account the session was signed in as when it was read (loadUser checks it still matches) */
    sessionUser?: User;
  }
}

/**
 * Anonymous sessions (a CSRF token for the login form) are short-lived. They
 * are stored only once something is put in them (saveUninitialized: false),
 * and pages make the token only when they print a form
 * (csrfTokenWhenPrinted), so a visitor who reads pages stores nothing.
 */
export const ANONYMOUS_AGE_MS = 2 * 60 * 60 * 1000;
export const SIGNED_IN_AGE_MS = 14 * 24 * 60 * 60 * 1000;

class PersistentSessionStore extends session.Store {
  /**
   * The user read with the session just read, handed to the request by the
   * middleware below. express-session calls on synchronously from the read's
   * callback, so no other request can come between.
   */
  lastUser: { sid: string; user: User | undefined } | null = null;

  constructor(
    private readonly store: StoreBackend,
    private readonly now: () => Date,
  ) {
    super();
  }

  override get(sid: string, callback: (err: unknown, session?: session.SessionData | null) => void): void {
    this.store.sessionAndUser(sid).then(({ session: record, user }) => {
      if (!record || new Date(record.expiresAt) <= this.now()) return callback(null, null);
      this.lastUser = { sid, user };
      try {
        callback(null, record.data as unknown as session.SessionData);
      } finally {
        this.lastUser = null;
      }
    }, callback);
  }

  override set(sid: string, data: session.SessionData, callback?: (err?: unknown) => void): void {
    const maxAge = data.cookie?.maxAge ?? ANONYMOUS_AGE_MS;
    const record = {
      id: sid,
      userId: data.userId ?? null,
      data: JSON.parse(JSON.stringify(data)) as Record<string, unknown>,
      expiresAt: new Date(this.now().getTime() + maxAge).toISOString(),
    };
    this.store.commit([put('sessions', record)]).then(() => callback?.(), callback);
  }

  override destroy(sid: string, callback?: (err?: unknown) => void): void {
    this.store.commit([remove('sessions', sid)]).then(() => callback?.(), callback);
  }

  /** Sliding expiry is not persisted per request: that would turn every read into a write. */
  override touch(_sid: string, _data: session.SessionData, callback?: () => void): void {
    callback?.();
  }
}

export function sessions(store: StoreBackend, secret: string, now: () => Date = () => new Date()): RequestHandler {
  const sessionStore = new PersistentSessionStore(store, now);
  const middleware = session({
    name: 'framecheck.sid',
    secret,
    store: sessionStore,
    resave: false,
    saveUninitialized: false,
    proxy: undefined,
    cookie: { httpOnly: true, sameSite: 'lax', secure: 'auto', maxAge: ANONYMOUS_AGE_MS },
  });
  // The session and its user come in one read: loadUser (auth.ts) takes the
  // user from here instead of reading the store a second time.
  return (req, res, next) =>
    middleware(req, res, (error?: unknown) => {
      const read = sessionStore.lastUser;
      if (read && read.sid === req.sessionID) req.sessionUser = read.user;
      next(error);
    });
}

/** Deletes sessions that have expired; run at start-up and now and then. */
export async function pruneExpiredSessions(store: StoreBackend, now: Date): Promise<number> {
  const expired = (await store.list('sessions')).filter((record) => new Date(record.expiresAt) <= now);
  if (expired.length) await store.commit(expired.map((record) => remove('sessions', record.id)));
  return expired.length;
}
