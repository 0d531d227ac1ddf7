// A small LTI 1.3 platform (an LMS) for the tests: its own key pair and
// JWKS, an OpenID configuration, a Dynamic Registration endpoint, a token
// endpoint that checks the tool's client assertion against the tool's
// /lti/jwks, AGS scores (answering 503 when told to) and NRPS memberships.
// It listens on 127.0.0.1, port 0.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { createLocalJWKSet, exportJWK, generateKeyPair, jwtVerify, SignJWT, type CryptoKey, type JSONWebKeySet, type JWK } from 'jose';

export interface ReceivedScore {
  path: string;
  search: string;
  body: Record<string, unknown>;
  authorization: string;
}

interface SigningKey {
  kid: string;
  privateKey: CryptoKey;
  publicJwk: JWK;
}

async function makeKey(kid: string): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
  return { kid, privateKey, publicJwk: { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' } };
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    let data = '';
    req.on('data', (chunk) => (data += chunk));
    req.on('end', () => resolve(data));
  });
}

export class Platform {
  issuer = '';
  clientId = 'framecheck-client';
  deploymentId = 'deployment-1';
  keys: SigningKey[] = [];
  /** the key that signs id_tokens */
  signing!: SigningKey;
  scores: ReceivedScore[] = [];
  /** how many score posts to answer with 503 before accepting; Infinity: always */
  failScores = 0;
  /** how long the score endpoint takes to answer, in ms (a slow LMS) */
  scoreDelayMs = 0;
  tokenRequests: { scope: string; ok: boolean }[] = [];
  registrations: Record<string, unknown>[] = [];
  registrationToken = 'reg-token-from-the-lms';
  members: Record<string, unknown>[] = [];
  deepLinkResponses: string[] = [];
  private server!: Server;

  constructor(
    /** the tool's published keys (GET /lti/jwks through supertest) */
    private readonly toolKeys: () => Promise<JSONWebKeySet>,
    private readonly now: () => Date,
  ) {}

  static async start(toolKeys: () => Promise<JSONWebKeySet>, now: () => Date, clientId?: string): Promise<Platform> {
    const platform = new Platform(toolKeys, now);
    if (clientId) platform.clientId = clientId;
    platform.signing = await makeKey('platform-key-1');
    platform.keys = [platform.signing];
    platform.server = createServer((req, res) => void platform.handle(req, res));
    await new Promise<void>((resolve) => platform.server.listen(0, '127.0.0.1', resolve));
    const address = platform.server.address() as { port: number };
    platform.issuer = `http://127.0.0.1:${address.port}`;
    return platform;
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  url(path: string): string {
    return `${this.issuer}${path}`;
  }

  /** The fields of POST /lti/platforms for this platform. */
  manualRegistration() {
    return { name: 'Test LMS', issuer: this.issuer, clientId: this.clientId, authUrl: this.url('/auth'), tokenUrl: this.url('/token'), jwksUrl: this.url('/jwks'), deploymentId: this.deploymentId };
  }

  /** A new key that signs from now on; both stay published. */
  async rotate(): Promise<void> {
    this.signing = await makeKey(`platform-key-${this.keys.length + 1}`);
    this.keys.push(this.signing);
  }

  /** An id_token as this platform would post it; `claims` override or (with undefined) remove defaults. */
  async idToken(claims: Record<string, unknown>, options: { key?: SigningKey; kid?: string } = {}): Promise<string> {
    const iat = Math.floor(this.now().getTime() / 1000);
    const payload: Record<string, unknown> = {
      iss: this.issuer,
      aud: this.clientId,
      sub: 'lms-user-1',
      iat,
      exp: iat + 300,
      'https://purl.imsglobal.org/spec/lti/claim/message_type': 'LtiResourceLinkRequest',
      'https://purl.imsglobal.org/spec/lti/claim/version': '1.3.0',
      'https://purl.imsglobal.org/spec/lti/claim/deployment_id': this.deploymentId,
      'https://purl.imsglobal.org/spec/lti/claim/roles': ['http://purl.imsglobal.org/vocab/lis/v2/membership#Learner'],
      'https://purl.imsglobal.org/spec/lti/claim/context': { id: 'course-1', title: 'Year 9 Media' },
      'https://purl.imsglobal.org/spec/lti/claim/resource_link': { id: 'link-1' },
      'https://purl.imsglobal.org/spec/lti/claim/target_link_uri': 'http://tool.test/lessons/recruitment-funnel',
      'https://purl.imsglobal.org/spec/lti-ags/claim/endpoint': {
        scope: ['https://purl.imsglobal.org/spec/lti-ags/scope/score'],
        lineitem: this.url('/course-1/lineitems/7/lineitem?type_id=7'),
      },
      'https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice': { context_memberships_url: this.url('/course-1/memberships'), service_versions: ['2.0'] },
      ...claims,
    };
    for (const [name, value] of Object.entries(payload)) if (value === undefined) delete payload[name];
    const key = options.key ?? this.signing;
    return new SignJWT(payload).setProtectedHeader({ alg: 'RS256', kid: options.kid ?? key.kid }).sign(key.privateKey);
  }

  async signingKey(kid: string): Promise<SigningKey> {
    return makeKey(kid);
  }

  private async handle(req: IncomingMessage, res: import('node:http').ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.issuer);
    const body = await readBody(req);
    const json = (status: number, value: unknown) => {
      res.writeHead(status, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify(value));
    };
    if (url.pathname === '/.well-known/openid-configuration') {
      return json(200, {
        issuer: this.issuer,
        authorization_endpoint: this.url('/auth'),
        token_endpoint: this.url('/token'),
        jwks_uri: this.url('/jwks'),
        registration_endpoint: this.url('/register'),
        'https://purl.imsglobal.org/spec/lti-platform-configuration': { product_family_code: 'simulator', version: '1.0' },
      });
    }
    if (url.pathname === '/jwks') return json(200, { keys: this.keys.map((key) => key.publicJwk) });
    if (url.pathname === '/register' && req.method === 'POST') {
      if (req.headers.authorization !== `Bearer ${this.registrationToken}`) return json(401, { error: 'bad registration token' });
      this.registrations.push(JSON.parse(body));
      return json(200, { client_id: this.clientId, ...JSON.parse(body), 'https://purl.imsglobal.org/spec/lti-tool-configuration': { deployment_id: this.deploymentId } });
    }
    if (url.pathname === '/token' && req.method === 'POST') {
      const form = new URLSearchParams(body);
      const scope = form.get('scope') ?? '';
      try {
        if (form.get('grant_type') !== 'client_credentials') throw new Error('grant');
        if (form.get('client_assertion_type') !== 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer') throw new Error('assertion type');
        const keys = createLocalJWKSet(await this.toolKeys());
        const { payload } = await jwtVerify(form.get('client_assertion') ?? '', keys, { issuer: this.clientId, subject: this.clientId, audience: this.url('/token'), currentDate: this.now() });
        if (!payload.jti) throw new Error('jti');
      } catch {
        this.tokenRequests.push({ scope, ok: false });
        return json(401, { error: 'invalid_client' });
      }
      this.tokenRequests.push({ scope, ok: true });
      return json(200, { access_token: `token-${this.tokenRequests.length}`, token_type: 'Bearer', expires_in: 3600, scope });
    }
    if (url.pathname.endsWith('/scores') && req.method === 'POST') {
      if (!req.headers.authorization?.startsWith('Bearer token-')) return json(401, { error: 'no token' });
      if (this.failScores > 0) {
        this.failScores -= 1;
        return json(503, { error: 'busy' });
      }
      this.scores.push({ path: url.pathname, search: url.search, body: JSON.parse(body), authorization: req.headers.authorization });
      if (this.scoreDelayMs) await new Promise((resolve) => setTimeout(resolve, this.scoreDelayMs));
      return json(200, {});
    }
    if (url.pathname === '/course-1/memberships') {
      if (!req.headers.authorization?.startsWith('Bearer token-')) return json(401, { error: 'no token' });
      res.writeHead(200, { 'Content-Type': 'application/vnd.ims.lti-nrps.v2.membershipcontainer+json' });
      return void res.end(JSON.stringify({ id: url.href, context: { id: 'course-1' }, members: this.members }));
    }
    if (url.pathname === '/deep-link/return' && req.method === 'POST') {
      this.deepLinkResponses.push(new URLSearchParams(body).get('JWT') ?? '');
      res.writeHead(200, { 'Content-Type': 'text/html' });
      return void res.end('<p>ok</p>');
    }
    json(404, { error: 'not found' });
  }
}

import supertest from 'supertest';
import type { TestApp } from './helpers.ts';
import { Client } from './helpers.ts';

/**
 * A platform simulator whose token endpoint checks assertions against the
 * app's /lti/jwks; pass a function when the test restarts the app.
 */
export function platformFor(app: TestApp | (() => TestApp), clientId?: string): Promise<Platform> {
  const current = typeof app === 'function' ? app : () => app;
  return Platform.start(async () => (await supertest(current().app).get('/lti/jwks')).body, () => current().clock.now, clientId);
}

/** Connects the platform by hand as the school's admin. */
export async function connect(admin: Client, platform: Platform): Promise<string> {
  const response = await admin.post('/lti/platforms', platform.manualRegistration());
  if (response.status !== 201) throw new Error(`connect: ${response.status} ${JSON.stringify(response.body)}`);
  return response.body.platform.id;
}

/** The OIDC login as the LMS starts it; returns the state and nonce the tool sent to the platform. */
export async function login(client: Client, platform: Platform, extra: Record<string, string> = {}) {
  const response = await client.agent.get('/lti/login').query({ iss: platform.issuer, login_hint: 'hint-1', target_link_uri: 'http://tool.test/', client_id: platform.clientId, ...extra });
  if (response.status !== 302) throw new Error(`login: ${response.status} ${response.text.slice(0, 300)}`);
  const location = new URL(response.headers.location);
  return { state: location.searchParams.get('state')!, nonce: location.searchParams.get('nonce')!, location };
}

/** A whole launch: login, then the platform's form post of a signed id_token. */
export async function launch(client: Client, platform: Platform, claims: Record<string, unknown> = {}) {
  const { state, nonce } = await login(client, platform);
  const idToken = await platform.idToken({ nonce, ...claims });
  const response = await client.agent.post('/lti/launch').type('form').send({ id_token: idToken, state });
  return { response, idToken, state, nonce };
}

export const LEARNER = ['http://purl.imsglobal.org/vocab/lis/v2/membership#Learner'];
export const INSTRUCTOR = ['http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor'];
export const ROLES = 'https://purl.imsglobal.org/spec/lti/claim/roles';
