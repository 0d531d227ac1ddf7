// The tool's signing keys. A key pair is made the first time one is needed
// (at start-up) and kept in the store, so every instance and every restart
// signs with the same key. Rotation makes a new key that signs from then on;
// the old one stays published until nothing it signed can still be in use.
import { exportJWK, generateKeyPair, importJWK, SignJWT, type JWTPayload } from 'jose';
import { newId } from '../ids.ts';
import { insert, isConflict, put, type LtiKey, type StoreBackend } from '../store/backend.ts';

export const ALG = 'RS256';
/**
 * Our tokens live at most 10 minutes (client assertions 5, deep-linking
 * responses 10); a retired key stays published for an hour after that, for
 * platforms that cache our key set.
 */
export const RETIRED_KEY_PUBLISHED_MS = 70 * 60 * 1000;

async function makeKey(now: Date): Promise<LtiKey> {
  const { publicKey, privateKey } = await generateKeyPair(ALG, { modulusLength: 2048, extractable: true });
  const id = newId();
  return {
    id,
    privateJwk: { ...(await exportJWK(privateKey)), kid: id, alg: ALG },
    publicJwk: { ...(await exportJWK(publicKey)), kid: id, alg: ALG, use: 'sig' },
    createdAt: now.toISOString(),
    retiredAt: null,
  };
}

function newest(keys: LtiKey[]): LtiKey | undefined {
  return keys.filter((key) => !key.retiredAt).sort((a, b) => b.createdAt.localeCompare(a.createdAt) || b.id.localeCompare(a.id))[0];
}

/** The key that signs now, made on first use. */
export async function activeKey(store: StoreBackend, now: Date): Promise<LtiKey> {
  const current = newest(await store.list('ltiKeys'));
  if (current) return current;
  const key = await makeKey(now);
  try {
    await store.commit([insert('ltiKeys', key)]);
  } catch (error) {
    if (!isConflict(error)) throw error;
  }
  return newest(await store.list('ltiKeys')) ?? key;
}

/** The public keys platforms may check our signatures with (JWKS). */
export async function publishedKeys(store: StoreBackend, now: Date): Promise<{ keys: Record<string, unknown>[] }> {
  await activeKey(store, now);
  const keys = (await store.list('ltiKeys')).filter((key) => !key.retiredAt || now.getTime() - Date.parse(key.retiredAt) < RETIRED_KEY_PUBLISHED_MS);
  return { keys: keys.sort((a, b) => b.createdAt.localeCompare(a.createdAt)).map((key) => key.publicJwk) };
}

/** A new key signs from now on; the previous ones are retired (still published for a while). */
export async function rotateKey(store: StoreBackend, now: Date): Promise<{ newKid: string; retired: string[] }> {
  const current = (await store.list('ltiKeys')).filter((key) => !key.retiredAt);
  const key = await makeKey(now);
  await store.commit([insert('ltiKeys', key), ...current.map((old) => put('ltiKeys', { ...old, retiredAt: now.toISOString() }))]);
  return { newKid: key.id, retired: current.map((old) => old.id) };
}

/** A JWT signed with the active key, `kid` in its header. */
export async function signWithToolKey(store: StoreBackend, now: Date, payload: JWTPayload, lifetimeSeconds: number): Promise<string> {
  const key = await activeKey(store, now);
  const privateKey = await importJWK(key.privateJwk, ALG);
  const iat = Math.floor(now.getTime() / 1000);
  return new SignJWT(payload).setProtectedHeader({ alg: ALG, kid: key.id, typ: 'JWT' }).setIssuedAt(iat).setExpirationTime(iat + lifetimeSeconds).sign(privateKey);
}
