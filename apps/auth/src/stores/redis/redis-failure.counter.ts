import { RateLimiterMemory, RateLimiterRedis, RLWrapperTimeouts } from 'rate-limiter-flexible';
import type { FailureCounter, FailureCounterLimits } from '../failure-counter.port';
import { secondsBlocked } from '../failure-window';
import type { StoreConnection as RedisConnection } from './store-scripts';

/**
 * Failures per key shared by every replica, on rate-limiter-flexible's `RateLimiterRedis` (an
 * atomic INCR-and-EXPIRE script per failure). While Redis is down or slow, each replica counts in
 * its in-memory `insuranceLimiter` instead, so the limit still holds per replica and client
 * authentication keeps working. `RLWrapperTimeouts` bounds each call by the connection's command
 * timeout (RateLimiterRedis calls the client directly, outside `RedisConnection.run`); the
 * insurance sits on the wrapper only, so that a call that times out and then fails is counted
 * once.
 */
export class RedisFailureCounter implements FailureCounter {
  private readonly limiter: RLWrapperTimeouts;

  /** @param name tells this counter's keys from other counters' (e.g. `client-auth`). */
  constructor(
    redis: RedisConnection,
    private readonly limits: FailureCounterLimits,
    name: string,
  ) {
    const window = { points: limits.limit, duration: limits.windowSeconds };
    this.limiter = new RLWrapperTimeouts({
      limiter: new RateLimiterRedis({
        ...window,
        storeClient: redis.client,
        // node-redis 4+ API (its client is not recognised by class name in node-redis 5).
        useRedisPackage: true,
        keyPrefix: redis.key('failures', name),
      }),
      timeoutMs: redis.commandTimeoutMs,
      insuranceLimiter: new RateLimiterMemory(window),
    });
  }

  async blockedFor(key: string): Promise<number> {
    return secondsBlocked(await this.limiter.get(key), this.limits);
  }

  async record(key: string): Promise<void> {
    await this.limiter.penalty(key, 1);
  }
}
