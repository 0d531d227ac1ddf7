// Rendered pages kept in memory until something they show changes. The
// class page of 35 students by 12 lessons costs milliseconds to build and is
// read far more often than a quiz is submitted. Pages are rendered with a
// placeholder CSRF token that is swapped for the reader's own on the way out.
// They are kept as UTF-8 bytes, cut at the placeholder: encoding a 60 KB
// page that holds one non-Latin character (a name, a curly quote) on every
// read cost more than building it.
import { randomBytes } from 'node:crypto';
import type { Request, Response } from 'express';
import { wantsJson } from './respond.ts';

/**
 * Random for each process and never shown to anyone, so that no text a
 * user types (a name, a class name) can contain it and be swapped for the
 * reader's own token.
 */
const TOKEN_PLACEHOLDER = `csrf-${randomBytes(18).toString('hex')}`;

interface Entry {
  version: string;
  /** the page's bytes, split where the reader's CSRF token goes */
  html?: Buffer[];
  json?: Buffer;
}

function cutAtToken(html: string): Buffer[] {
  return html.split(TOKEN_PLACEHOLDER).map((part) => Buffer.from(part));
}

function withToken(parts: Buffer[], token: string): Buffer {
  if (parts.length === 1) return parts[0];
  const tokenBytes = Buffer.from(token);
  return Buffer.concat(parts.flatMap((part, i) => (i === 0 ? [part] : [tokenBytes, part])));
}

export class PageCache {
  private entries = new Map<string, Entry>();

  constructor(private readonly limit = 2000) {}

  /**
   * Sends the page for `key` at `version`, rendering it (HTML or JSON, as
   * asked) only when the cached copy is missing or older.
   */
  async send(req: Request, res: Response, key: string, version: string, build: () => Promise<{ view: string; locals: Record<string, unknown>; json: unknown }>): Promise<void> {
    const json = wantsJson(req);
    let entry = this.entries.get(key);
    if (!entry || entry.version !== version) {
      entry = { version };
      this.remember(key, entry);
    }
    const token = req.csrfToken?.() ?? '';
    if (json) {
      entry.json ??= Buffer.from(JSON.stringify((await build()).json));
      res.type('application/json').send(entry.json);
      return;
    }
    if (entry.html !== undefined) {
      res.type('html').send(withToken(entry.html, token));
      return;
    }
    const { view, locals } = await build();
    const target = entry;
    res.render(view, { ...locals, csrfToken: TOKEN_PLACEHOLDER }, (error, html) => {
      if (error) {
        req.next?.(error);
        return;
      }
      target.html = cutAtToken(html);
      res.type('html').send(withToken(target.html, token));
    });
  }

  /** Forgets every page (another instance changed data, or the change feed reconnected). */
  clear(): void {
    this.entries.clear();
  }

  /** Forgets these pages, and every page whose key starts with one of the prefixes. */
  forget(keys: string[], prefixes: string[] = []): void {
    for (const key of keys) this.entries.delete(key);
    if (!prefixes.length) return;
    for (const key of this.entries.keys()) {
      if (prefixes.some((prefix) => key.startsWith(prefix))) this.entries.delete(key);
    }
  }

  private remember(key: string, entry: Entry): void {
    this.entries.delete(key);
    this.entries.set(key, entry);
    if (this.entries.size > this.limit) this.entries.delete(this.entries.keys().next().value!);
  }
}
