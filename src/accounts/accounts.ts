// Accounts: sign up, log in, change and reset passwords.
import type { AppContext } from '../context.ts';
import { conflict, invalid, notFound, unauthorized, HttpError } from '../http/errors.ts';
import { newId, normaliseCode, temporaryPassword } from '../ids.ts';
import { insert, isConflict, put, remove, type Role, type User } from '../store/backend.ts';
import { keys } from '../store/keys.ts';
import { hashPassword, passwordProblem, verifyPassword } from './passwords.ts';

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
}

export async function signUp(ctx: AppContext, input: SignupInput): Promise<User> {
  const problem = passwordProblem(input.password);
  if (problem) throw invalid(`Password ${problem}.`, 'password');
  const classRecord = input.classCode ? await findClassByCode(ctx, input.classCode) : undefined;
  if (input.classCode && input.role !== 'student') throw invalid('Only student accounts join a class with a code.', 'classCode');
  if (input.classCode && !classRecord) throw invalid('We do not know that class code. Check it with your teacher.', 'classCode');
  const taken = () => conflict('That username is taken. Try another one.', 'username');
  if (await findUserByName(ctx, input.username)) throw taken();
  const passwordHash = await hashPassword(input.password, ctx.config.passwordCost);
  const now = ctx.now().toISOString();
  const user: User = {
    id: newId(),
    role: input.role,
    username: input.username,
    displayName: input.displayName,
    passwordHash,
    mustChangePassword: false,
    createdAt: now,
  };
  const changes = [insert('users', user)];
  if (classRecord) {
    changes.push(put('memberships', { id: keys.membership(classRecord.id, user.id), classId: classRecord.id, studentId: user.id, joinedAt: now }));
  }
  try {
    await ctx.store.commit(changes);
  } catch (error) {
    // Another signup, here or on another instance, took the name while we hashed.
    if (isConflict(error, 'users.username')) throw taken();
    throw error;
  }
  return user;
}

export async function findClassByCode(ctx: AppContext, code: string) {
  return (await ctx.store.find('classes', 'joinCode', normaliseCode(code)))[0];
}

/** Checks a username and password; counts failures for the login guard. */
export async function logIn(ctx: AppContext, username: string, password: string, address: string): Promise<User> {
  const wait = await ctx.loginGuard.waitSeconds(username, address);
  if (wait > 0) {
    const minutes = Math.ceil(wait / 60);
    throw new HttpError(429, `Too many wrong passwords. Wait ${minutes} minute${minutes === 1 ? '' : 's'} and try again, or ask your teacher to reset your password.`);
  }
  const user = await findUserByName(ctx, username);
  // Hash even for an unknown name, so the answer takes as long either way.
  const ok = user ? await verifyPassword(password, user.passwordHash) : await verifyPassword(password, DUMMY_HASH).then(() => false);
  if (!user || !ok) {
    await ctx.loginGuard.recordFailure(username, address);
    throw wrongPair();
  }
  await ctx.loginGuard.recordSuccess(username);
  return user;
}

const DUMMY_HASH = 'scrypt$16384$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=';

function wrongPair(): HttpError {
  return new HttpError(401, 'That username and password do not match.', 'password');
}

export async function changePassword(ctx: AppContext, user: User, current: string | undefined, next: string): Promise<void> {
  if (!user.mustChangePassword) {
    if (!current || !(await verifyPassword(current, user.passwordHash))) {
      throw invalid('Your current password is not right.', 'password');
    }
  }
  const problem = passwordProblem(next);
  if (problem) throw invalid(`New password ${problem}.`, 'newPassword');
  if (await verifyPassword(next, user.passwordHash)) throw invalid('Choose a password that is different from the old one.', 'newPassword');
  const passwordHash = await hashPassword(next, ctx.config.passwordCost);
  const fresh = await ctx.store.get('users', user.id);
  if (!fresh) throw unauthorized();
  await ctx.store.commit([put('users', { ...fresh, passwordHash, mustChangePassword: false })]);
}

/** A teacher's reset: a one-time password to hand over; every session of the student ends. */
export async function resetPassword(ctx: AppContext, studentId: string): Promise<string> {
  const student = await ctx.store.get('users', studentId);
  if (!student || student.role !== 'student') throw notFound();
  const temporary = temporaryPassword();
  const passwordHash = await hashPassword(temporary, ctx.config.passwordCost);
  const sessions = await ctx.store.find('sessions', 'userId', studentId);
  await ctx.store.commit([
    put('users', { ...student, passwordHash, mustChangePassword: true }),
    ...sessions.map((session) => remove('sessions', session.id)),
  ]);
  return temporary;
}
