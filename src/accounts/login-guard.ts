// Slows down password guessing. Only failed logins are counted, so a whole
// class signing in at once from one school address is never throttled; a
// username gets 10 wrong tries and an address 100 per 15 minutes.
import { RateLimiterMemory } from 'rate-limiter-flexible';

const WINDOW_SECONDS = 15 * 60;

export class LoginGuard {
  private byName = new RateLimiterMemory({ points: 10, duration: WINDOW_SECONDS });
  private byAddress = new RateLimiterMemory({ points: 100, duration: WINDOW_SECONDS });

  /** Seconds to wait before another try, or 0 when a try is allowed. */
  async waitSeconds(username: string, address: string): Promise<number> {
    const [name, ip] = await Promise.all([this.byName.get(username.toLowerCase()), this.byAddress.get(address)]);
    const blocked = [
      name && name.consumedPoints >= 10 ? name.msBeforeNext : 0,
      ip && ip.consumedPoints >= 100 ? ip.msBeforeNext : 0,
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
}
