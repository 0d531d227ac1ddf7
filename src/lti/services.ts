// Calls to the LMS's LTI Advantage services: an access token by the
// client_credentials grant with a private_key_jwt assertion signed by the
// tool key (cached until it expires), AGS scores and NRPS memberships.
import { newId } from '../ids.ts';
import type { LtiPlatform, StoreBackend } from '../store/backend.ts';
import { signWithToolKey } from './keys.ts';
import { platformUrl } from './addresses.ts';

export const AGS_SCOPES = [
  'https://purl.imsglobal.org/spec/lti-ags/scope/lineitem',
  'https://purl.imsglobal.org/spec/lti-ags/scope/result.readonly',
  'https://purl.imsglobal.org/spec/lti-ags/scope/score',
];
export const SCORE_SCOPE = 'https://purl.imsglobal.org/spec/lti-ags/scope/score';
export const NRPS_SCOPE = 'https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly';
const TIMEOUT_MS = 10_000;
/** a token is not used in its last half minute, so it cannot expire on the way */
const EXPIRY_MARGIN_MS = 30_000;

export class ServiceError extends Error {}

interface CachedToken {
  token: string;
  expiresAt: number;
}

/** Access tokens per platform and scope, kept in memory until they expire. */
export class TokenClient {
  private cache = new Map<string, CachedToken>();

  constructor(
    private readonly store: StoreBackend,
    private readonly now: () => Date,
  ) {}

  async token(platform: LtiPlatform, scope: string): Promise<string> {
    const key = `${platform.id} ${platform.tokenUrl} ${scope}`;
    const cached = this.cache.get(key);
    if (cached && cached.expiresAt > Date.now()) return cached.token;
    const assertion = await signWithToolKey(this.store, this.now(), { iss: platform.clientId, sub: platform.clientId, aud: platform.tokenUrl, jti: newId() }, 300);
    const body = new URLSearchParams({
      grant_type: 'client_credentials',
      client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
      client_assertion: assertion,
      scope,
    });
    const response = await call(platform.tokenUrl, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json' }, body });
    const answer = (await response.json().catch(() => ({}))) as { access_token?: unknown; expires_in?: unknown };
    if (typeof answer.access_token !== 'string') throw new ServiceError('the LMS token endpoint sent no access token');
    const lifetime = typeof answer.expires_in === 'number' && answer.expires_in > 0 ? answer.expires_in * 1000 : 3600_000;
    this.cache.set(key, { token: answer.access_token, expiresAt: Date.now() + lifetime - EXPIRY_MARGIN_MS });
    return answer.access_token;
  }

  forget(platform: LtiPlatform): void {
    for (const key of this.cache.keys()) if (key.startsWith(`${platform.id} `)) this.cache.delete(key);
  }
}

async function call(url: string, init: RequestInit): Promise<Response> {
  let response: Response;
  try {
    response = await fetch(url, { ...init, redirect: 'error', signal: AbortSignal.timeout(TIMEOUT_MS) });
  } catch (error) {
    throw new ServiceError(`could not reach ${new URL(url).host}: ${(error as Error).message}`);
  }
  if (!response.ok) {
    await response.body?.cancel().catch(() => {});
    throw new ServiceError(`${new URL(url).host} answered HTTP ${response.status}`);
  }
  return response;
}

/** Where scores for a line item go: its path plus /scores, its query string kept (Moodle: …/lineitem?type_id=7). */
export function scoresUrl(lineItemUrl: string): string {
  const url = new URL(lineItemUrl);
  url.pathname = url.pathname.replace(/\/$/, '') + '/scores';
  return url.href;
}

export interface Score {
  userId: string;
  scoreGiven: number;
  scoreMaximum: number;
  activityProgress: 'Completed' | 'InProgress';
  gradingProgress: 'FullyGraded';
  timestamp: string;
}

export async function postScore(tokens: TokenClient, platform: LtiPlatform, lineItemUrl: string, score: Score): Promise<void> {
  const token = await tokens.token(platform, SCORE_SCOPE);
  await call(scoresUrl(lineItemUrl), {
    method: 'POST',
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/vnd.ims.lis.v1.score+json' },
    body: JSON.stringify(score),
  }).then((response) => response.body?.cancel());
}

export interface Member {
  userId: string;
  roles: string[];
  name?: string;
  givenName?: string;
  status: string;
}

/** Every member of the context, following `Link: <…>; rel="next"` pages. */
export async function fetchMembers(tokens: TokenClient, platform: LtiPlatform, membershipsUrl: string): Promise<Member[]> {
  const token = await tokens.token(platform, NRPS_SCOPE);
  const members: Member[] = [];
  let next: string | null = membershipsUrl;
  for (let page = 0; next && page < 100; page++) {
    const response = await call(next, { headers: { Authorization: `Bearer ${token}`, Accept: 'application/vnd.ims.lti-nrps.v2.membershipcontainer+json' } });
    const body = (await response.json().catch(() => ({}))) as { members?: Record<string, unknown>[] };
    for (const member of body.members ?? []) {
      if (typeof member.user_id !== 'string') continue;
      members.push({
        userId: member.user_id,
        roles: Array.isArray(member.roles) ? member.roles.filter((role): role is string => typeof role === 'string') : [],
        name: typeof member.name === 'string' ? member.name : undefined,
        givenName: typeof member.given_name === 'string' ? member.given_name : undefined,
        status: typeof member.status === 'string' ? member.status : 'Active',
      });
    }
    const link = response.headers.get('link') ?? '';
    const match = /<([^>]+)>\s*;\s*rel="?next"?/.exec(link);
    next = match ? (platformUrl(new URL(match[1], next).href)?.href ?? null) : null;
  }
  return members;
}
