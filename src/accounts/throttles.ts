// Slows down guessing without letting anyone lock someone else out.
//
// - Passwords: failures count per (username, address). After 5 the pair
//   waits 2 s, then 4 s, 8 s ... up to 15 minutes; the owner elsewhere (home,
//   phone) is never refused because of them. An address also waits once it
//   has failed for 100 different usernames in an hour: a spray across many
//   names, never one student's typos on a school's shared address.
// - Join codes and parent codes: their own counters, per session (or
//   account) and per address, so that wrong codes never slow down logins.
// - Signups: at most 60 per address in 10 minutes (a class signing up
//   together fits; a script creating hundreds of accounts does not).
// Every refusal is a 429 with Retry-After and a message saying when to try again.
import { isIPv6 } from 'node:net';
import type { Request } from 'express';
import { HttpError } from '../http/errors.ts';
import { GrowingDelay, Limiters } from './limiters.ts';

const HOUR = 60 * 60;

export const LIMITS = {
  /** wrong passwords per (username, address) before the first wait */
  passwordsPerPair: 5,
  /** different usernames failing from one address in an hour before it waits */
  usernamesPerAddress: 100,
  /** wrong codes per session before the first wait */
  codesPerSession: 10,
  /** wrong codes of one kind per address in an hour before it waits */
  codesPerAddress: 50,
  /** new accounts per address per 10 minutes */
  signupsPerAddress: 60,
  signupWindowSeconds: 10 * 60,
};

/** Who is trying: their session (or account) and their network address. */
export interface Requester {
  who: string;
  address: string;
}

export function requesterOf(req: Request): Requester {
  const address = addressKey(req.ip ?? 'unknown');
  return { who: req.user ? `user:${req.user.id}` : req.sessionID ? `session:${req.sessionID}` : `address:${address}`, address };
}

/**
 * IPv4 as it is; IPv6 by its /64 network, since one home or phone holds a
 * whole /64 and could otherwise try from a new address every time.
 */
export function addressKey(ip: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  if (mapped) return mapped[1];
  if (!isIPv6(ip)) return ip;
  const [head, tail = ''] = ip.split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const groups = ip.includes('::') ? [...left, ...Array(8 - left.length - right.length).fill('0'), ...right] : left;
  return `${groups.slice(0, 4).map((group) => parseInt(group, 16).toString(16)).join(':')}::/64`;
}

export function tooManyTries(seconds: number, what: string, field?: string, advice = ''): HttpError {
  return new HttpError(429, `Too many ${what}. Please wait ${describeWait(seconds)} and try again.${advice ? ` ${advice}` : ''}`, field, seconds);
}

/** "40 seconds", "1 minute", "15 minutes": rounded up, so that trying then works. */
export function describeWait(seconds: number): string {
  if (seconds < 60) return `${seconds} second${seconds === 1 ? '' : 's'}`;
  const minutes = Math.ceil(seconds / 60);
  return `${minutes} minute${minutes === 1 ? '' : 's'}`;
}

export class LoginThrottle {
  private readonly pairs: GrowingDelay;
  private readonly addresses: GrowingDelay;

  constructor(limiters: Limiters) {
    this.pairs = new GrowingDelay(limiters, 'login-pair', LIMITS.passwordsPerPair, HOUR, 15 * 60);
    this.addresses = new GrowingDelay(limiters, 'login-address', LIMITS.usernamesPerAddress, HOUR, 15 * 60);
  }

  /** Throws a 429 while this username may not be tried from this address. */
  async check(username: string, address: string): Promise<void> {
    const wait = Math.max(await this.pairs.waitSeconds(pairKey(username, address)), await this.addresses.waitSeconds(address));
    if (wait > 0) throw tooManyTries(wait, 'wrong passwords from here', 'password', 'If you forgot your password, your teacher can reset it.');
  }

  async failed(username: string, address: string): Promise<void> {
    const failures = await this.pairs.fail(pairKey(username, address));
    // The address counts each username once: many names failing is a spray, one name failing is a typo.
    if (failures === 1) await this.addresses.fail(address);
  }

  async succeeded(username: string, address: string): Promise<void> {
    await this.pairs.forget(pairKey(username, address));
  }
}

function pairKey(username: string, address: string): string {
  return `${username.toLowerCase()}@${address}`;
}

/** Wrong guesses of one kind of code (class join codes, parent codes, invitations). */
export class CodeThrottle {
  private readonly sessions: GrowingDelay;
  private readonly addresses: GrowingDelay;

  constructor(
    limiters: Limiters,
    kind: string,
    private readonly what: string,
  ) {
    this.sessions = new GrowingDelay(limiters, `${kind}-session`, LIMITS.codesPerSession, HOUR, 30 * 60);
    this.addresses = new GrowingDelay(limiters, `${kind}-address`, LIMITS.codesPerAddress, HOUR, 30 * 60);
  }

  async check(requester: Requester, field: string): Promise<void> {
    const wait = Math.max(await this.sessions.waitSeconds(requester.who), await this.addresses.waitSeconds(requester.address));
    if (wait > 0) throw tooManyTries(wait, this.what, field);
  }

  /** A right code does not reset the count: someone with one good code must not get endless guesses. */
  async failed(requester: Requester): Promise<void> {
    await Promise.all([this.sessions.fail(requester.who), this.addresses.fail(requester.address)]);
  }

  /** Looks a typed code up, refusing while the requester must wait and counting a miss. */
  async guess<T>(requester: Requester, field: string, lookup: () => Promise<T | undefined>): Promise<T | undefined> {
    await this.check(requester, field);
    const found = await lookup();
    if (found === undefined) await this.failed(requester);
    return found;
  }
}

export class SignupThrottle {
  private readonly perAddress;

  constructor(private readonly limiters: Limiters) {
    this.perAddress = limiters.make('signup', LIMITS.signupsPerAddress, LIMITS.signupWindowSeconds);
  }

  /** Counts a signup from `address`, or throws a 429 once there were too many. */
  async take(address: string): Promise<void> {
    try {
      await this.perAddress.consume(this.limiters.key(address));
    } catch (refusal) {
      if (refusal instanceof Error) throw refusal;
      const ms = (refusal as { msBeforeNext: number }).msBeforeNext;
      throw tooManyTries(Math.max(1, Math.ceil(ms / 1000)), 'new accounts from here', undefined, 'If a whole class is signing up, the rest can sign up a little later.');
    }
  }
}

/** All of them, one per app, counted where `limiters` counts (shared by every instance on PostgreSQL). */
export class Throttles {
  readonly logins: LoginThrottle;
  readonly joinCodes: CodeThrottle;
  readonly parentCodes: CodeThrottle;
  readonly invites: CodeThrottle;
  readonly signups: SignupThrottle;

  constructor(limiters = new Limiters()) {
    this.logins = new LoginThrottle(limiters);
    this.joinCodes = new CodeThrottle(limiters, 'join-code', 'wrong class codes');
    this.parentCodes = new CodeThrottle(limiters, 'parent-code', 'wrong codes');
    this.invites = new CodeThrottle(limiters, 'invite', 'wrong invitation codes');
    this.signups = new SignupThrottle(limiters);
  }
}
