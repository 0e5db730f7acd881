import type { AccessTokenClaims } from '@app/contracts';
import { FakeClock, T0 } from '../../../test/support/fakes';
import { describeTokenRegistry } from '../token-registry.contract';
import { InMemoryTokenRegistry } from './in-memory-token.registry';

const CLAIMS: AccessTokenClaims = {
  iss: 'http://localhost:5001',
  sub: 'alice',
  aud: 'http://localhost:5002',
  client_id: '1234',
  scope: 'current_time',
  iat: T0,
  exp: T0 + 5,
  jti: 'jti-1',
};

describe('InMemoryTokenRegistry', () => {
  describeTokenRegistry(async () => {
    const clock = new FakeClock();
    const registry = new InMemoryTokenRegistry(clock);
    return {
      registries: [registry],
      now: () => clock.now,
      close: async () => registry.onModuleDestroy(),
    };
  });

  describe('in memory', () => {
    let clock: FakeClock;
    let registry: InMemoryTokenRegistry;

    beforeEach(() => {
      jest.useFakeTimers();
      clock = new FakeClock();
      registry = new InMemoryTokenRegistry(clock);
    });

    afterEach(() => {
      registry.onModuleDestroy();
      jest.useRealTimers();
    });

    it('keeps an entry through the second of its expiresAt, then forgets it', async () => {
      await registry.record('hash-1', CLAIMS, T0 + 5);
      clock.advance(5);
      expect((await registry.lookup('jti-1')).issued?.tokenHash).toBe('hash-1');
      clock.advance(1);
      expect(await registry.lookup('jti-1')).toStrictEqual({ revoked: false });
      jest.advanceTimersByTime(1_000);
      expect(registry.size).toBe(0);
    });

    it('never shortens an entry: a revocation with an earlier expiresAt keeps the later one', async () => {
      await registry.record('hash-1', CLAIMS, T0 + 60);
      await registry.revoke('jti-1', T0 + 5);
      clock.advance(30);
      jest.advanceTimersByTime(1_000);
      expect(await registry.lookup('jti-1')).toStrictEqual({
        issued: { tokenHash: 'hash-1', claims: CLAIMS },
        revoked: true,
      });
    });

    it('moves an entry later when a revocation outlives the record', async () => {
      await registry.record('hash-1', CLAIMS, T0 + 5);
      await registry.revoke('jti-1', T0 + 60);
      clock.advance(30);
      jest.advanceTimersByTime(1_000);
      expect((await registry.lookup('jti-1')).revoked).toBe(true);
      clock.advance(31);
      jest.advanceTimersByTime(1_000);
      expect(registry.size).toBe(0);
    });

    it('hands out copies, so that a caller cannot change what it holds', async () => {
      await registry.record('hash-1', CLAIMS, T0 + 5);
      const first = await registry.lookup('jti-1');
      if (first.issued) first.issued.claims.sub = 'mallory';
      expect((await registry.lookup('jti-1')).issued?.claims.sub).toBe('alice');
    });
  });
});
