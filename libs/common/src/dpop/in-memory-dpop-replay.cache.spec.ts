import type { Clock } from '../clock/clock.port';
import { DpopReplayCacheFullError } from './dpop.errors';
import { describeDpopReplayCache } from './dpop-replay.contract';
import { InMemoryDpopReplayCache } from './in-memory-dpop-replay.cache';

class FakeClock implements Clock {
  now = 1_800_000_000;
  nowSeconds(): number {
    return this.now;
  }
}

describeDpopReplayCache('InMemoryDpopReplayCache', async () => {
  const clock = new FakeClock();
  return {
    cache: new InMemoryDpopReplayCache(clock),
    nowSeconds: () => clock.now,
    elapse: async (seconds) => {
      clock.now += seconds;
    },
  };
});

describe('InMemoryDpopReplayCache', () => {
  let clock: FakeClock;

  beforeEach(() => {
    clock = new FakeClock();
  });

  it('drops expired keys as time passes, so its size follows the live window', async () => {
    const cache = new InMemoryDpopReplayCache(clock);
    for (let i = 0; i < 10; i++) await cache.firstUse(`a${i}`, clock.now + 5);
    for (let i = 0; i < 10; i++) await cache.firstUse(`b${i}`, clock.now + 10);
    expect(cache.size).toBe(20);
    clock.now += 4;
    await cache.firstUse('probe', clock.now - 1);
    expect(cache.size).toBe(20);
    clock.now += 1;
    await cache.firstUse('probe', clock.now - 1);
    expect(cache.size).toBe(10);
    clock.now += 5;
    await cache.firstUse('probe', clock.now - 1);
    expect(cache.size).toBe(0);
  });

  it('when full, refuses to record rather than evicting a live key (fail closed)', async () => {
    const cache = new InMemoryDpopReplayCache(clock, { maxEntries: 3 });
    for (const key of ['victim', 'flood1', 'flood2']) {
      expect(await cache.firstUse(key, clock.now + 60)).toBe(true);
    }
    await expect(cache.firstUse('flood3', clock.now + 60)).rejects.toThrow(
      new DpopReplayCacheFullError('the DPoP replay cache holds 3 proofs'),
    );
    // The victim's proof is still known, so its replay is still refused.
    expect(await cache.firstUse('victim', clock.now + 60)).toBe(false);
    expect(cache.size).toBe(3);
  });

  it('makes room again once entries expire', async () => {
    const cache = new InMemoryDpopReplayCache(clock, { maxEntries: 1 });
    expect(await cache.firstUse('a', clock.now + 2)).toBe(true);
    await expect(cache.firstUse('b', clock.now + 2)).rejects.toThrow(DpopReplayCacheFullError);
    clock.now += 2;
    expect(await cache.firstUse('b', clock.now + 2)).toBe(true);
  });

  it('forgets everything at once after a jump longer than its horizon', async () => {
    const cache = new InMemoryDpopReplayCache(clock, { horizonSeconds: 10 });
    expect(await cache.firstUse('a', clock.now + 10)).toBe(true);
    expect(await cache.firstUse('b', clock.now + 3)).toBe(true);
    clock.now += 25;
    expect(await cache.firstUse('a', clock.now + 10)).toBe(true);
    expect(cache.size).toBe(1);
  });

  it('reuses a bucket slot for the next lap without dropping its new keys early', async () => {
    const cache = new InMemoryDpopReplayCache(clock, { horizonSeconds: 10 });
    expect(await cache.firstUse('first-lap', clock.now + 3)).toBe(true);
    clock.now += 3; // slot of now+3 swept
    expect(await cache.firstUse('second-lap', clock.now + 10)).toBe(true); // same slot, next lap
    clock.now += 9;
    expect(await cache.firstUse('second-lap', clock.now + 10)).toBe(false);
    clock.now += 1;
    expect(await cache.firstUse('second-lap', clock.now + 10)).toBe(true);
  });

  it('keeps keys when the clock steps back, and refuses lifetimes past its horizon', async () => {
    const cache = new InMemoryDpopReplayCache(clock, { horizonSeconds: 10 });
    expect(await cache.firstUse('a', clock.now + 5)).toBe(true);
    clock.now -= 30;
    expect(await cache.firstUse('a', clock.now + 5)).toBe(false);
    await expect(cache.firstUse('far', clock.now + 11)).rejects.toThrow(
      new RangeError('expiresAt is 11 s ahead, past the 10 s horizon'),
    );
  });
});
