// Slows down password guessing. Only failed logins are counted, so a whole
// class signing in at once from one school address is never throttled; a
// username gets 10 wrong tries and an address 100 per 15 minutes. The counts
// live wherever the store keeps rate limits (in memory for the embedded
// store, in PostgreSQL for a deployment of several instances).
import { createHmac } from 'node:crypto';
import { RateLimiterMemory, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { RateLimiterOptions } from '../store/backend.ts';

const WINDOW_SECONDS = 15 * 60;
const NAME_TRIES = 10;
const ADDRESS_TRIES = 100;

export type RateLimiterFactory = (options: RateLimiterOptions) => RateLimiterAbstract;

export class LoginGuard {
  private byName: RateLimiterAbstract;
  private byAddress: RateLimiterAbstract;

  /**
   * `secret` keys the counts by a keyed hash of the name and address, so a
   * shared table of counts never holds a username or an IP address.
   */
  constructor(
    limiter: RateLimiterFactory = (options) => new RateLimiterMemory(options),
    private readonly secret = '',
  ) {
    this.byName = limiter({ keyPrefix: 'login-name', points: NAME_TRIES, duration: WINDOW_SECONDS });
    this.byAddress = limiter({ keyPrefix: 'login-address', points: ADDRESS_TRIES, duration: WINDOW_SECONDS });
  }

  /** Seconds to wait before another try, or 0 when a try is allowed. */
  async waitSeconds(username: string, address: string): Promise<number> {
    const [name, ip] = await Promise.all([this.byName.get(this.nameKey(username)), this.byAddress.get(this.key(address))]);
    const blocked = [
      name && name.consumedPoints >= NAME_TRIES ? name.msBeforeNext : 0,
      ip && ip.consumedPoints >= ADDRESS_TRIES ? ip.msBeforeNext : 0,
    ];
    return Math.ceil(Math.max(...blocked) / 1000);
  }

  async recordFailure(username: string, address: string): Promise<void> {
    await Promise.all([
      this.byName.penalty(this.nameKey(username), 1),
      this.byAddress.penalty(this.key(address), 1),
    ]);
  }

  async recordSuccess(username: string): Promise<void> {
    await this.byName.delete(this.nameKey(username));
  }

  /** Drops the count kept under a username (an erased student leaves nothing behind). */
  async forget(username: string): Promise<void> {
    await this.byName.delete(this.nameKey(username));
  }

  private nameKey(username: string): string {
    return this.key(username.toLowerCase());
  }

  private key(value: string): string {
    return createHmac('sha256', this.secret).update(value).digest('base64url').slice(0, 32);
  }
}
