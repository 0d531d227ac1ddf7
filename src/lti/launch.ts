// OIDC third-party-initiated login and the id_token launch (LTI Core 1.3,
// Security Framework 1.0), validated completely. Every refusal is a
// LaunchRefused with a sentence for the LMS admin; nothing is written for a
// refused launch except the nonce of a token that was genuinely signed.
import { createHash, randomBytes } from 'node:crypto';
import { decodeProtectedHeader, errors, jwtVerify, type JWTPayload } from 'jose';
import type { AppContext } from '../context.ts';
import { HttpError } from '../http/errors.ts';
import { insert, isConflict, put, remove, type LtiLogin, type LtiPlatform, type StoreBackend, type StoreChange } from '../store/backend.ts';
import { keys } from '../store/keys.ts';
import { platformFor } from './platforms.ts';
import { UnknownKid, type PlatformKeys } from './platform-keys.ts';

export const CLAIM = {
  messageType: 'https://purl.imsglobal.org/spec/lti/claim/message_type',
  version: 'https://purl.imsglobal.org/spec/lti/claim/version',
  deploymentId: 'https://purl.imsglobal.org/spec/lti/claim/deployment_id',
  targetLinkUri: 'https://purl.imsglobal.org/spec/lti/claim/target_link_uri',
  resourceLink: 'https://purl.imsglobal.org/spec/lti/claim/resource_link',
  roles: 'https://purl.imsglobal.org/spec/lti/claim/roles',
  context: 'https://purl.imsglobal.org/spec/lti/claim/context',
  custom: 'https://purl.imsglobal.org/spec/lti/claim/custom',
  presentation: 'https://purl.imsglobal.org/spec/lti/claim/launch_presentation',
  ags: 'https://purl.imsglobal.org/spec/lti-ags/claim/endpoint',
  nrps: 'https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice',
  deepLinking: 'https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings',
  data: 'https://purl.imsglobal.org/spec/lti-dl/claim/data',
} as const;

export const MESSAGE_TYPES = ['LtiResourceLinkRequest', 'LtiDeepLinkingRequest'] as const;
/** how far the LMS's clock may be from ours */
const SKEW_SECONDS = 60;
const LOGIN_MINUTES = 10;
export const STATE_COOKIE = 'framecheck.lti';

/** A launch or login refused: 401 (400 for a login from an unknown LMS), with words for the LMS admin. */
export class LaunchRefused extends HttpError {
  constructor(
    message: string,
    /** the login to offer again in a new window, when the browser dropped our cookie */
    readonly retryLogin: Record<string, string> | null = null,
    status = 401,
  ) {
    super(status, message);
  }
}

export interface LoginRequest {
  iss?: unknown;
  login_hint?: unknown;
  target_link_uri?: unknown;
  lti_message_hint?: unknown;
  client_id?: unknown;
  lti_deployment_id?: unknown;
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' && value.length <= 4000 ? value : undefined;
}

const hashKey = (browserKey: string) => createHash('sha256').update(browserKey).digest('base64url');

/** Stores state and nonce under a random key for this browser's cookie; gives the platform's auth URL to go to. */
export async function startLogin(ctx: AppContext, input: LoginRequest, launchUrl: string): Promise<{ redirect: string; browserKey: string }> {
  const iss = str(input.iss);
  const loginHint = str(input.login_hint);
  const targetLinkUri = str(input.target_link_uri);
  if (!iss || !loginHint || !targetLinkUri) throw new LaunchRefused('The LMS started a sign-in without iss, login_hint or target_link_uri. Check the tool settings in the LMS.', null, 400);
  const clientId = str(input.client_id);
  const platform = await platformFor(ctx, iss, clientId);
  if (!platform) {
    throw new LaunchRefused(`FrameCheck does not know this LMS (issuer ${iss}${clientId ? `, client id ${clientId}` : ''}). The school's FrameCheck admin must connect it first.`, null, 400);
  }
  const state = randomBytes(24).toString('base64url');
  const nonce = randomBytes(24).toString('base64url');
  const browserKey = randomBytes(24).toString('base64url');
  const params: Record<string, string> = { iss, login_hint: loginHint, target_link_uri: targetLinkUri, client_id: platform.clientId };
  const hint = str(input.lti_message_hint);
  if (hint) params.lti_message_hint = hint;
  const deployment = str(input.lti_deployment_id);
  if (deployment) params.lti_deployment_id = deployment;
  const login: LtiLogin = {
    id: state,
    browserKey: hashKey(browserKey),
    nonce,
    platformId: platform.id,
    params,
    expiresAt: new Date(ctx.now().getTime() + LOGIN_MINUTES * 60_000).toISOString(),
  };
  await ctx.store.commit([insert('ltiLogins', login)]);
  const auth = new URL(platform.authUrl);
  const query: Record<string, string> = {
    scope: 'openid',
    response_type: 'id_token',
    response_mode: 'form_post',
    prompt: 'none',
    client_id: platform.clientId,
    redirect_uri: launchUrl,
    login_hint: loginHint,
    state,
    nonce,
  };
  if (hint) query.lti_message_hint = hint;
  for (const [name, value] of Object.entries(query)) auth.searchParams.set(name, value);
  return { redirect: auth.href, browserKey };
}

export interface ValidLaunch {
  platform: LtiPlatform;
  claims: JWTPayload & Record<string, unknown>;
  messageType: (typeof MESSAGE_TYPES)[number];
  deploymentId: string;
  sub: string;
}

/** Checks an id_token launch against the login this browser started; throws LaunchRefused on any failure. */
export async function validateLaunch(ctx: AppContext, platformKeys: PlatformKeys, body: { id_token?: unknown; state?: unknown }, browserKey: string | undefined): Promise<ValidLaunch> {
  const idToken = str(body.id_token);
  const state = str(body.state);
  if (!idToken || !state) throw new LaunchRefused('The LMS sent no id_token or state. Start the activity again from the LMS.');
  const login = await ctx.store.get('ltiLogins', state);
  if (!login || login.expiresAt <= ctx.now().toISOString()) throw new LaunchRefused('This sign-in was not started here or took too long (state unknown or expired). Start the activity again from the LMS.');
  if (!browserKey) {
    throw new LaunchRefused(
      'Your browser did not send back the cookie FrameCheck set a moment ago, which happens when an LMS shows FrameCheck inside its page and the browser blocks cookies there. Open FrameCheck in a new window to continue.',
      login.params,
    );
  }
  if (hashKey(browserKey) !== login.browserKey) throw new LaunchRefused('The state of this launch does not match the sign-in this browser started. Start the activity again from the LMS.');
  const platform = await ctx.store.get('ltiPlatforms', login.platformId);
  if (!platform) throw new LaunchRefused('This LMS is no longer connected to FrameCheck.');

  let kid: string | undefined;
  try {
    kid = decodeProtectedHeader(idToken).kid;
  } catch {
    throw new LaunchRefused('The id_token from the LMS is not a signed token.');
  }
  let resolver;
  try {
    resolver = await platformKeys.resolverFor(platform.jwksUrl, kid);
  } catch (error) {
    if (error instanceof UnknownKid) throw new LaunchRefused(`The id_token is signed with a key the LMS does not publish (kid ${kid ?? 'missing'}).`);
    throw new LaunchRefused(`FrameCheck could not read the LMS's public keys at ${platform.jwksUrl}.`);
  }
  let claims: JWTPayload & Record<string, unknown>;
  try {
    ({ payload: claims } = await jwtVerify(idToken, resolver, {
      algorithms: ['RS256', 'RS384', 'RS512', 'ES256', 'ES384'],
      clockTolerance: SKEW_SECONDS,
      currentDate: ctx.now(),
      requiredClaims: ['iss', 'aud', 'exp', 'iat', 'nonce', 'sub'],
    }));
  } catch (error) {
    throw new LaunchRefused(refusalFor(error));
  }
  if (claims.iss !== platform.issuer) throw new LaunchRefused(`The id_token comes from issuer ${String(claims.iss)}, not from the LMS this sign-in was started with.`);
  const nowSeconds = ctx.now().getTime() / 1000;
  if (typeof claims.iat !== 'number' || claims.iat > nowSeconds + SKEW_SECONDS) throw new LaunchRefused('The id_token says it was issued in the future. Check the clock of the LMS server.');
  const audiences = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
  if (!audiences.includes(platform.clientId)) throw new LaunchRefused(`The id_token is not meant for FrameCheck's client id ${platform.clientId}.`);
  if (Array.isArray(claims.aud) && claims.azp === undefined) throw new LaunchRefused('The id_token names several audiences but no authorized party (azp).');
  if (claims.azp !== undefined && claims.azp !== platform.clientId) throw new LaunchRefused(`The id_token is authorized for ${String(claims.azp)}, not for FrameCheck's client id.`);
  if (claims.nonce !== login.nonce) throw new LaunchRefused('The nonce of the id_token does not belong to this sign-in.');
  if (claims[CLAIM.version] !== '1.3.0') throw new LaunchRefused('The launch does not say it is LTI version 1.3.0.');
  const messageType = claims[CLAIM.messageType];
  if (!MESSAGE_TYPES.includes(messageType as never)) throw new LaunchRefused(`FrameCheck does not handle the message type ${messageType === undefined ? '(missing)' : String(messageType)}.`);
  const deploymentId = str(claims[CLAIM.deploymentId]);
  // A platform registered dynamically without naming its deployment learns it from its first launch.
  if (deploymentId && platform.deploymentIds.length === 0) {
    platform.deploymentIds = [deploymentId];
    await ctx.store.commit([put('ltiPlatforms', platform)]);
  }
  if (!deploymentId || !platform.deploymentIds.includes(deploymentId)) {
    throw new LaunchRefused(`The deployment ${deploymentId ?? '(missing)'} is not registered for this LMS in FrameCheck. The school's FrameCheck admin can add it.`);
  }
  const sub = str(claims.sub);
  if (!sub) throw new LaunchRefused('The launch has no user (sub). FrameCheck does not take anonymous launches.');
  // Last, once everything else holds: the nonce is used up, so the same token cannot sign anyone in again.
  try {
    await ctx.store.commit([insert('ltiNonces', { id: keys.ltiNonce(platform.issuer, login.nonce), expiresAt: new Date(Math.max(Number(claims.exp), nowSeconds) * 1000 + SKEW_SECONDS * 2000).toISOString() })]);
  } catch (error) {
    if (isConflict(error)) throw new LaunchRefused('This launch was used already (its nonce was seen before). Start the activity again from the LMS.');
    throw error;
  }
  return { platform, claims, messageType: messageType as ValidLaunch['messageType'], deploymentId, sub };
}

function refusalFor(error: unknown): string {
  if (error instanceof errors.JWTExpired) return 'The id_token from the LMS has expired. Check the clock of the LMS server, then start the activity again.';
  if (error instanceof errors.JWSSignatureVerificationFailed) return 'The signature of the id_token does not match the LMS key.';
  if (error instanceof errors.JWTClaimValidationFailed) return `The id_token is not valid yet or lacks a required claim (${error.claim}).`;
  if (error instanceof errors.JOSEAlgNotAllowed) return 'The id_token is signed with an algorithm FrameCheck does not accept.';
  return 'The id_token from the LMS could not be verified.';
}

/**
 * Housekeeping (start-up and hourly, beside the session pruning): sign-in states, nonces and dynamic registration links
 * past their time are of no use to anyone (a registration link also names the
 * admin who made it), so their records go.
 */
export async function pruneLaunchRecords(store: StoreBackend, now: Date): Promise<number> {
  const at = now.toISOString();
  const [logins, nonces, registrations] = await Promise.all([store.list('ltiLogins'), store.list('ltiNonces'), store.list('ltiRegistrations')]);
  const gone: StoreChange[] = [
    ...logins.filter((login) => login.expiresAt <= at).map((login) => remove('ltiLogins', login.id)),
    ...nonces.filter((nonce) => nonce.expiresAt <= at).map((nonce) => remove('ltiNonces', nonce.id)),
    ...registrations.filter((registration) => registration.expiresAt <= at).map((registration) => remove('ltiRegistrations', registration.id)),
  ];
  if (gone.length) await store.commit(gone);
  return gone.length;
}
