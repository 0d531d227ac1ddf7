// LTI Dynamic Registration 1.0: the LMS admin pastes our one-time URL into
// the LMS, which opens it with `openid_configuration` and
// `registration_token`. We read the platform's configuration, register the
// tool at its registration endpoint, and store the platform for the school
// that made the URL. The one-time token is taken in the same commit.
import type { AppContext } from '../context.ts';
import { badRequest, HttpError } from '../http/errors.ts';
import { take, type User } from '../store/backend.ts';
import { keys } from '../store/keys.ts';
import { platformUrl } from './addresses.ts';
import { addPlatform } from './platforms.ts';
import { AGS_SCOPES, NRPS_SCOPE } from './services.ts';

const TOOL_CONFIG = 'https://purl.imsglobal.org/spec/lti-tool-configuration';
const PLATFORM_CONFIG = 'https://purl.imsglobal.org/spec/lti-platform-configuration';
const FETCH_TIMEOUT_MS = 10_000;

export interface ToolUrls {
  base: string;
  login: string;
  launch: string;
  jwks: string;
  deepLink: string;
}

class RegistrationFailed extends HttpError {
  constructor(message: string) {
    super(400, message);
  }
}

async function fetchJson(url: string, init: RequestInit, what: string): Promise<Record<string, unknown>> {
  let response: Response;
  try {
    response = await fetch(url, { ...init, redirect: 'error', signal: AbortSignal.timeout(FETCH_TIMEOUT_MS) });
  } catch {
    throw new RegistrationFailed(`FrameCheck could not reach the LMS for ${what}. Check that the LMS can be reached from this server and try again.`);
  }
  if (!response.ok) throw new RegistrationFailed(`The LMS refused ${what} (HTTP ${response.status}). The registration link may have been used or expired in the LMS; start again there.`);
  try {
    const body = (await response.json()) as unknown;
    if (!body || typeof body !== 'object') throw new Error('not an object');
    return body as Record<string, unknown>;
  } catch {
    throw new RegistrationFailed(`The LMS answered ${what} with something that is not JSON.`);
  }
}

function requiredUrl(config: Record<string, unknown>, field: string): string {
  const url = platformUrl(config[field]);
  if (!url) throw new RegistrationFailed(`The LMS configuration has no usable ${field} (it must be an https:// address).`);
  return url.href;
}

/** What the LMS is asked to store about FrameCheck (Dynamic Registration section 3.4). */
export function toolRegistration(urls: ToolUrls, name: string) {
  return {
    application_type: 'web',
    response_types: ['id_token'],
    grant_types: ['implicit', 'client_credentials'],
    initiate_login_uri: urls.login,
    redirect_uris: [urls.launch],
    client_name: name ? `FrameCheck (${name})` : 'FrameCheck',
    jwks_uri: urls.jwks,
    token_endpoint_auth_method: 'private_key_jwt',
    scope: [...AGS_SCOPES, NRPS_SCOPE].join(' '),
    [TOOL_CONFIG]: {
      domain: new URL(urls.base).host,
      target_link_uri: urls.base + '/',
      description: 'Lessons and quizzes that teach teenagers to recognise the framing extremist recruiters use online.',
      claims: ['iss', 'sub', 'name', 'given_name'],
      messages: [{ type: 'LtiDeepLinkingRequest', target_link_uri: urls.deepLink, label: 'FrameCheck lessons' }],
    },
  };
}

/**
 * Completes a registration for the school whose one-time token this is.
 * Any refusal leaves the token usable, so the admin can try again.
 */
export async function completeRegistration(ctx: AppContext, token: string, openidConfiguration: string, registrationToken: string, urls: ToolUrls) {
  const registration = await ctx.store.get('ltiRegistrations', keys.secretHash(token));
  if (!registration || registration.expiresAt <= ctx.now().toISOString()) {
    throw new RegistrationFailed('This registration link is unknown, used or expired. Ask the FrameCheck admin of your school for a new one.');
  }
  const configUrl = platformUrl(openidConfiguration);
  if (!configUrl) throw new RegistrationFailed('The LMS did not send a usable openid_configuration address (it must be https://).');
  const auth = registrationToken ? { Authorization: `Bearer ${registrationToken}` } : undefined;
  const config = await fetchJson(configUrl.href, { headers: { Accept: 'application/json', ...auth } }, 'its configuration');
  requiredUrl(config, 'issuer');
  // Kept exactly as the LMS spells it: id_tokens are compared with it character by character.
  const issuer = String(config.issuer);
  const registrationEndpoint = requiredUrl(config, 'registration_endpoint');
  const authUrl = requiredUrl(config, 'authorization_endpoint');
  const tokenUrl = requiredUrl(config, 'token_endpoint');
  const jwksUrl = requiredUrl(config, 'jwks_uri');
  const platformInfo = (config[PLATFORM_CONFIG] ?? {}) as Record<string, unknown>;
  const answer = await fetchJson(
    registrationEndpoint,
    { method: 'POST', headers: { 'Content-Type': 'application/json', Accept: 'application/json', ...auth }, body: JSON.stringify(toolRegistration(urls, registration.name)) },
    'the registration',
  );
  const clientId = typeof answer.client_id === 'string' && answer.client_id ? answer.client_id : null;
  if (!clientId) throw new RegistrationFailed('The LMS accepted the registration but sent no client id.');
  const toolConfig = (answer[TOOL_CONFIG] ?? {}) as Record<string, unknown>;
  const deploymentId = typeof toolConfig.deployment_id === 'string' && toolConfig.deployment_id ? [toolConfig.deployment_id] : [];
  const creator: User | undefined = await ctx.store.get('users', registration.createdBy);
  const productName = typeof platformInfo.product_family_code === 'string' ? platformInfo.product_family_code : new URL(issuer).host;
  if (!creator) throw badRequest('The admin who made this registration link no longer has an account.');
  return addPlatform(
    ctx,
    creator,
    registration.schoolId,
    { name: registration.name || productName, issuer, clientId, authUrl, tokenUrl, jwksUrl, deploymentIds: deploymentId },
    [take('ltiRegistrations', registration.id)],
  );
}
