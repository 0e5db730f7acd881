import type { AccessTokenClaims } from '@app/contracts';
import type { TokenRegistry } from './token-registry.port';

/** A fresh, empty registry behind one or more handles, and how to take it down. */
export interface TokenRegistryFixture {
  /** Handles on one shared registry (one per connection for Redis, one for memory). */
  registries: [TokenRegistry, ...TokenRegistry[]];
  /** The adapters' clock now, epoch seconds. */
  now(): number;
  close(): Promise<void>;
}

export type MakeTokenRegistry = () => Promise<TokenRegistryFixture>;

/** The behaviour `TokenRegistry` documents, for any adapter: the same cases, unchanged, for each. */
export function describeTokenRegistry(make: MakeTokenRegistry): void {
  describe('TokenRegistry contract', () => {
    let fixture: TokenRegistryFixture;
    let registry: TokenRegistry;
    let other: TokenRegistry;

    function claims(jti: string): AccessTokenClaims {
      const iat = fixture.now();
      return {
        iss: 'http://localhost:5001',
        sub: 'alice',
        aud: 'http://localhost:5002',
        client_id: '1234',
        scope: 'epoch_time',
        iat,
        exp: iat + 5,
        jti,
      };
    }

    beforeEach(async () => {
      fixture = await make();
      registry = fixture.registries[0];
      other = fixture.registries[1] ?? registry;
    });
    afterEach(async () => fixture.close());

    it('returns what was recorded, claims deep-equal, to every handle', async () => {
      const recorded = claims('jti-1');
      await registry.record('hash-1', recorded, recorded.exp);
      const expected = { issued: { tokenHash: 'hash-1', claims: recorded }, revoked: false };
      expect(await other.lookup('jti-1')).toStrictEqual(expected);
      expect(await registry.lookup('jti-1')).toStrictEqual(expected);
    });

    it('knows nothing of a jti never recorded nor revoked', async () => {
      await registry.record('hash-1', claims('jti-1'), fixture.now() + 5);
      expect(await registry.lookup('jti-2')).toStrictEqual({ revoked: false });
    });

    it('shows a revocation to every handle and keeps the issued record', async () => {
      const recorded = claims('jti-1');
      await registry.record('hash-1', recorded, recorded.exp);
      await other.revoke('jti-1', recorded.exp);
      const expected = { issued: { tokenHash: 'hash-1', claims: recorded }, revoked: true };
      expect(await registry.lookup('jti-1')).toStrictEqual(expected);
      expect(await other.lookup('jti-1')).toStrictEqual(expected);
    });

    it('records the revocation of a jti it never recorded', async () => {
      await registry.revoke('jti-elsewhere', fixture.now() + 5);
      expect(await other.lookup('jti-elsewhere')).toStrictEqual({ revoked: true });
    });

    it('keeps a revocation that came before the record', async () => {
      const recorded = claims('jti-1');
      await registry.revoke('jti-1', recorded.exp);
      await other.record('hash-1', recorded, recorded.exp);
      expect(await registry.lookup('jti-1')).toStrictEqual({
        issued: { tokenHash: 'hash-1', claims: recorded },
        revoked: true,
      });
    });

    it('keeps the issued record through a revocation with an earlier expiresAt', async () => {
      const recorded = claims('jti-1');
      await registry.record('hash-1', recorded, recorded.exp);
      await registry.revoke('jti-1', fixture.now() + 1);
      await registry.revoke('jti-1', fixture.now() + 1);
      expect(await registry.lookup('jti-1')).toStrictEqual({
        issued: { tokenHash: 'hash-1', claims: recorded },
        revoked: true,
      });
    });
  });
}
