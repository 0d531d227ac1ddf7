// Where rate limits are counted. The store decides (store.rateLimiter): in
// this process's memory for the embedded store, in a table every instance
// shares for PostgreSQL. Keys are a keyed hash, so a shared table of counts
// never holds a username, a session id or an IP address.
import { createHmac } from 'node:crypto';
import { RateLimiterMemory, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { RateLimiterOptions } from '../store/backend.ts';

export type Limiter = RateLimiterAbstract;

/** Builds one limiter; the store's `rateLimiter` is one. */
export type LimiterFactory = (options: RateLimiterOptions) => Limiter;

export const memoryLimiters: LimiterFactory = (options) => new RateLimiterMemory(options);

/** Makes limiters from a factory, hashing every key with `secret`. */
export class Limiters {
  constructor(
    private readonly factory: LimiterFactory = memoryLimiters,
    private readonly secret = '',
  ) {}

  /** `points` per `durationSeconds` under the key prefix `name`. */
  make(name: string, points: number, durationSeconds: number): Limiter {
    return this.factory({ keyPrefix: name, points, duration: durationSeconds });
  }

  key(value: string): string {
    return createHmac('sha256', this.secret).update(value).digest('base64url').slice(0, 32);
  }
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
    private readonly limiters: Limiters,
    name: string,
    private readonly free: number,
    windowSeconds: number,
    private readonly maxDelaySeconds: number,
  ) {
    // PostgreSQL stores points as an int: a large number, not MAX_SAFE_INTEGER.
    this.failures = limiters.make(`${name}:failures`, 1_000_000_000, windowSeconds);
    this.gate = limiters.make(`${name}:gate`, 1, windowSeconds);
  }

  /** Seconds until `key` may try again; 0 when it may try now. */
  async waitSeconds(plainKey: string): Promise<number> {
    const key = this.limiters.key(plainKey);
    const closed = await this.gate.get(key);
    return closed && closed.consumedPoints > 1 ? Math.max(1, Math.ceil(closed.msBeforeNext / 1000)) : 0;
  }

  /** Records a failure; returns how many failures `key` has in this window. */
  async fail(plainKey: string): Promise<number> {
    const key = this.limiters.key(plainKey);
    const { consumedPoints } = await this.failures.penalty(key, 1);
    if (consumedPoints >= this.free) {
      const delay = Math.min(this.maxDelaySeconds, 2 ** (consumedPoints - this.free + 1));
      await this.gate.block(key, delay);
    }
    return consumedPoints;
  }

  async forget(plainKey: string): Promise<void> {
    const key = this.limiters.key(plainKey);
    await Promise.all([this.failures.delete(key), this.gate.delete(key)]);
  }
}
