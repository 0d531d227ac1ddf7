// Slows down password guessing. Only failed logins are counted, so a whole
// class signing in at once from one school address is never throttled; a
// username gets 10 wrong tries and an address 100 per 15 minutes. The counts
// live wherever the store keeps rate limits (in memory for the embedded
// store, in PostgreSQL for a deployment of several instances).
import { RateLimiterMemory, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { RateLimiterOptions } from '../store/backend.ts';

const WINDOW_SECONDS = 15 * 60;
const NAME_TRIES = 10;
const ADDRESS_TRIES = 100;

export type RateLimiterFactory = (options: RateLimiterOptions) => RateLimiterAbstract;

export class LoginGuard {
  private byName: RateLimiterAbstract;
  private byAddress: RateLimiterAbstract;

  constructor(limiter: RateLimiterFactory = (options) => new RateLimiterMemory(options)) {
    this.byName = limiter({ keyPrefix: 'login-name', points: NAME_TRIES, duration: WINDOW_SECONDS });
    this.byAddress = limiter({ keyPrefix: 'login-address', points: ADDRESS_TRIES, duration: WINDOW_SECONDS });
  }

  /** Seconds to wait before another try, or 0 when a try is allowed. */
  async waitSeconds(username: string, address: string): Promise<number> {
    const [name, ip] = await Promise.all([this.byName.get(username.toLowerCase()), this.byAddress.get(address)]);
    const blocked = [
      name && name.consumedPoints >= NAME_TRIES ? name.msBeforeNext : 0,
      ip && ip.consumedPoints >= ADDRESS_TRIES ? ip.msBeforeNext : 0,
    ];
    return Math.ceil(Math.max(...blocked) / 1000);
  }

  async recordFailure(username: string, address: string): Promise<void> {
    await Promise.all([
      this.byName.penalty(username.toLowerCase(), 1),
      this.byAddress.penalty(address, 1),
    ]);
  }

  async recordSuccess(username: string): Promise<void> {
    await this.byName.delete(username.toLowerCase());
  }

  /** Drops the count kept under a username (an erased student leaves nothing behind). */
  async forget(username: string): Promise<void> {
    await this.byName.delete(username.toLowerCase());
  }
}
