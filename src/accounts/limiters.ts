// The one place that builds rate limiters. They count in this process's
// memory today; a shared store (PostgreSQL) only has to change this module.
import { RateLimiterMemory, type RateLimiterAbstract } from 'rate-limiter-flexible';

export type Limiter = RateLimiterAbstract;

/** `points` per `durationSeconds` under the key prefix `name`. */
export function makeLimiter(name: string, points: number, durationSeconds: number): Limiter {
  return new RateLimiterMemory({ keyPrefix: name, points, duration: durationSeconds });
}

/**
 * Counts failures per key. The first `free` failures in a window cost
 * nothing; every one after that closes the key for twice as long as the one
 * before (2 s, 4 s, 8 s ... up to `maxDelaySeconds`).
 */
export class GrowingDelay {
  private readonly failures: Limiter;
  private readonly gate: Limiter;

  constructor(
    name: string,
    private readonly free: number,
    windowSeconds: number,
    private readonly maxDelaySeconds: number,
  ) {
    this.failures = makeLimiter(`${name}:failures`, Number.MAX_SAFE_INTEGER, windowSeconds);
    this.gate = makeLimiter(`${name}:gate`, 1, windowSeconds);
  }

  /** Seconds until `key` may try again; 0 when it may try now. */
  async waitSeconds(key: string): Promise<number> {
    const closed = await this.gate.get(key);
    return closed && closed.consumedPoints > 1 ? Math.max(1, Math.ceil(closed.msBeforeNext / 1000)) : 0;
  }

  /** Records a failure; returns how many failures `key` has in this window. */
  async fail(key: string): Promise<number> {
    const { consumedPoints } = await this.failures.penalty(key, 1);
    if (consumedPoints >= this.free) {
      const delay = Math.min(this.maxDelaySeconds, 2 ** (consumedPoints - this.free + 1));
      await this.gate.block(key, delay);
    }
    return consumedPoints;
  }

  async forget(key: string): Promise<void> {
    await Promise.all([this.failures.delete(key), this.gate.delete(key)]);
  }
}
