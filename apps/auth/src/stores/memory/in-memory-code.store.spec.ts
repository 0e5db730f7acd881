import { inspect } from 'node:util';
import { FakeClock, T0 } from '../../../test/support/fakes';
import type { AuthorizationGrant } from '../code-store.port';
import { CONTRACT_LIMITS, describeCodeStore } from '../code-store.contract';
import { hashOf } from '../code-hash';
import { InMemoryCodeStore } from './in-memory-code.store';

const GRANT: AuthorizationGrant = {
  clientId: '1234',
  redirectUri: 'http://localhost:5003/callback',
  scope: 'current_time',
  username: 'alice',
  codeChallenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
  expiresAt: T0 + 60,
  owner: 'address:192.0.2.1',
};

describe('InMemoryCodeStore', () => {
  describeCodeStore(async (limits) => {
    const clock = new FakeClock();
    const store = new InMemoryCodeStore(limits, clock);
    return { stores: [store], now: clock.now, close: async () => store.onModuleDestroy() };
  });

  describe('in memory', () => {
    let clock: FakeClock;
    let store: InMemoryCodeStore;

    function open(limits: Partial<typeof CONTRACT_LIMITS> = {}): void {
      store = new InMemoryCodeStore({ ...CONTRACT_LIMITS, ...limits }, clock);
    }

    beforeEach(() => {
      jest.useFakeTimers();
      clock = new FakeClock();
      open();
    });

    afterEach(() => {
      store.onModuleDestroy();
      jest.useRealTimers();
    });

    it('keeps a hash of each code, never the code', async () => {
      const code = 'kR9vQe2uJ4sW7yZ1aB3cD5fG8hK0mN6p';
      await store.save(code, GRANT, T0);
      const heap = inspect(store, { depth: Infinity, showHidden: true });
      expect(heap).not.toContain(code);
      expect(heap).toContain(hashOf(code));
    });

    it('refuses a code past its capacity, whoever asks, until one is forgotten', async () => {
      store.onModuleDestroy();
      open({ capacity: 2, keepUsedSeconds: 10 });
      await store.save('a', { ...GRANT, expiresAt: T0 + 5 }, T0);
      await store.save('b', { ...GRANT, owner: 'address:192.0.2.2' }, T0);
      expect(await store.save('c', { ...GRANT, owner: 'address:192.0.2.3' }, T0)).toBe('full');
      // A used code holds its place until it is forgotten.
      expect((await store.consume('b', '1234', 'jti-b', T0)).status).toBe('redeemed');
      expect(await store.save('c', { ...GRANT, owner: 'address:192.0.2.3' }, T0)).toBe('full');
      expect(await store.save('c', { ...GRANT, owner: 'address:192.0.2.3' }, T0 + 5)).toBe('saved');
      expect(await store.save('d', { ...GRANT, owner: 'address:192.0.2.4' }, T0 + 9)).toBe('full');
      expect(await store.save('d', { ...GRANT, owner: 'address:192.0.2.4' }, T0 + 10)).toBe(
        'saved',
      );
    });

    it('forgets expired and used codes on its timer', async () => {
      await store.save('unused', GRANT, T0);
      await store.save('used', GRANT, T0);
      await store.consume('used', '1234', 'jti-1', T0);
      expect(store.size).toBe(2);
      clock.advance(10);
      jest.advanceTimersByTime(1_000);
      expect(store.size).toBe(1);
      clock.advance(50);
      jest.advanceTimersByTime(1_000);
      expect(store.size).toBe(0);
    });

    it('stops its timer on module destroy', async () => {
      await store.save('unused', GRANT, T0);
      store.onModuleDestroy();
      clock.advance(60);
      jest.advanceTimersByTime(5_000);
      expect(store.size).toBe(1);
      expect(jest.getTimerCount()).toBe(0);
    });

    it('releases the quota slot of a code that expires unredeemed, once', async () => {
      for (const code of ['a', 'b', 'c'])
        await store.save(code, { ...GRANT, expiresAt: T0 + 5 }, T0);
      clock.advance(5);
      jest.advanceTimersByTime(1_000);
      expect(store.size).toBe(0);
      for (const code of ['d', 'e', 'f'])
        expect(await store.save(code, GRANT, T0 + 5)).toBe('saved');
      expect(await store.save('g', GRANT, T0 + 5)).toBe('quota_exceeded');
    });
  });
});
