// Rendered pages kept in memory until something they show changes. The
// class page of 35 students by 12 lessons costs milliseconds to build and is
// read far more often than a quiz is submitted. Pages are rendered with a
// placeholder CSRF token that is swapped for the reader's own on the way out;
// a page every reader of one role sees alike (a lesson) is also rendered with
// a placeholder for the reader's name in its header.
// They are kept as UTF-8 bytes, cut at the placeholder: encoding a 60 KB
// page that holds one non-Latin character (a name, a curly quote) on every
// read cost more than building it.
import { randomBytes } from 'node:crypto';
import type { Request, Response } from 'express';
import type { User } from '../store/backend.ts';
import { wantsJson } from './respond.ts';

/**
 * Random for each process and never shown to anyone, so that no text a
 * user types (a name, a class name) can contain it and be swapped for the
 * reader's own token.
 */
const TOKEN_PLACEHOLDER = `csrf-${randomBytes(18).toString('hex')}`;
const NAME_PLACEHOLDER = `name-${randomBytes(18).toString('hex')}`;
const SLOTS = new RegExp(`(${TOKEN_PLACEHOLDER}|${NAME_PLACEHOLDER})`);

/** A rendered page as bytes, and what goes between them: the reader's token or name. */
interface Cut {
  parts: Buffer[];
  slots: ('token' | 'name')[];
}

interface Entry {
  version: string;
  html?: Cut;
  json?: Buffer;
  /** bytes of html and json held, counted in the cache's total while the entry is in it */
  bytes: number;
}

/**
 * What the cache may hold. Pages differ a hundredfold in size (a lesson of
 * 9 KB, a class of 35 students of 66 KB, a class of 200 several times that),
 * so a count alone let 2,000 entries reach 130 MB and more: the bytes are
 * the bound that matters; the count only bounds the map itself.
 */
export interface PageCacheLimits {
  entries: number;
  bytes: number;
}

const DEFAULT_LIMITS: PageCacheLimits = { entries: 2000, bytes: 32 * 1024 * 1024 };

function cut(html: string): Cut {
  const pieces = html.split(SLOTS);
  return {
    parts: pieces.filter((_, i) => i % 2 === 0).map((piece) => Buffer.from(piece)),
    slots: pieces.filter((_, i) => i % 2 === 1).map((slot) => (slot === TOKEN_PLACEHOLDER ? 'token' : 'name')),
  };
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&#34;', "'": '&#39;' };

/**
 * Sends the page with the reader's token and name in their slots, written
 * as its pieces in one corked write: joining them first copied the whole
 * page (66 KB for a class) for every reader.
 */
function sendFilled(res: Response, { parts, slots }: Cut, reader: { token: string; name: string }): void {
  const token = Buffer.from(reader.token);
  // Escaped as EJS's <%= %> escapes, the only way a name is printed.
  const name = Buffer.from(reader.name.replace(/[&<>"']/g, (c) => ESCAPES[c]));
  const pieces = parts.flatMap((part, i) => (i === 0 ? [part] : [slots[i - 1] === 'token' ? token : name, part]));
  res.setHeader('Content-Type', 'text/html; charset=utf-8');
  res.setHeader('Content-Length', pieces.reduce((sum, piece) => sum + piece.length, 0));
  if (res.req.method === 'HEAD') {
    res.end();
    return;
  }
  res.cork();
  for (const piece of pieces.slice(0, -1)) res.write(piece);
  res.end(pieces[pieces.length - 1]);
  res.uncork();
}

type Build = () => Promise<{ view: string; locals: Record<string, unknown>; json: unknown }>;

export class PageCache {
  private entries = new Map<string, Entry>();
  private bytes = 0;

  constructor(private readonly limits: PageCacheLimits = DEFAULT_LIMITS) {}

  /** Pages held and their bytes (for tests and the curious). */
  get size(): { entries: number; bytes: number } {
    return { entries: this.entries.size, bytes: this.bytes };
  }

  /**
   * Sends the page for `key` at `version`, rendering it (HTML or JSON, as
   * asked) only when the cached copy is missing or older.
   */
  async send(req: Request, res: Response, key: string, version: string, build: Build, shared?: { name: string }): Promise<void> {
    const json = wantsJson(req);
    let entry = this.entries.get(key);
    if (!entry || entry.version !== version) {
      entry = { version, bytes: 0 };
      this.remember(key, entry);
    } else {
      // Read again: it moves to the back of the line for eviction.
      this.entries.delete(key);
      this.entries.set(key, entry);
    }
    const reader = { token: req.csrfToken?.() ?? '', name: shared?.name ?? '' };
    // A token made just now is stored before the page is written in pieces (its cookie goes in the headers).
    if (req.session?.unsaved) await req.session.save();
    if (json) {
      if (!entry.json) {
        entry.json = Buffer.from(JSON.stringify((await build()).json));
        this.grow(key, entry, entry.json.length);
      }
      res.type('application/json').send(entry.json);
      return;
    }
    if (entry.html !== undefined) {
      sendFilled(res, entry.html, reader);
      return;
    }
    const { view, locals } = await build();
    const target = entry;
    const user = shared ? { ...(res.locals.user as object), displayName: NAME_PLACEHOLDER } : res.locals.user;
    res.render(view, { ...locals, user, csrfToken: TOKEN_PLACEHOLDER }, (error, html) => {
      if (error) {
        req.next?.(error);
        return;
      }
      target.html = cut(html);
      this.grow(key, target, target.html.parts.reduce((sum, part) => sum + part.length, 0));
      sendFilled(res, target.html, reader);
    });
  }

  /**
   * A page that is the same for every reader of one role but for their name
   * in its header (a lesson): one copy per role, kept for the life of the
   * process, since what it shows (the course) does not change while it runs.
   */
  sendToRole(req: Request, res: Response, key: string, reader: User, build: Build): Promise<void> {
    return this.send(req, res, `${key}:${reader.role}`, 'course', build, { name: reader.displayName });
  }

  /** Forgets every page (another instance changed data, or the change feed reconnected). */
  clear(): void {
    this.entries.clear();
    this.bytes = 0;
  }

  /** Forgets these pages, and every page whose key starts with one of the prefixes. */
  forget(keys: string[], prefixes: string[] = []): void {
    for (const key of keys) this.drop(key);
    if (!prefixes.length) return;
    for (const key of this.entries.keys()) {
      if (prefixes.some((prefix) => key.startsWith(prefix))) this.drop(key);
    }
  }

  private remember(key: string, entry: Entry): void {
    this.drop(key);
    this.entries.set(key, entry);
    this.evict(key);
  }

  /** A page's bytes are known once it is rendered; an entry dropped meanwhile is not counted. */
  private grow(key: string, entry: Entry, bytes: number): void {
    if (this.entries.get(key) !== entry) return;
    entry.bytes += bytes;
    this.bytes += bytes;
    this.evict(key);
  }

  /** The least recently read pages go first, never the one being served. */
  private evict(keep: string): void {
    for (const key of this.entries.keys()) {
      if (this.entries.size <= this.limits.entries && this.bytes <= this.limits.bytes) return;
      if (key !== keep) this.drop(key);
    }
  }

  private drop(key: string): void {
    const entry = this.entries.get(key);
    if (!entry) return;
    this.entries.delete(key);
    this.bytes -= entry.bytes;
  }
}
