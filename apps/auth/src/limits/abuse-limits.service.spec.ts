import type { PinoLogger } from 'nestjs-pino';
import { AuthConfig } from '../auth.config';
import { RateLimitedError } from '../errors/oauth.errors';
import { AbuseLimits } from './abuse-limits.service';
import { FixedWindowCounter } from './fixed-window-counter';

const logger = { warn: () => undefined } as unknown as PinoLogger;

function limits(now: { value: number }, settings: Partial<AuthConfig> = {}): AbuseLimits {
  const config = Object.assign(
    new AuthConfig(),
    { authFailureLimit: 3, authFailureWindowSeconds: 60, introspectionLimit: 2 },
    settings,
  );
  return new AbuseLimits(config, { nowSeconds: () => now.value }, logger);
}

function thrown(fn: () => void): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  return undefined;
}

describe('FixedWindowCounter', () => {
  it('counts per key within a window and starts again in the next one', () => {
    const counter = new FixedWindowCounter(10);
    expect(counter.hit('a', 100)).toBe(1);
    expect(counter.hit('a', 105)).toBe(2);
    expect(counter.hit('b', 109)).toBe(1);
    expect(counter.count('a', 109)).toBe(2);
    expect(counter.count('a', 110)).toBe(0);
    expect(counter.retryAfter(112)).toBe(8);
  });
});

describe('AbuseLimits', () => {
  it('refuses an address after the allowed failures, with the seconds left in the window', () => {
    const now = { value: 120 };
    const subject = limits(now);
    for (let i = 0; i < 3; i++) subject.recordAuthenticationFailure({ address: '10.0.0.1' });
    now.value = 135;
    const err = thrown(() => subject.checkAuthenticationFailures({ address: '10.0.0.1' }));
    expect(err).toBeInstanceOf(RateLimitedError);
    expect((err as RateLimitedError).retryAfterSeconds).toBe(45);
    expect(
      thrown(() => subject.checkAuthenticationFailures({ address: '10.0.0.2' })),
    ).toBeUndefined();
    now.value = 180;
    expect(
      thrown(() => subject.checkAuthenticationFailures({ address: '10.0.0.1' })),
    ).toBeUndefined();
  });

  it('counts failures per client id as well as per address', () => {
    const now = { value: 0 };
    const subject = limits(now);
    for (let i = 0; i < 3; i++)
      subject.recordAuthenticationFailure({ clientId: '1234', address: `10.0.0.${i}` });
    expect(
      thrown(() => subject.checkAuthenticationFailures({ clientId: '1234', address: '10.0.0.9' })),
    ).toBeInstanceOf(RateLimitedError);
    expect(
      thrown(() => subject.checkAuthenticationFailures({ clientId: 'other', address: '10.0.0.9' })),
    ).toBeUndefined();
  });

  it('admits introspections up to the per-second limit', () => {
    const now = { value: 7 };
    const subject = limits(now);
    subject.admitIntrospection({ clientId: 'rs', address: 'a' });
    subject.admitIntrospection({ clientId: 'rs', address: 'a' });
    const err = thrown(() => subject.admitIntrospection({ clientId: 'rs', address: 'a' }));
    expect(err).toBeInstanceOf(RateLimitedError);
    expect((err as RateLimitedError).retryAfterSeconds).toBe(1);
    now.value = 8;
    expect(
      thrown(() => subject.admitIntrospection({ clientId: 'rs', address: 'a' })),
    ).toBeUndefined();
  });
});
