import type { RateLimiterRes } from 'rate-limiter-flexible';
import type { FailureCounterLimits } from './failure-counter.port';

/**
 * Seconds until a key with `res` failures in its window may try again: 0 below the limit, else
 * the rest of the window rounded up (a key at its limit is blocked for at least one second).
 */
export function secondsBlocked(res: RateLimiterRes | null, limits: FailureCounterLimits): number {
  if (res === null || res.consumedPoints < limits.limit || res.msBeforeNext <= 0) return 0;
  return Math.min(limits.windowSeconds, Math.max(1, Math.ceil(res.msBeforeNext / 1000)));
}
