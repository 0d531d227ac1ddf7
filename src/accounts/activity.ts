// When an account was last used: retention erases student accounts nobody
// has used for the school's `inactiveMonths`. Written at sign-in, at most once
// a day per account, so it costs one small write a day, not one per request.
import { put, type StoreChange, type User } from '../store/backend.ts';

/** The user as they are after being seen now: unchanged when already seen today (UTC). */
export function seenNow(user: User, now: Date): User {
  const today = now.toISOString().slice(0, 10);
  if (user.lastActiveAt?.slice(0, 10) === today) return user;
  return { ...user, lastActiveAt: now.toISOString() };
}

/** The change recording that the user was seen now, or none when it already was today. */
export function activityChange(user: User, now: Date): StoreChange | null {
  const seen = seenNow(user, now);
  return seen === user ? null : put('users', seen);
}

/** When the account was last used: its last sign-in, or its creation for an account never signed in since. */
export function lastActive(user: User): string {
  return user.lastActiveAt ?? user.createdAt;
}
