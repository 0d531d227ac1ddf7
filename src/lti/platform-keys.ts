// The platforms' public keys, fetched from their JWKS URLs and cached. A
// `kid` we have not seen makes us fetch the set again (the platform rotated
// its key), at most once a second per URL so a forged token cannot make us
// hammer the LMS.
import { createLocalJWKSet, type JSONWebKeySet, type JWTVerifyGetKey } from 'jose';

const CACHE_MS = 60 * 60 * 1000;
const MIN_REFETCH_MS = 1000;
const TIMEOUT_MS = 10_000;

interface Entry {
  keys: JSONWebKeySet;
  resolve: JWTVerifyGetKey;
  fetchedAt: number;
}

export class PlatformKeys {
  private cache = new Map<string, Entry>();

  private async fetchSet(url: string): Promise<Entry> {
    const response = await fetch(url, { headers: { Accept: 'application/json' }, redirect: 'error', signal: AbortSignal.timeout(TIMEOUT_MS) });
    if (!response.ok) throw new Error(`the LMS key set answered HTTP ${response.status}`);
    const keys = (await response.json()) as JSONWebKeySet;
    if (!keys || !Array.isArray(keys.keys)) throw new Error('the LMS key set is not a JWKS');
    const entry = { keys, resolve: createLocalJWKSet(keys), fetchedAt: Date.now() };
    this.cache.set(url, entry);
    return entry;
  }

  private static has(entry: Entry, kid: string | undefined): boolean {
    return entry.keys.keys.some((key) => key.kid === kid);
  }

  /** A key resolver for jose's jwtVerify; throws when the `kid` is unknown even after a fresh fetch. */
  async resolverFor(url: string, kid: string | undefined): Promise<JWTVerifyGetKey> {
    let entry = this.cache.get(url);
    const stale = !entry || Date.now() - entry.fetchedAt > CACHE_MS;
    const unknownKid = entry && !PlatformKeys.has(entry, kid) && Date.now() - entry.fetchedAt >= MIN_REFETCH_MS;
    if (stale || unknownKid) entry = await this.fetchSet(url);
    if (!entry || !PlatformKeys.has(entry, kid)) throw new UnknownKid();
    return entry.resolve;
  }
}

export class UnknownKid extends Error {}
