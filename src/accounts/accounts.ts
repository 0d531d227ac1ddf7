// Accounts: sign up, log in, change and reset passwords.
import type { AppContext } from '../context.ts';
import { conflict, invalid, notFound, unauthorized, HttpError } from '../http/errors.ts';
import { newId, normaliseCode, temporaryPassword } from '../ids.ts';
import { insert, isConflict, put, remove, type Role, type StoreChange, type User } from '../store/backend.ts';
import { auditEvent } from '../audit/events.ts';
import { seenNow } from './activity.ts';
import { refuseIfArchived } from '../classes/archive.ts';
import { keys } from '../store/keys.ts';
import { hashCost, hashPassword, passwordProblem, unusableHash, verifyPassword } from './passwords.ts';
import type { Requester } from './throttles.ts';
import { openInvite, trialSchool, useInvite } from '../schools/schools.ts';

export interface PublicUser {
  id: string;
  role: Role;
  username: string;
  displayName: string;
  mustChangePassword?: boolean;
}

/** What may leave the server about a user: never the hash. */
export function presentUser(user: User): PublicUser {
  const result: PublicUser = { id: user.id, role: user.role, username: user.username, displayName: user.displayName };
  if (user.mustChangePassword) result.mustChangePassword = true;
  return result;
}

export async function findUserByName(ctx: AppContext, username: string): Promise<User | undefined> {
  return (await ctx.store.find('users', 'username', username))[0];
}

export interface SignupInput {
  role: Role;
  username: string;
  password: string;
  displayName: string;
  classCode?: string;
  /** a one-time invitation code: how a teacher (or admin) joins a school */
  invite?: string;
}

/**
 * Where a new account belongs and what it is: a teacher by invitation only
 * (its school and role), a student in the school of the class they join,
 * a parent in no school.
 */
async function placeOf(ctx: AppContext, input: SignupInput, requester: Requester) {
  if (input.invite && input.role !== 'teacher') throw invalid('Only teachers sign up with an invitation.', 'invite');
  if (input.classCode && input.role !== 'student') throw invalid('Only student accounts join a class with a code.', 'classCode');
  if (input.role === 'teacher') {
    if (input.invite) {
      const invite = await openInvite(ctx, requester, input.invite);
      return { role: invite.role as Role, schoolId: invite.schoolId, invite };
    }
    if (!ctx.config.teacherSignupOpen) throw new HttpError(403, 'Teachers join FrameCheck with an invitation from their school admin. Ask them for an invitation code.', 'invite');
    return { role: 'teacher' as Role, schoolId: (await trialSchool(ctx)).id, invite: undefined };
  }
  if (input.role === 'student' && input.classCode) {
    const classRecord = await guessClassCode(ctx, requester, input.classCode, null);
    return { role: input.role, schoolId: classRecord.schoolId, classRecord };
  }
  return { role: input.role, schoolId: null };
}

export async function signUp(ctx: AppContext, input: SignupInput, requester: Requester): Promise<User> {
  await ctx.throttles.signups.take(requester.address);
  const problem = passwordProblem(input.password);
  if (problem) throw invalid(`Password: ${problem}.`, 'password');
  const place = await placeOf(ctx, input, requester);
  const taken = () => conflict('That username is taken. Try another one.', 'username');
  if (await findUserByName(ctx, input.username)) throw taken();
  const passwordHash = await hashPassword(input.password, ctx.config.passwordCost);
  const at = ctx.now();
  const now = at.toISOString();
  const user: User = {
    id: newId(),
    role: place.role,
    schoolId: place.schoolId,
    username: input.username,
    displayName: input.displayName,
    passwordHash,
    mustChangePassword: false,
    createdAt: now,
    ...('invite' in place && place.invite ? { inviteId: place.invite.id } : {}),
  };
  const changes = [insert('users', user)];
  if ('invite' in place && place.invite) changes.push(...useInvite(place.invite, user, at));
  if ('classRecord' in place && place.classRecord) {
    changes.push(put('memberships', { id: keys.membership(place.classRecord.id, user.id), classId: place.classRecord.id, studentId: user.id, joinedAt: now }));
  }
  try {
    await ctx.store.commit(changes);
  } catch (error) {
    // Another signup, here or on another instance, took the name while we hashed.
    if (isConflict(error, 'users.username')) throw taken();
    // ...or the same invitation: it makes one account.
    if (isConflict(error, 'users.invite')) throw invalid('That invitation has been used already. Ask your school admin for a new one.', 'invite');
    throw error;
  }
  return user;
}

/**
 * The class a typed join code opens for a student of `schoolId` (null: a
 * student in no school yet). Wrong guesses are counted and slowed down (422
 * when unknown, 429 when too many); a class of another school is unknown.
 */
export async function guessClassCode(ctx: AppContext, requester: Requester, code: string, schoolId: string | null) {
  const record = await ctx.throttles.joinCodes.guess(requester, 'classCode', async () =>
    (await ctx.store.find('classes', 'joinCode', normaliseCode(code))).find((candidate) => schoolId === null || candidate.schoolId === schoolId),
  );
  if (!record) throw invalid('We do not know that class code. Check it with your teacher.', 'classCode');
  refuseIfArchived(record, 'classCode');
  return record;
}

/**
 * Checks a username and password. A wrong pair costs the same scrypt work
 * whether or not the name exists, so the answer's timing tells nothing.
 */
export async function logIn(ctx: AppContext, username: string, password: string, address: string): Promise<User> {
  await ctx.throttles.logins.check(username, address);
  const user = await findUserByName(ctx, username);
  const ok = await verifyPassword(password, user?.passwordHash ?? unusableHash(ctx.config.passwordCost));
  if (!user || !ok) {
    await ctx.throttles.logins.failed(username, address);
    throw wrongPair();
  }
  await ctx.throttles.logins.succeeded(username, address);
  if (user.deactivatedAt) throw new HttpError(403, 'This account was deactivated by your school admin, so it cannot log in. Ask them if you need it again.', 'username');
  return recordSignIn(ctx, await upgradedHash(ctx, user, password));
}

/**
 * What a sign-in writes, in one commit: the account's last activity (at most
 * once a day), a rehashed password, and for an admin the `admin.login` event.
 */
async function recordSignIn(ctx: AppContext, { fresh, rehashed }: { fresh: User; rehashed: boolean }): Promise<User> {
  const now = ctx.now();
  let user = fresh;
  if (rehashed) user = seenNow(fresh, now);
  else if (seenNow(fresh, now) !== fresh) {
    // Written from the record as it is now, so a password reset made during this sign-in is not undone.
    const current = await ctx.store.get('users', fresh.id);
    if (!current) throw wrongPair();
    user = seenNow(current, now);
  }
  const changes: StoreChange[] = user !== fresh ? [put('users', user)] : [];
  if (user.role === 'admin' && user.schoolId) {
    changes.push(auditEvent({ schoolId: user.schoolId, actor: user, action: 'admin.login', target: `admin ${user.username}`, at: now }));
  }
  if (changes.length) await ctx.store.commit(changes);
  return user;
}

/** Hashes made at an older cost are redone at today's, while the password is at hand (written by recordSignIn). */
async function upgradedHash(ctx: AppContext, user: User, password: string): Promise<{ fresh: User; rehashed: boolean }> {
  if (hashCost(user.passwordHash) === ctx.config.passwordCost) return { fresh: user, rehashed: false };
  const passwordHash = await hashPassword(password, ctx.config.passwordCost);
  const fresh = await ctx.store.get('users', user.id);
  if (!fresh || fresh.passwordHash !== user.passwordHash) return { fresh: fresh ?? user, rehashed: false };
  return { fresh: { ...fresh, passwordHash }, rehashed: true };
}

export interface ResetNotice {
  /** the display name of whoever reset it, or null when that account is gone */
  by: string | null;
  /** 'teacher' or 'admin' */
  role: Role | null;
  at: string;
}

/** "Your teacher … reset your password on …": shown until the student chooses a new password. */
export async function resetNotice(ctx: AppContext, user: User): Promise<ResetNotice | null> {
  if (!user.passwordResetAt) return null;
  const by = user.passwordResetBy ? await ctx.store.get('users', user.passwordResetBy) : undefined;
  return { by: by?.displayName ?? null, role: by?.role ?? null, at: user.passwordResetAt };
}

function wrongPair(): HttpError {
  return new HttpError(401, 'That username and password do not match.', 'password');
}

export interface PasswordChange {
  /** the current password (not needed right after a teacher's reset) */
  current: string | undefined;
  next: string;
  /** the session the change is made in: it stays signed in, every other one ends */
  keepSession: string;
  address: string;
}

export async function changePassword(ctx: AppContext, user: User, change: PasswordChange): Promise<void> {
  if (!user.mustChangePassword) {
    // Someone at an unlocked computer may not guess the current password any faster than at the login form.
    await ctx.throttles.logins.check(user.username, change.address);
    if (!change.current || !(await verifyPassword(change.current, user.passwordHash))) {
      await ctx.throttles.logins.failed(user.username, change.address);
      throw invalid('Your current password is not right.', 'password');
    }
  }
  const problem = passwordProblem(change.next);
  if (problem) throw invalid(`New password: ${problem}.`, 'newPassword');
  if (await verifyPassword(change.next, user.passwordHash)) throw invalid('Choose a password that is different from the old one.', 'newPassword');
  const passwordHash = await hashPassword(change.next, ctx.config.passwordCost);
  const fresh = await ctx.store.get('users', user.id);
  if (!fresh) throw unauthorized();
  const otherSessions = (await ctx.store.find('sessions', 'userId', user.id)).filter((session) => session.id !== change.keepSession);
  await ctx.store.commit([
    // The reset notice has been seen: it was on the page this new password was chosen on.
    put('users', { ...fresh, passwordHash, mustChangePassword: false, passwordResetBy: null, passwordResetAt: null }),
    ...otherSessions.map((session) => remove('sessions', session.id)),
  ]);
}

/**
 * A teacher's reset: a one-time password to hand over; every session of the
 * student ends; the audit log records it. Who reset it and when stays on the
 * account until the student chooses a new password, so they are told at
 * their next login.
 */
export async function resetPassword(ctx: AppContext, teacher: User, student: User): Promise<string> {
  const temporary = temporaryPassword();
  const passwordHash = await hashPassword(temporary, ctx.config.passwordCost);
  const fresh = await ctx.store.get('users', student.id);
  if (!fresh) throw notFound();
  const sessions = await ctx.store.find('sessions', 'userId', student.id);
  const at = ctx.now();
  await ctx.store.commit([
    put('users', { ...fresh, passwordHash, mustChangePassword: true, passwordResetBy: teacher.id, passwordResetAt: at.toISOString() }),
    ...sessions.map((session) => remove('sessions', session.id)),
    auditEvent({ schoolId: fresh.schoolId!, actor: teacher, action: 'password.reset', target: `student ${fresh.username}`, targetUserId: fresh.id, at }),
  ]);
  return temporary;
}
