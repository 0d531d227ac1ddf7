// Sessions kept in FrameCheck's store, so they survive a restart and are
// shared by every instance. The cookie is HttpOnly, SameSite=Lax, Secure
// whenever the request came over HTTPS (directly or through a trusted
// proxy), and signed with the store's secret.
//
// This replaces express-session, which cost about a sixth of a signed-in
// request (docs/performance-notes.md): it built a Session and a Cookie
// object, hashed the session to see whether it changed and checked the
// cookie's HMAC on every request. Here a session is read with its user in
// one store read, a cookie value already verified is not verified again, and
// change detection compares a short JSON text. The cookie format is
// express-session's (`s:<id>.<HMAC-SHA256>`), so sessions made before this
// change stay valid.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Request, RequestHandler, Response } from 'express';
import { put, remove, type StoreBackend, type User } from '../store/backend.ts';
import { rawCookie } from './cookies.ts';

export const SESSION_COOKIE = 'framecheck.sid';

/**
 * Anonymous sessions (a CSRF token for the login form) are short-lived. They
 * are stored only once something is put in them, and pages make the token
 * only when they print a form (csrfTokenWhenPrinted), so a visitor who reads
 * pages stores nothing.
 */
export const ANONYMOUS_AGE_MS = 2 * 60 * 60 * 1000;
export const SIGNED_IN_AGE_MS = 14 * 24 * 60 * 60 * 1000;

/** What a session holds; features add their own fields by augmenting this interface. */
export interface SessionData {
  userId?: string;
  /** csrf-sync's synchroniser token */
  csrfToken?: string | null;
}

declare module 'express-serve-static-core' {
  interface Request {
    session: Session;
    /** the stored session's id, once there is one */
    sessionID?: string;
    /** the account the session was signed in as when it was read (loadUser checks it still matches) */
    sessionUser?: User;
  }
}

interface CookieSettings {
  /** milliseconds from now; setting it moves the expiry */
  maxAge: number;
  sameSite: 'lax' | 'none';
  /** undefined: Secure exactly when the request came over HTTPS */
  secure?: boolean;
}

/** Cookie values already checked against their HMAC (bounded; only verified values get in). */
const VERIFIED_LIMIT = 10_000;

export interface Session extends SessionData {}

/**
 * One visitor's session: its fields (own properties, as features set them),
 * its cookie's settings, and the three things a route may do with it. The
 * private state is in #fields, so only the session's data is enumerable.
 */
export class Session {
  readonly #door: SessionDoor;
  readonly #req: Request;
  /** the fields as last stored (or as a new session starts), to tell whether they changed */
  #stored: string;
  #expiresAt: number;
  #sameSite: 'lax' | 'none';
  #secure: boolean | undefined;
  /** the request ended the session (logout): nothing is saved */
  #destroyed = false;
  /** the stored id, or null while nothing is stored */
  #id: string | null;

  constructor(door: SessionDoor, req: Request, record: { id: string; data: Record<string, unknown>; expiresAt: string } | null) {
    this.#door = door;
    this.#req = req;
    this.#id = record?.id ?? null;
    const stored = record ? storedFields(record.data) : null;
    if (stored) Object.assign(this, stored.fields);
    this.#sameSite = stored?.sameSite === 'none' ? 'none' : 'lax';
    this.#secure = this.#sameSite === 'none' ? true : undefined;
    this.#expiresAt = record ? Date.parse(record.expiresAt) : door.now().getTime() + ANONYMOUS_AGE_MS;
    this.#stored = stored ? stored.text : '{}';
  }

  /** The cookie's settings: sign-in sets a longer maxAge, an LMS launch SameSite=None and Secure. */
  get cookie(): CookieSettings {
    const session = this;
    return {
      get maxAge() {
        return session.#expiresAt - session.#door.now().getTime();
      },
      set maxAge(value: number) {
        session.#expiresAt = session.#door.now().getTime() + value;
      },
      get sameSite() {
        return session.#sameSite;
      },
      set sameSite(value: 'lax' | 'none') {
        session.#sameSite = value;
      },
      get secure() {
        return session.#secure;
      },
      set secure(value: boolean | undefined) {
        session.#secure = value;
      },
    };
  }

  /** A new id and no fields (sign-in: no session fixation); the old session is deleted. */
  async regenerate(): Promise<void> {
    if (this.#id) await this.#door.store.commit([remove('sessions', this.#id)]);
    for (const field of Object.keys(this)) delete (this as Record<string, unknown>)[field];
    this.#id = null;
    this.#stored = '{}';
    this.#sameSite = 'lax';
    this.#secure = undefined;
    this.#expiresAt = this.#door.now().getTime() + ANONYMOUS_AGE_MS;
  }

  /** Stores the session now and sets its cookie on the response. */
  async save(): Promise<void> {
    const id = (this.#id ??= randomBytes(24).toString('base64url'));
    const fields = this.#fields();
    await this.#door.store.commit([
      put('sessions', {
        id,
        userId: this.userId ?? null,
        data: { ...(JSON.parse(fields) as Record<string, unknown>), cookie: { sameSite: this.#sameSite, ...(this.#secure ? { secure: true } : {}) } },
        expiresAt: new Date(this.#expiresAt).toISOString(),
      }),
    ]);
    this.#stored = fields;
    this.#req.sessionID = id;
    const res = this.#req.res;
    if (res && !res.headersSent) res.setHeader('Set-Cookie', this.#door.cookieHeader(this.#req, id, this.#expiresAt, this.#sameSite, this.#secure));
  }

  /** Deletes the session (logout); the response should clear the cookie. */
  async destroy(): Promise<void> {
    this.#destroyed = true;
    if (this.#id) await this.#door.store.commit([remove('sessions', this.#id)]);
  }

  /** Whether the fields changed since they were read or stored (and so must be stored before the response ends). */
  get unsaved(): boolean {
    return !this.#destroyed && this.#fields() !== this.#stored;
  }

  #fields(): string {
    return JSON.stringify(this);
  }
}

interface StoredFields {
  /** the session's fields, without its cookie settings */
  fields: Record<string, unknown>;
  /** their JSON, which a request's fields are compared with to tell whether they changed */
  text: string;
  sameSite: unknown;
}

/**
 * A stored session's fields and their JSON, worked out once per stored
 * record rather than on every request: a record is replaced when a session
 * is stored, never changed in place, and every request of a signed-in user
 * reads the same one until then.
 */
const fieldsByRecord = new WeakMap<object, StoredFields>();

function storedFields(data: Record<string, unknown>): StoredFields {
  let known = fieldsByRecord.get(data);
  if (!known) {
    const { cookie, ...fields } = data as { cookie?: { sameSite?: unknown } };
    known = { fields, text: JSON.stringify(fields), sameSite: cookie?.sameSite };
    fieldsByRecord.set(data, known);
  }
  return known;
}

/** The middleware's shared parts: the store, the clock and the cookie signature. */
class SessionDoor {
  private verified = new Map<string, string>();

  constructor(
    readonly store: StoreBackend,
    private readonly secret: string,
    readonly now: () => Date,
  ) {}

  private signature(value: string): string {
    return createHmac('sha256', this.secret).update(value).digest('base64').replace(/=+$/, '');
  }

  /** The session id in the request's cookie, if its signature is ours. */
  idFrom(req: Request): string | null {
    const raw = rawCookie(req, SESSION_COOKIE);
    if (raw === undefined) return null;
    const known = this.verified.get(raw);
    if (known !== undefined) return known;
    let value: string;
    try {
      value = decodeURIComponent(raw);
    } catch {
      return null;
    }
    if (!value.startsWith('s:')) return null;
    const dot = value.lastIndexOf('.');
    if (dot < 2) return null;
    const id = value.slice(2, dot);
    const given = Buffer.from(value.slice(dot + 1));
    const expected = Buffer.from(this.signature(id));
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
    if (this.verified.size >= VERIFIED_LIMIT) this.verified.delete(this.verified.keys().next().value!);
    this.verified.set(raw, id);
    return id;
  }

  cookieHeader(req: Request, id: string, expiresAt: number, sameSite: 'lax' | 'none', secure: boolean | undefined): string {
    const value = encodeURIComponent(`s:${id}.${this.signature(id)}`);
    const parts = [`${SESSION_COOKIE}=${value}`, 'Path=/', `Expires=${new Date(expiresAt).toUTCString()}`, 'HttpOnly', `SameSite=${sameSite === 'none' ? 'None' : 'Lax'}`];
    if (secure ?? req.secure) parts.push('Secure');
    return parts.join('; ');
  }
}

/**
 * Reads the request's session (with its user) and stores it before the
 * response ends if a route or the CSRF token changed it.
 */
export function sessions(store: StoreBackend, secret: string, now: () => Date = () => new Date()): RequestHandler {
  const door = new SessionDoor(store, secret, now);
  return (req, res, next) => {
    const id = door.idFrom(req);
    if (!id) {
      start(req, res, new Session(door, req, null));
      next();
      return;
    }
    store.sessionAndUser(id).then(({ session: record, user }) => {
      const live = record && Date.parse(record.expiresAt) > now().getTime();
      start(req, res, new Session(door, req, live ? record : null));
      if (live) {
        req.sessionID = id;
        req.sessionUser = user;
      }
      next();
    }, next);
  };
}

/** Hands the session to the request, and stores it before the response ends when it changed. */
function start(req: Request, res: Response, session: Session): void {
  req.session = session;
  const end = res.end as (this: Response, ...args: unknown[]) => Response;
  res.end = function endAfterSaving(this: Response, ...args: unknown[]): Response {
    res.end = end as Response['end'];
    if (!session.unsaved) return end.apply(this, args);
    session.save().then(
      () => end.apply(this, args),
      (error: unknown) => {
        // The page was made with a token that was not kept: say so rather than send a form that cannot work.
        console.error(`A session could not be stored: ${error instanceof Error ? error.message : String(error)}`);
        if (this.headersSent) return end.call(this);
        this.statusCode = 503;
        this.setHeader('Content-Type', 'text/plain; charset=utf-8');
        this.removeHeader('Content-Length');
        end.call(this, 'FrameCheck could not save your session just now. Please try again in a moment.');
      },
    );
    return this;
  } as Response['end'];
}

/** Deletes sessions that have expired; run at start-up and now and then. */
export async function pruneExpiredSessions(store: StoreBackend, now: Date): Promise<number> {
  const expired = (await store.list('sessions')).filter((record) => new Date(record.expiresAt) <= now);
  if (expired.length) await store.commit(expired.map((record) => remove('sessions', record.id)));
  return expired.length;
}
