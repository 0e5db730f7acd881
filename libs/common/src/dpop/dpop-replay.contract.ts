import type { DpopReplayCache } from './dpop-replay.port';

/** One cache under test, with its own notion of time. */
export interface ReplayCacheUnderTest {
  cache: DpopReplayCache;
  /** Now, in epoch seconds, as the cache sees it. */
  nowSeconds(): number;
  /** Lets `seconds` pass for the cache: a fake clock steps, a real store is waited for. */
  elapse(seconds: number): Promise<void>;
  close?(): Promise<void>;
}

/**
 * The behaviour every DpopReplayCache adapter must have, run against each of them (a contract
 * suite, so that the in-memory and the Redis adapters cannot drift apart).
 */
export function describeDpopReplayCache(
  name: string,
  make: () => Promise<ReplayCacheUnderTest>,
): void {
  describe(`DpopReplayCache contract: ${name}`, () => {
    let subject: ReplayCacheUnderTest;
    let keys = 0;
    /** A key no other test has used, as adapters may share a store between tests. */
    const freshKey = (): string => `contract-${process.pid}-${Date.now()}-${++keys}`;

    beforeEach(async () => {
      subject = await make();
    });

    afterEach(async () => {
      await subject.close?.();
    });

    it('answers true the first time and false on every replay within the window', async () => {
      const key = freshKey();
      const expiresAt = subject.nowSeconds() + 30;
      expect(await subject.cache.firstUse(key, expiresAt)).toBe(true);
      expect(await subject.cache.firstUse(key, expiresAt)).toBe(false);
      expect(await subject.cache.firstUse(key, expiresAt + 100)).toBe(false);
    });

    it('keeps keys apart', async () => {
      const [a, b] = [freshKey(), freshKey()];
      const expiresAt = subject.nowSeconds() + 30;
      expect(await subject.cache.firstUse(a, expiresAt)).toBe(true);
      expect(await subject.cache.firstUse(b, expiresAt)).toBe(true);
      expect(await subject.cache.firstUse(a, expiresAt)).toBe(false);
      expect(await subject.cache.firstUse(b, expiresAt)).toBe(false);
    });

    it('remembers a key until its expiresAt and forgets it from then on', async () => {
      const key = freshKey();
      const expiresAt = subject.nowSeconds() + 2;
      expect(await subject.cache.firstUse(key, expiresAt)).toBe(true);
      await subject.elapse(1);
      expect(subject.nowSeconds()).toBeLessThan(expiresAt);
      expect(await subject.cache.firstUse(key, expiresAt)).toBe(false);
      await subject.elapse(1);
      expect(subject.nowSeconds()).toBeGreaterThanOrEqual(expiresAt);
      expect(await subject.cache.firstUse(key, subject.nowSeconds() + 30)).toBe(true);
      expect(await subject.cache.firstUse(key, subject.nowSeconds() + 30)).toBe(false);
    });

    it('does not remember a key whose expiresAt has already passed', async () => {
      const key = freshKey();
      const past = subject.nowSeconds() - 1;
      expect(await subject.cache.firstUse(key, past)).toBe(true);
      expect(await subject.cache.firstUse(key, past)).toBe(true);
    });

    it('gives true to exactly one of many concurrent first uses', async () => {
      const key = freshKey();
      const expiresAt = subject.nowSeconds() + 30;
      const answers = await Promise.all(
        Array.from({ length: 50 }, () => subject.cache.firstUse(key, expiresAt)),
      );
      expect(answers.filter(Boolean)).toHaveLength(1);
    });
  });
}
