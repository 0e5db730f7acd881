import { RateLimiterMemory } from 'rate-limiter-flexible';
import type { FailureCounter, FailureCounterLimits } from '../failure-counter.port';
import { secondsBlocked } from '../failure-window';

/**
 * Failures per key for one process, on rate-limiter-flexible's `RateLimiterMemory`: a fixed
 * window per key that opens at the key's first failure. The library expires each key with its
 * own unref'd timer and reads the system time, so there is no timer or clock to hand it here.
 */
export class InMemoryFailureCounter implements FailureCounter {
  private readonly limiter: RateLimiterMemory;

  constructor(private readonly limits: FailureCounterLimits) {
    this.limiter = new RateLimiterMemory({
      points: limits.limit,
      duration: limits.windowSeconds,
    });
  }

  async blockedFor(key: string): Promise<number> {
    return secondsBlocked(await this.limiter.get(key), this.limits);
  }

  async record(key: string): Promise<void> {
    await this.limiter.penalty(key, 1);
  }
}
