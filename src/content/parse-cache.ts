// Content parsed once per change instead of on every start. Parsing the YAML
// and Markdown of the lessons, quizzes, item bank and practice content is
// most of a small school's start-up; the results are kept in a JSON file,
// each under a hash of the source text it came from and of the kind of
// parse, so an edited file is parsed again and an unchanged one is not.
// Validation (zod) still runs on every start: a cached parse is only the raw
// data a parse would have produced, and errors read exactly the same. The
// whole cache is dropped when the parsers may have changed: another version
// of a library (package-lock.json) or of the content code (src/content/).
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const CONTENT_CODE = path.dirname(fileURLToPath(import.meta.url));

/** What the parsers' output depends on besides the source text. */
function parsersVersion(root: string): string {
  const hash = createHash('sha256').update('1\n');
  const lock = ['package-lock.json', 'package.json'].map((name) => path.join(root, name)).find((file) => existsSync(file));
  if (lock) hash.update(readFileSync(lock));
  for (const name of readdirSync(CONTENT_CODE).filter((entry) => entry.endsWith('.ts')).sort()) {
    hash.update(name).update(readFileSync(path.join(CONTENT_CODE, name)));
  }
  return hash.digest('base64url');
}

class ParseCache {
  /** hash -> the parse result as JSON */
  private readonly known: Map<string, string>;
  /** entries used by this run: what is written back (entries no file needs any more drop out) */
  private readonly used = new Map<string, string>();
  private changed = false;

  constructor(
    private readonly file: string,
    private readonly version: string,
  ) {
    this.known = new Map();
    try {
      const saved = JSON.parse(readFileSync(file, 'utf8')) as { version?: string; entries?: Record<string, string> };
      if (saved.version === version && saved.entries) for (const [key, value] of Object.entries(saved.entries)) this.known.set(key, value);
    } catch {
      // no cache yet, or an unreadable one: everything is parsed afresh
    }
  }

  get<T>(kind: string, source: string, parse: () => T): T {
    const key = createHash('sha256').update(kind).update('\u0000').update(source).digest('base64url');
    const saved = this.known.get(key);
    if (saved !== undefined) {
      this.used.set(key, saved);
      // A fresh object on every read, so no caller can change another's.
      return JSON.parse(saved) as T;
    }
    const value = parse();
    // Only what JSON gives back exactly is kept (js-yaml turns some dates into Date objects).
    if (isPlainJson(value)) {
      this.used.set(key, JSON.stringify(value));
      this.changed = true;
    }
    return value;
  }

  /** Writes the entries this run used, if any was new or one went unused; never fails the start. */
  save(): void {
    if (!this.changed && this.used.size === this.known.size) return;
    try {
      mkdirSync(path.dirname(this.file), { recursive: true });
      const partial = `${this.file}.${process.pid}.partial`;
      writeFileSync(partial, JSON.stringify({ version: this.version, entries: Object.fromEntries(this.used) }));
      renameSync(partial, this.file);
    } catch {
      // a read-only checkout: the next start parses again
    }
  }
}

let active: ParseCache | null = null;

/**
 * Runs `load` (synchronous: loadCatalog) with parse results read from and
 * saved to .build/content-cache.json under `root` (beside the compiled
 * server: both are derived from the checkout, neither is a school's data).
 * Outside such a call, `cachedParse` simply parses.
 */
export function withParseCache<T>(root: string, load: () => T): T {
  let cache: ParseCache;
  try {
    cache = new ParseCache(path.join(root, '.build', 'content-cache.json'), parsersVersion(root));
  } catch {
    return load();
  }
  active = cache;
  try {
    const result = load();
    cache.save();
    return result;
  } finally {
    active = null;
  }
}

/** The result of `parse()` for this source, from the cache when one is active and holds it. */
export function cachedParse<T>(kind: string, source: string, parse: () => T): T {
  return active ? active.get(kind, source, parse) : parse();
}

function isPlainJson(value: unknown): boolean {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return true;
  if (typeof value === 'number') return Number.isFinite(value);
  if (Array.isArray(value)) return value.every(isPlainJson);
  if (typeof value !== 'object') return false;
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return false;
  return Object.values(value as Record<string, unknown>).every((entry) => entry !== undefined && isPlainJson(entry));
}
