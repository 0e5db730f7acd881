import { RateLimitedError } from '../errors/oauth.errors';
import { InMemoryFailureCounter } from '../stores/memory/in-memory-failure.counter';
import { FakeClock, RecordedOutcome, rejected, testConfig, thrown } from '../../test/support/fakes';
import { AbuseLimits } from './abuse-limits.service';
import { FixedWindowCounter } from './fixed-window-counter';

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
  let clock: FakeClock;
  let counter: InMemoryFailureCounter;
  let outcome: RecordedOutcome;
  let subject: AbuseLimits;

  beforeEach(() => {
    // The in-memory failure counter (rate-limiter-flexible) runs on the system time.
    jest.useFakeTimers({ now: 1_800_000_000_000 });
    clock = new FakeClock(7);
    counter = new InMemoryFailureCounter({ limit: 3, windowSeconds: 60 });
    outcome = new RecordedOutcome();
    subject = new AbuseLimits(counter, testConfig({ introspectionLimit: 2 }), clock, outcome);
  });

  afterEach(() => jest.useRealTimers());

  describe('failed client authentications', () => {
    it('refuses an address after the allowed failures, with the seconds left in the window', async () => {
      for (let i = 0; i < 3; i++)
        await subject.recordAuthenticationFailure({ address: '10.0.0.1' });
      jest.advanceTimersByTime(15_000);

      const err = await rejected(() =>
        subject.checkAuthenticationFailures({ address: '10.0.0.1' }),
      );

      expect(err).toBeInstanceOf(RateLimitedError);
      expect(err).toHaveProperty('retryAfterSeconds', 45);
      expect(err).toHaveProperty(
        'detail',
        'authentication_failures limit reached for address:10.0.0.1',
      );
      expect(outcome.events).toEqual([
        {
          kind: 'warn',
          event: 'rate_limited',
          fields: { limit: 'authentication_failures', key: 'address:10.0.0.1', retry_after: 45 },
        },
      ]);
      await expect(
        subject.checkAuthenticationFailures({ address: '10.0.0.2' }),
      ).resolves.toBeUndefined();
      jest.advanceTimersByTime(45_000);
      await expect(
        subject.checkAuthenticationFailures({ address: '10.0.0.1' }),
      ).resolves.toBeUndefined();
    });

    it('admits an address below the limit', async () => {
      for (let i = 0; i < 2; i++)
        await subject.recordAuthenticationFailure({ address: '10.0.0.1' });
      await expect(
        subject.checkAuthenticationFailures({ address: '10.0.0.1' }),
      ).resolves.toBeUndefined();
    });

    it('counts a client’s failures per (client, address) and per address, never per client alone', async () => {
      await subject.recordAuthenticationFailure({ clientId: '1234', address: '10.0.0.1' });
      expect(await counter.blockedFor('client:1234|address:10.0.0.1')).toBe(0);
      for (let i = 0; i < 2; i++) {
        await subject.recordAuthenticationFailure({ clientId: '1234', address: '10.0.0.1' });
      }
      expect(await counter.blockedFor('client:1234|address:10.0.0.1')).toBe(60);
      expect(await counter.blockedFor('address:10.0.0.1')).toBe(60);
      expect(await counter.blockedFor('client:1234')).toBe(0);
    });

    it('lets a client in from any address whatever it failed from the others', async () => {
      for (let i = 0; i < 9; i++) {
        await subject.recordAuthenticationFailure({ clientId: '1234', address: `10.0.0.${i}` });
      }
      await expect(
        subject.checkAuthenticationFailures({ clientId: '1234', address: '10.0.0.9' }),
      ).resolves.toBeUndefined();
    });

    it('refuses a (client, address) pair over its limit, and the address with it', async () => {
      for (let i = 0; i < 3; i++) {
        await subject.recordAuthenticationFailure({ clientId: '1234', address: '10.0.0.1' });
      }
      const err = await rejected(() =>
        subject.checkAuthenticationFailures({ clientId: '1234', address: '10.0.0.1' }),
      );
      expect(err).toHaveProperty(
        'detail',
        'authentication_failures limit reached for client:1234|address:10.0.0.1',
      );
      const other = await rejected(() =>
        subject.checkAuthenticationFailures({ clientId: 'other', address: '10.0.0.1' }),
      );
      expect(other).toHaveProperty(
        'detail',
        'authentication_failures limit reached for address:10.0.0.1',
      );
    });
  });

  describe('introspections', () => {
    it('admits introspections up to the per-second limit, per client and per address', () => {
      subject.admitIntrospection({ clientId: 'rs', address: 'a' });
      subject.admitIntrospection({ clientId: 'rs', address: 'a' });
      const err = thrown(() => subject.admitIntrospection({ clientId: 'rs', address: 'b' }));
      expect(err).toBeInstanceOf(RateLimitedError);
      expect(err).toHaveProperty('retryAfterSeconds', 1);
      expect(err).toHaveProperty('detail', 'introspections limit reached for client:rs');
      const byAddress = thrown(() =>
        subject.admitIntrospection({ clientId: 'other', address: 'a' }),
      );
      expect(byAddress).toHaveProperty('detail', 'introspections limit reached for address:a');
      clock.advance(1);
      expect(() => subject.admitIntrospection({ clientId: 'rs', address: 'a' })).not.toThrow();
    });
  });
});
