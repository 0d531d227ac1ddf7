// Login slips of a roster import and the one-time passwords on them.
//
// Why the passwords are kept at all, and how: the admin needs them once more
// to print the slips (a printer jams, a page is lost), so they cannot only be
// shown once the way a teacher's single reset is. But a stored password that
// works is a key to a child's account, so each one is
//   - sealed (AES-256-GCM, with a key derived from the deployment's secret):
//     the records alone (a copy of the journal, a database dump without the
//     settings table, a student-data export) never show a usable password,
//     not even in the embedded store's journal, which keeps a removed record
//     until its next compaction;
//   - dropped after SLIP_PASSWORD_HOURS, or as soon as the admin says the
//     slips are printed, whichever comes first: the slip records go, and the
//     batch keeps only its counts and classes. A student who then still has
//     no password gets one from a password reset, as with any lost password.
// 24 hours covers "import in the evening, print in the morning" without
// leaving working passwords in storage for days.
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import { put, remove, type RosterBatch, type StoreBackend } from '../store/backend.ts';

export const SLIP_PASSWORD_HOURS = 24;

function sealingKey(secret: string): Buffer {
  return Buffer.from(hkdfSync('sha256', secret, 'framecheck', 'roster slip passwords', 32));
}

/** iv, tag and ciphertext, base64url, joined by dots. */
export function sealPassword(password: string, secret: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', sealingKey(secret), iv);
  const sealed = Buffer.concat([cipher.update(password, 'utf8'), cipher.final()]);
  return [iv, cipher.getAuthTag(), sealed].map((part) => part.toString('base64url')).join('.');
}

/** The password, or null when the seal was not made with this secret or was altered. */
export function openPassword(sealed: string, secret: string): string | null {
  const [iv, tag, body] = sealed.split('.').map((part) => Buffer.from(part, 'base64url'));
  if (!iv || !tag || !body) return null;
  try {
    const decipher = createDecipheriv('aes-256-gcm', sealingKey(secret), iv);
    decipher.setAuthTag(tag);
    return Buffer.concat([decipher.update(body), decipher.final()]).toString('utf8');
  } catch {
    return null;
  }
}

export function passwordsExpired(batch: RosterBatch, now: Date): boolean {
  return batch.passwordsDroppedAt === null && new Date(batch.passwordsUntil) <= now;
}

/** Removes the batch's slips (and so its passwords) in one commit; the batch remembers when and why. */
export async function dropSlipPasswords(store: StoreBackend, batch: RosterBatch, because: 'expired' | 'printed', now: Date): Promise<RosterBatch> {
  if (batch.passwordsDroppedAt) return batch;
  const slips = await store.find('rosterSlips', 'batchId', batch.id);
  const dropped: RosterBatch = { ...batch, passwordsDroppedAt: now.toISOString(), droppedBecause: because };
  await store.commit([...slips.map((slip) => remove('rosterSlips', slip.id)), put('rosterBatches', dropped)]);
  return dropped;
}

/** Housekeeping (start-up and hourly, beside the session pruning): drops every batch's passwords that are past their time. */
export async function dropExpiredSlipPasswords(store: StoreBackend, now: Date): Promise<number> {
  const expired = (await store.list('rosterBatches')).filter((batch) => passwordsExpired(batch, now));
  for (const batch of expired) await dropSlipPasswords(store, batch, 'expired', now);
  return expired.length;
}
