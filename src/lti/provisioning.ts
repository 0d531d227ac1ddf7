// Who a launch signs in and where it lands: one FrameCheck user per LMS
// user (issuer, sub), one class per LMS course (issuer, deployment, context),
// its instructors co-teachers and its learners students, and a resource
// link remembered with its lesson and line item. Users and classes belong to
// the platform's school. No email is ever read or kept.
import type { AppContext } from '../context.ts';
import { assignLesson } from '../classes/classes.ts';
import { newId, randomCode } from '../ids.ts';
import { insert, isConflict, put, type ClassRecord, type LtiContext, type LtiPlatform, type StoreBackend, type StoreChange, type User } from '../store/backend.ts';
import { keys } from '../store/keys.ts';
import { CLAIM, type ValidLaunch } from './launch.ts';

const MEMBERSHIP = 'http://purl.imsglobal.org/vocab/lis/v2/membership#';
const TEACHING_ROLES = ['Instructor', 'TeachingAssistant', 'ContentDeveloper', 'Administrator'];
/** LMS users have no password: the login form can never match this. */
export const NO_PASSWORD = 'lti$no-password';

/** teacher, student, or null when the launch gives neither (a guest, a mentor). */
export function roleFromClaims(roles: unknown): 'teacher' | 'student' | null {
  const list = Array.isArray(roles) ? roles.filter((role): role is string => typeof role === 'string') : [];
  // "…membership#Instructor", "…membership/Instructor#TeachingAssistant", or the short "Instructor".
  const names = list.flatMap((role) => {
    if (!role.includes('/')) return [role];
    if (!role.startsWith(MEMBERSHIP) && !role.startsWith('http://purl.imsglobal.org/vocab/lis/v2/membership/')) return [];
    return role.split(/[#/]/).slice(-2);
  });
  if (names.some((name) => TEACHING_ROLES.includes(name))) return 'teacher';
  if (names.includes('Learner')) return 'student';
  return null;
}

function claimObject(claims: Record<string, unknown>, name: string): Record<string, unknown> | null {
  const value = claims[name];
  return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
}

function text(value: unknown, max = 200): string | null {
  if (typeof value !== 'string') return null;
  const cleaned = value.replace(/[\u0000-\u001F\u007F-\u009F\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/gu, ' ').trim();
  return cleaned ? [...cleaned].slice(0, max).join('') : null;
}

/** The FrameCheck user of this LMS user, made on their first launch. */
export async function userForLaunch(ctx: AppContext, platform: LtiPlatform, sub: string, role: 'teacher' | 'student', names: { name?: unknown; given_name?: unknown }): Promise<User> {
  const identityId = keys.ltiIdentity(platform.issuer, sub);
  for (;;) {
    const identity = await ctx.store.get('ltiIdentities', identityId);
    if (identity) {
      const user = await ctx.store.get('users', identity.userId);
      if (user) return user;
    }
    const number = (await ctx.store.find('ltiIdentities', 'platformId', platform.id)).length + 1;
    const displayName = text(names.name, 60) ?? text(names.given_name, 60) ?? `${role === 'student' ? 'Student' : 'Teacher'} ${number}`;
    const user: User = {
      id: newId(),
      role,
      schoolId: platform.schoolId,
      username: `lms-${randomCode(8).toLowerCase()}`,
      displayName,
      passwordHash: NO_PASSWORD,
      mustChangePassword: false,
      createdAt: ctx.now().toISOString(),
      fromLms: true,
    };
    try {
      await ctx.store.commit([
        insert('users', user),
        // insert: two first launches at once make one user; put: an identity whose user was erased starts over
        (identity ? put : insert)('ltiIdentities', { id: identityId, platformId: platform.id, userId: user.id, sub, createdAt: user.createdAt }),
      ]);
      return user;
    } catch (error) {
      if (!isConflict(error)) throw error; // a name drawn twice, or the same person launching twice at once: look again
    }
  }
}

/**
 * Accounts made by launches before users carried `fromLms` get it: without it
 * their quiz scores would no longer reach the LMS. Idempotent; returns how
 * many accounts it marked. PostgreSQL databases are marked once by migration
 * 010; the embedded store runs this at start-up (its records are in memory,
 * so it costs no more than a look through the LTI identities), and
 * migrate-store on the copy it made.
 */
export async function markLmsAccounts(store: StoreBackend): Promise<number> {
  const userIds = [...new Set((await store.list('ltiIdentities')).map((identity) => identity.userId))];
  const unmarked = (await store.getMany('users', userIds)).filter((user) => !user.fromLms);
  if (unmarked.length) await store.commit(unmarked.map((user) => put('users', { ...user, fromLms: true })));
  return unmarked.length;
}

/** The class of the launch's course, made on its first launch; null when the launch has no course. */
export async function classForLaunch(ctx: AppContext, launch: ValidLaunch, user: User, membershipsUrl: string | null): Promise<ClassRecord | null> {
  const context = claimObject(launch.claims, CLAIM.context);
  const contextId = text(context?.id, 255);
  if (!contextId) return null;
  const id = keys.ltiContext(launch.platform.issuer, launch.deploymentId, contextId);
  let link = await ctx.store.get('ltiContexts', id);
  let record = link ? await ctx.store.get('classes', link.classId) : undefined;
  if (!link || !record) {
    const created = await createContextClass(ctx, launch, id, contextId, text(context?.title, 80) ?? text(context?.label, 80) ?? 'Class from the LMS', user, membershipsUrl);
    link = created.link;
    record = created.record;
  } else if (membershipsUrl && link.membershipsUrl !== membershipsUrl) {
    await ctx.store.commit([put('ltiContexts', { ...link, membershipsUrl })]);
  }
  await joinAs(ctx, record, user);
  return record;
}

async function createContextClass(ctx: AppContext, launch: ValidLaunch, id: string, contextId: string, name: string, user: User, membershipsUrl: string | null) {
  for (;;) {
    const record: ClassRecord = {
      id: newId(),
      schoolId: launch.platform.schoolId,
      teacherId: user.role === 'teacher' ? user.id : '',
      name,
      joinCode: randomCode(6),
      createdAt: ctx.now().toISOString(),
    };
    const link: LtiContext = { id, platformId: launch.platform.id, classId: record.id, deploymentId: launch.deploymentId, contextId, membershipsUrl, createdAt: record.createdAt };
    try {
      await ctx.store.commit([put('classes', record), insert('ltiContexts', link)]);
      return { record, link };
    } catch (error) {
      if (!isConflict(error)) throw error;
      const made = await ctx.store.get('ltiContexts', id); // another launch made it at the same moment
      const existing = made && (await ctx.store.get('classes', made.classId));
      if (made && existing) return { record: existing, link: made };
    }
  }
}

/** Instructors become co-teachers, learners students of the class. */
async function joinAs(ctx: AppContext, record: ClassRecord, user: User): Promise<void> {
  const at = ctx.now().toISOString();
  const changes: StoreChange[] = [];
  if (user.role === 'teacher') {
    const id = keys.classTeacher(record.id, user.id);
    if (!(await ctx.store.get('classTeachers', id))) changes.push(insert('classTeachers', { id, classId: record.id, teacherId: user.id, addedAt: at }));
    if (!record.teacherId) changes.push(put('classes', { ...record, teacherId: user.id }));
  } else {
    const id = keys.membership(record.id, user.id);
    if (!(await ctx.store.get('memberships', id))) changes.push(insert('memberships', { id, classId: record.id, studentId: user.id, joinedAt: at }));
  }
  if (!changes.length) return;
  try {
    await ctx.store.commit(changes);
  } catch (error) {
    if (!isConflict(error)) throw error; // joined twice at once
  }
}

/** A lesson id from the link's custom parameter `lesson` or its `/lessons/:lessonId` URL. */
export function lessonOfLaunch(ctx: AppContext, claims: Record<string, unknown>): string | null {
  const custom = claimObject(claims, CLAIM.custom);
  const fromCustom = typeof custom?.lesson === 'string' ? custom.lesson : null;
  if (fromCustom && ctx.catalog.lesson(fromCustom)) return fromCustom;
  const target = claims[CLAIM.targetLinkUri];
  if (typeof target !== 'string') return null;
  try {
    const match = /^\/lessons\/([^/]+)\/?$/.exec(new URL(target).pathname);
    return match && ctx.catalog.lesson(decodeURIComponent(match[1])) ? decodeURIComponent(match[1]) : null;
  } catch {
    return null;
  }
}

function dueFrom(claims: Record<string, unknown>): string | null {
  const custom = claimObject(claims, CLAIM.custom);
  const review = claimObject(claims, 'https://purl.imsglobal.org/spec/lti/claim/submissionReview');
  for (const value of [custom?.due, custom?.endDateTime, custom?.lineitem_end, review?.endDateTime]) {
    if (typeof value === 'string' && /^\d{4}-\d{2}-\d{2}/.test(value) && !Number.isNaN(Date.parse(value))) return value.slice(0, 10);
  }
  return null;
}

/** Remembers the resource link (lesson, line item) and makes it an assignment of the class. */
export async function recordResourceLink(ctx: AppContext, launch: ValidLaunch, record: ClassRecord, lessonId: string): Promise<void> {
  const resourceLink = claimObject(launch.claims, CLAIM.resourceLink);
  const linkId = text(resourceLink?.id, 255);
  if (!linkId) return; // a lesson opened from a plain link in the course: nothing to grade
  const ags = claimObject(launch.claims, CLAIM.ags);
  const lineItemUrl = typeof ags?.lineitem === 'string' ? ags.lineitem : null;
  const id = keys.ltiResourceLink(launch.platform.issuer, launch.deploymentId, linkId);
  const known = await ctx.store.get('ltiResourceLinks', id);
  if (!known || known.lineItemUrl !== lineItemUrl || known.classId !== record.id || known.lessonId !== lessonId) {
    await ctx.store.commit([put('ltiResourceLinks', { id, platformId: launch.platform.id, classId: record.id, lessonId, resourceLinkId: linkId, lineItemUrl, createdAt: known?.createdAt ?? ctx.now().toISOString() })]);
  }
  const assigned = (await ctx.store.find('assignments', 'classId', record.id)).some((assignment) => assignment.lessonId === lessonId);
  if (!assigned) await assignLesson(ctx, record.id, lessonId, dueFrom(launch.claims));
}
