// LMS connections of a school: registering a platform by hand or through
// Dynamic Registration, listing and disconnecting them. Every connection
// made or removed is in the school's audit log, written in the same commit.
import { createHash, randomBytes } from 'node:crypto';
import { auditEvent } from '../audit/events.ts';
import type { AppContext } from '../context.ts';
import { conflict, notFound } from '../http/errors.ts';
import { newId } from '../ids.ts';
import { insert, isConflict, put, remove, type LtiPlatform, type StoreChange, type User } from '../store/backend.ts';
import { keys } from '../store/keys.ts';

export const REGISTRATION_DAYS = 7;

/** What an admin (or Dynamic Registration) tells FrameCheck about a platform. */
export type PlatformInput = Pick<LtiPlatform, 'name' | 'issuer' | 'clientId' | 'authUrl' | 'tokenUrl' | 'jwksUrl' | 'deploymentIds'>;

export function presentPlatform(platform: LtiPlatform) {
  const { id, issuer, clientId, deploymentIds, name, createdAt } = platform;
  return { id, issuer, clientId, deploymentIds, name, createdAt };
}

export async function platformsOfSchool(ctx: AppContext, schoolId: string): Promise<LtiPlatform[]> {
  return (await ctx.store.find('ltiPlatforms', 'schoolId', schoolId)).sort((a, b) => a.createdAt.localeCompare(b.createdAt));
}

/** Stores a platform for the admin's school; the same issuer and client id twice is a 409. */
export async function addPlatform(ctx: AppContext, admin: User, schoolId: string, input: PlatformInput, extra: StoreChange[] = []): Promise<LtiPlatform> {
  const platform: LtiPlatform = { id: newId(), schoolId, createdBy: admin.id, createdAt: ctx.now().toISOString(), ...input };
  try {
    await ctx.store.commit([
      ...extra,
      insert('ltiPlatforms', platform),
      auditEvent({ schoolId, actor: admin, action: 'lms.connected', target: `LMS ${platform.name}`, detail: `${platform.issuer} (client ${platform.clientId})`, at: ctx.now() }),
    ]);
  } catch (error) {
    if (isConflict(error, 'ltiPlatforms.issuerClient')) throw conflict('This LMS (issuer and client id) is connected already.', 'clientId');
    throw error;
  }
  return platform;
}

/**
 * Removes the connection: launches from it stop at once. The accounts and
 * classes it made stay (their work is the school's), and so do scores not yet sent.
 */
export async function disconnectPlatform(ctx: AppContext, admin: User, platform: LtiPlatform): Promise<void> {
  await ctx.store.commit([
    remove('ltiPlatforms', platform.id),
    auditEvent({ schoolId: platform.schoolId, actor: admin, action: 'lms.disconnected', target: `LMS ${platform.name}`, detail: `${platform.issuer} (client ${platform.clientId})`, at: ctx.now() }),
  ]);
}

export async function platformOfSchool(ctx: AppContext, schoolId: string, platformId: string): Promise<LtiPlatform> {
  const platform = await ctx.store.get('ltiPlatforms', platformId);
  if (!platform || platform.schoolId !== schoolId) throw notFound('There is no such LMS connection.');
  return platform;
}

/** A platform by issuer and (when the LMS sent it) client id; undefined when unknown or ambiguous. */
export async function platformFor(ctx: AppContext, issuer: string, clientId: string | undefined): Promise<LtiPlatform | undefined> {
  const candidates = await ctx.store.find('ltiPlatforms', 'issuer', issuer);
  if (clientId) return candidates.find((platform) => platform.clientId === clientId);
  return candidates.length === 1 ? candidates[0] : undefined;
}

/** A one-time dynamic registration token; only its hash is stored. */
export async function createRegistration(ctx: AppContext, admin: User, schoolId: string, name: string): Promise<{ id: string; token: string; expiresAt: string }> {
  const token = randomBytes(24).toString('base64url');
  const expiresAt = new Date(ctx.now().getTime() + REGISTRATION_DAYS * 24 * 60 * 60 * 1000).toISOString();
  const id = keys.secretHash(token);
  await ctx.store.commit([put('ltiRegistrations', { id, schoolId, name, createdBy: admin.id, createdAt: ctx.now().toISOString(), expiresAt })]);
  return { id: createHash('sha256').update(id).digest('hex').slice(0, 12), token, expiresAt };
}
