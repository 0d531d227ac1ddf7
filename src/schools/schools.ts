// Schools: how a deployment gets its first school (the one-time setup token
// `npm start` prints) and more of them (a district operator's SETUP_TOKEN),
// and how teachers join one (one-time invitations made by its admin).
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { AppContext } from '../context.ts';
import { conflict, forbidden, invalid, notFound } from '../http/errors.ts';
import { newId, normaliseCode, randomCode } from '../ids.ts';
import { auditEvent } from '../audit/events.ts';
import { insert, isConflict, put, remove, take, type Invite, type School, type StoreBackend, type StoreChange, type User } from '../store/backend.ts';
import { keys } from '../store/keys.ts';
import { hashPassword, passwordProblem } from '../accounts/passwords.ts';
import type { Requester } from '../accounts/throttles.ts';

/** How long an invitation can be used. */
export const INVITE_DAYS = 14;
const DAY_MS = 24 * 60 * 60 * 1000;

/** What a new school starts with (docs/data-protection.md explains the choice: one school year and a summer). */
export const DEFAULT_RETENTION = { inactiveMonths: 12, archiveClassesAfter: null, lastRunAt: null } as const;

/** Codes and tokens are kept only as this hash: a copy of the data opens no door. */
export function hashCode(code: string): string {
  return createHash('sha256').update(code).digest('hex');
}

export async function hasSchool(store: StoreBackend): Promise<boolean> {
  return (await store.count('schools')) > 0;
}

export async function schoolOf(ctx: AppContext, schoolId: string | null | undefined): Promise<School | undefined> {
  return schoolId ? ctx.store.get('schools', schoolId) : undefined;
}

/**
 * While the deployment has no school: a fresh random setup token, stored as
 * its hash so it keeps working across a restart until a school exists.
 * Returns null once there is a school.
 */
export async function issueSetupToken(store: StoreBackend, now: Date): Promise<string | null> {
  if (await hasSchool(store)) return null;
  const token = randomBytes(24).toString('base64url');
  await store.commit([insert('setupTokens', { id: hashCode(token), createdAt: now.toISOString() })]);
  return token;
}

function sameSecret(a: string, b: string): boolean {
  const left = createHash('sha256').update(a).digest();
  const right = createHash('sha256').update(b).digest();
  return timingSafeEqual(left, right);
}

export type SetupAccess = 'first-school' | 'operator' | 'none';

/**
 * What a setup token opens: the district operator's SETUP_TOKEN makes any
 * number of schools; a printed token makes the first school only.
 */
export async function setupAccess(ctx: AppContext, token: string | undefined): Promise<SetupAccess> {
  if (token && ctx.config.setupToken && sameSecret(token, ctx.config.setupToken)) return 'operator';
  if (await hasSchool(ctx.store)) return 'none';
  if (token && (await ctx.store.get('setupTokens', hashCode(token)))) return 'first-school';
  return 'none';
}

export interface SetupInput {
  token: string;
  schoolName: string;
  username: string;
  password: string;
  displayName: string;
}

/** A school and its admin, in one commit with its audit event. 404 once a school exists (unless the operator's token). */
export async function setUpSchool(ctx: AppContext, input: SetupInput): Promise<{ school: School; admin: User }> {
  const access = await setupAccess(ctx, input.token);
  if (access === 'none') {
    if (await hasSchool(ctx.store)) throw notFound();
    throw forbidden('That setup link is not valid. Use the link FrameCheck printed when it started.');
  }
  const problem = passwordProblem(input.password);
  if (problem) throw invalid(`Password: ${problem}.`, 'password');
  const taken = () => conflict('That username is taken. Try another one.', 'username');
  if ((await ctx.store.find('users', 'username', input.username)).length) throw taken();
  const at = ctx.now();
  const school: School = { id: newId(), name: input.schoolName, createdAt: at.toISOString(), retention: { ...DEFAULT_RETENTION } };
  const admin: User = {
    id: newId(),
    role: 'admin',
    schoolId: school.id,
    username: input.username,
    displayName: input.displayName,
    passwordHash: await hashPassword(input.password, ctx.config.passwordCost),
    mustChangePassword: false,
    createdAt: at.toISOString(),
  };
  try {
    await ctx.store.commit([
      // The printed token works once: two people opening it at the same moment make one school.
      ...(access === 'first-school' ? [take('setupTokens', hashCode(input.token))] : []),
      insert('schools', school),
      insert('users', admin),
      auditEvent({ schoolId: school.id, actor: admin, action: 'school.created', target: `school ${school.name}`, detail: access === 'operator' ? 'made with the operator token' : 'made with the setup link', at }),
    ]);
  } catch (error) {
    if (isConflict(error, 'users.username')) throw taken();
    if (isConflict(error, 'setupTokens.id')) throw notFound();
    throw error;
  }
  return { school, admin };
}

/** A new invitation: the code is shown once (to the admin who made it) and kept only as its hash. */
export async function createInvite(ctx: AppContext, admin: User, role: Invite['role'], note: string): Promise<{ code: string; invite: Invite }> {
  const code = [0, 1, 2, 3].map(() => randomCode(4)).join('-');
  const at = ctx.now();
  const invite: Invite = {
    id: hashCode(normaliseCode(code)),
    schoolId: admin.schoolId!,
    role,
    note,
    createdBy: admin.id,
    createdAt: at.toISOString(),
    expiresAt: new Date(at.getTime() + INVITE_DAYS * DAY_MS).toISOString(),
    usedAt: null,
    usedBy: null,
  };
  await ctx.store.commit([
    insert('invites', invite),
    auditEvent({ schoolId: invite.schoolId, actor: admin, action: 'invite.created', target: `invitation for a ${role}`, detail: note, at }),
  ]);
  return { code, invite };
}

/** The invitation a typed code opens, if it still can be used: guesses are counted and slowed down. */
export async function openInvite(ctx: AppContext, requester: Requester, typed: string): Promise<Invite> {
  const invite = await ctx.throttles.invites.guess(requester, 'invite', () => ctx.store.get('invites', hashCode(normaliseCode(typed))));
  if (!invite) throw invalid('We do not know that invitation code. Check it with your school admin.', 'invite');
  if (invite.usedAt) throw invalid('That invitation has been used already. Ask your school admin for a new one.', 'invite');
  if (new Date(invite.expiresAt) <= ctx.now()) throw invalid('That invitation has expired. Ask your school admin for a new one.', 'invite');
  return invite;
}

/**
 * The school a teacher signing up without an invitation joins, when
 * TEACHER_SIGNUP=open: the first school, made as "Trial school" if there is none.
 */
export async function trialSchool(ctx: AppContext): Promise<School> {
  const schools = (await ctx.store.list('schools')).sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  if (schools[0]) return schools[0];
  const school: School = { id: newId(), name: 'Trial school', createdAt: ctx.now().toISOString(), retention: { ...DEFAULT_RETENTION } };
  await ctx.store.commit([insert('schools', school), auditEvent({ schoolId: school.id, actor: null, action: 'school.created', target: `school ${school.name}`, detail: 'made by an open teacher signup (TEACHER_SIGNUP=open)', at: ctx.now() })]);
  return school;
}

/** The changes that mark an invitation used by a new account, for the signup's own commit. */
export function useInvite(invite: Invite, user: User, at: Date) {
  return [
    put('invites', { ...invite, usedAt: at.toISOString(), usedBy: user.id }),
    auditEvent({ schoolId: invite.schoolId, actor: user, action: 'invite.used', target: `${invite.role} ${user.username}`, targetUserId: user.id, at }),
  ];
}

/**
 * Deactivates a teacher (or another admin): their sessions end at once, they
 * cannot log in, and each class they taught alone moves to the admin who
 * deactivated them; classes with co-teachers stay with those.
 */
export async function deactivateTeacher(ctx: AppContext, admin: User, teacher: User): Promise<{ movedClasses: number }> {
  const at = ctx.now();
  const sessions = await ctx.store.find('sessions', 'userId', teacher.id);
  const taught = await ctx.store.find('classTeachers', 'teacherId', teacher.id);
  const changes: StoreChange[] = [put('users', { ...teacher, deactivatedAt: at.toISOString() }), ...sessions.map((session) => remove('sessions', session.id))];
  let movedClasses = 0;
  for (const row of taught) {
    changes.push(remove('classTeachers', row.id));
    const others = (await ctx.store.find('classTeachers', 'classId', row.classId)).filter((other) => other.teacherId !== teacher.id);
    if (others.length === 0) {
      movedClasses++;
      changes.push(put('classTeachers', { id: keys.classTeacher(row.classId, admin.id), classId: row.classId, teacherId: admin.id, addedAt: at.toISOString() }));
    }
  }
  changes.push(auditEvent({ schoolId: admin.schoolId!, actor: admin, action: 'teacher.deactivated', target: `${teacher.role} ${teacher.username}`, targetUserId: teacher.id, detail: movedClasses ? `${movedClasses} classes moved to ${admin.username}` : '', at }));
  await ctx.store.commit(changes);
  return { movedClasses };
}
