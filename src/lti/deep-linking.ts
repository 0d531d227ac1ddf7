// Deep Linking 2.0: an instructor's LtiDeepLinkingRequest shows the course
// map with checkboxes; the chosen lessons go back to the LMS as one
// ltiResourceLink each, with a line item out of 100, in a response signed
// with the tool key. The picker form carries a short-lived reference to the
// launch, signed with the deployment's secret, so the LMS's return URL and
// data come from the verified launch and never from the form.
import { createHash, randomBytes } from 'node:crypto';
import { jwtVerify, SignJWT } from 'jose';
import type { AppContext } from '../context.ts';
import { badRequest, forbidden, invalid } from '../http/errors.ts';
import type { User } from '../store/backend.ts';
import { CLAIM, LaunchRefused, type ValidLaunch } from './launch.ts';
import { signWithToolKey } from './keys.ts';
import { platformUrl } from './addresses.ts';

const REFERENCE_MINUTES = 60;

interface LaunchReference {
  platformId: string;
  deploymentId: string;
  returnUrl: string;
  data: string | null;
  userId: string;
}

function referenceKey(ctx: AppContext): Uint8Array {
  return createHash('sha256').update(`lti-deep-link:${ctx.store.secret}`).digest();
}

/** The hidden `launch` field of the picker, for a verified deep-linking launch. */
export async function launchReference(ctx: AppContext, launch: ValidLaunch, user: User): Promise<string> {
  const settings = launch.claims[CLAIM.deepLinking] as Record<string, unknown> | undefined;
  const returnUrl = platformUrl(settings?.deep_link_return_url);
  if (!returnUrl) throw new LaunchRefused('The deep-linking request has no usable deep_link_return_url.');
  const accepts = Array.isArray(settings?.accept_types) ? settings.accept_types : ['ltiResourceLink'];
  if (!accepts.includes('ltiResourceLink')) throw new LaunchRefused('The LMS does not accept links to activities here (accept_types lacks ltiResourceLink).');
  const reference: LaunchReference = {
    platformId: launch.platform.id,
    deploymentId: launch.deploymentId,
    returnUrl: returnUrl.href,
    data: typeof settings?.data === 'string' ? settings.data : null,
    userId: user.id,
  };
  const iat = Math.floor(ctx.now().getTime() / 1000);
  return new SignJWT({ ...reference }).setProtectedHeader({ alg: 'HS256' }).setIssuedAt(iat).setExpirationTime(iat + REFERENCE_MINUTES * 60).sign(referenceKey(ctx));
}

export async function readReference(ctx: AppContext, token: unknown, user: User): Promise<LaunchReference> {
  if (typeof token !== 'string' || !token) throw badRequest('The lesson picker lost its link to the LMS. Start again from the LMS.', 'launch');
  let reference: LaunchReference;
  try {
    reference = (await jwtVerify(token, referenceKey(ctx), { algorithms: ['HS256'], currentDate: ctx.now() })).payload as unknown as LaunchReference;
  } catch {
    throw badRequest('The lesson picker has expired. Start again from the LMS.', 'launch');
  }
  if (reference.userId !== user.id) throw forbidden('This lesson picker was opened by someone else.');
  return reference;
}

/** The signed LtiDeepLinkingResponse and where to post it. */
export async function deepLinkingResponse(ctx: AppContext, reference: LaunchReference, lessonIds: string[], lessonUrl: (lessonId: string) => string) {
  const platform = await ctx.store.get('ltiPlatforms', reference.platformId);
  if (!platform) throw badRequest('This LMS is no longer connected to FrameCheck.');
  const lessons = lessonIds.map((id) => ctx.catalog.lesson(id));
  if (!lessons.length) throw invalid('Choose at least one lesson.', 'lessonIds');
  if (lessons.some((lesson) => !lesson)) throw invalid('One of the chosen lessons does not exist.', 'lessonIds');
  const contentItems = lessons.map((lesson) => ({
    type: 'ltiResourceLink',
    title: lesson!.title,
    text: lesson!.summary,
    url: lessonUrl(lesson!.id),
    custom: { lesson: lesson!.id },
    lineItem: { scoreMaximum: 100, label: lesson!.title, resourceId: lesson!.id, tag: 'framecheck-quiz' },
  }));
  const jwt = await signWithToolKey(
    ctx.store,
    ctx.now(),
    {
      iss: platform.clientId,
      aud: platform.issuer,
      azp: platform.clientId,
      nonce: randomBytes(16).toString('base64url'),
      [CLAIM.messageType]: 'LtiDeepLinkingResponse',
      [CLAIM.version]: '1.3.0',
      [CLAIM.deploymentId]: reference.deploymentId,
      'https://purl.imsglobal.org/spec/lti-dl/claim/content_items': contentItems,
      ...(reference.data !== null ? { [CLAIM.data]: reference.data } : {}),
      'https://purl.imsglobal.org/spec/lti-dl/claim/msg': `${contentItems.length} FrameCheck lesson${contentItems.length === 1 ? '' : 's'} added.`,
    },
    600,
  );
  return { jwt, returnUrl: reference.returnUrl, count: contentItems.length };
}
