import { Inject, Injectable } from '@nestjs/common';
import { InjectPinoLogger, PinoLogger } from 'nestjs-pino';
import { CLOCK, type Clock } from '@app/common';
import { AuthConfig } from '../auth.config';
import { RateLimitedError } from '../errors/oauth.errors';
import { FixedWindowCounter } from './fixed-window-counter';

/** Who is calling, as far as limits care: the client it claims to be and the source address. */
export interface CallerKeys {
  clientId?: string;
  address?: string;
}

/**
 * Limits that keep guessing and flooding expensive: failed client authentications per client
 * and per source address, and introspection calls per client and per address. The defaults sit
 * far above what a benchmark of honest calls reaches.
 */
@Injectable()
export class AbuseLimits {
  private readonly failures: FixedWindowCounter;
  private readonly introspections: FixedWindowCounter;

  constructor(
    private readonly config: AuthConfig,
    @Inject(CLOCK) private readonly clock: Clock,
    @InjectPinoLogger('AbuseLimits') private readonly logger: PinoLogger,
  ) {
    this.failures = new FixedWindowCounter(config.authFailureWindowSeconds);
    this.introspections = new FixedWindowCounter(1);
  }

  /** Refuses a caller that has failed client authentication too often in this window. */
  checkAuthenticationFailures(caller: CallerKeys): void {
    const now = this.clock.nowSeconds();
    for (const key of keysOf(caller)) {
      if (this.failures.count(key, now) >= this.config.authFailureLimit) {
        this.refuse('authentication_failures', key, this.failures.retryAfter(now));
      }
    }
  }

  recordAuthenticationFailure(caller: CallerKeys): void {
    const now = this.clock.nowSeconds();
    for (const key of keysOf(caller)) this.failures.hit(key, now);
  }

  /** Counts one introspection call and refuses it past the per-second limit. */
  admitIntrospection(caller: CallerKeys): void {
    const now = this.clock.nowSeconds();
    for (const key of keysOf(caller)) {
      if (this.introspections.hit(key, now) > this.config.introspectionLimit) {
        this.refuse('introspections', key, this.introspections.retryAfter(now));
      }
    }
  }

  private refuse(limit: string, key: string, retryAfter: number): never {
    this.logger.warn(
      { event: 'rate_limited', limit, key, retry_after: retryAfter },
      'rate limit reached',
    );
    throw new RateLimitedError(retryAfter, `${limit} limit reached for ${key}`);
  }
}

function keysOf(caller: CallerKeys): string[] {
  const keys: string[] = [];
  if (caller.clientId !== undefined) keys.push(`client:${caller.clientId}`);
  if (caller.address !== undefined) keys.push(`address:${caller.address}`);
  return keys;
}
