import { Inject, Injectable } from '@nestjs/common';
import { CLOCK, type Clock, REQUEST_OUTCOME, type RequestOutcome } from '@app/common';
import { AuthConfig } from '../auth.config';
import { RateLimitedError } from '../errors/oauth.errors';
import { FAILURE_COUNTER, type FailureCounter } from '../stores/failure-counter.port';
import { FixedWindowCounter } from './fixed-window-counter';

/** Who is calling, as far as limits care: the client it claims to be and its address key. */
export interface CallerKeys {
  clientId?: string;
  address: string;
}

/**
 * Limits that keep guessing and flooding expensive. Failed client authentications are counted
 * per (client, address) and per address, in the shared failure counter, so a flood of wrong
 * secrets sent in a client's name locks out only the addresses that sent them, never the client
 * itself. Introspection calls are limited per client and per address, per second, in each
 * replica (they come from authenticated clients only). The defaults sit far above honest use.
 */
@Injectable()
export class AbuseLimits {
  private readonly introspections = new FixedWindowCounter(1);

  constructor(
    @Inject(FAILURE_COUNTER) private readonly failures: FailureCounter,
    private readonly config: AuthConfig,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(REQUEST_OUTCOME) private readonly outcome: RequestOutcome,
  ) {}

  /**
   * Refuses a caller that has failed client authentication too often in this window. Both
   * counters are read together (with Redis, two commands in flight instead of one after the
   * other), then judged in order.
   */
  async checkAuthenticationFailures(caller: CallerKeys): Promise<void> {
    const keys = failureKeys(caller);
    const reads = keys.map((key) => this.failures.blockedFor(key));
    // A read after a refusal is never awaited; its failure must not go unhandled.
    for (const read of reads) void read.catch(() => undefined);
    for (const [index, key] of keys.entries()) {
      const retryAfter = await reads[index]!;
      if (retryAfter > 0) this.refuse('authentication_failures', key, retryAfter);
    }
  }

  async recordAuthenticationFailure(caller: CallerKeys): Promise<void> {
    await Promise.all(failureKeys(caller).map((key) => this.failures.record(key)));
  }

  /** Counts one introspection call and refuses it past the per-second limit. */
  admitIntrospection(caller: CallerKeys): void {
    const now = this.clock.nowSeconds();
    for (const key of [`client:${caller.clientId ?? ''}`, `address:${caller.address}`]) {
      if (this.introspections.hit(key, now) > this.config.introspectionLimit) {
        this.refuse('introspections', key, this.introspections.retryAfter(now));
      }
    }
  }

  private refuse(limit: string, key: string, retryAfter: number): never {
    this.outcome.warn(
      'rate_limited',
      { limit, key, retry_after: retryAfter },
      'rate limit reached',
    );
    throw new RateLimitedError(retryAfter, `${limit} limit reached for ${key}`);
  }
}

/** Per (client, address) and per address; never per claimed client alone. */
function failureKeys(caller: CallerKeys): string[] {
  const address = `address:${caller.address}`;
  return caller.clientId === undefined
    ? [address]
    : [`client:${caller.clientId}|${address}`, address];
}
