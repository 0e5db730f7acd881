import { SystemClock } from '@app/common';
import type { AccessTokenClaims } from '@app/contracts';
import { describeWithRedis } from '../../../../../libs/common/test/redis-server';
import { describeTokenRegistry } from '../token-registry.contract';
import { nowSeconds, openConnections } from './redis-connections.fixture';
import { RedisTokenRegistry } from './redis-token.registry';

describeWithRedis('RedisTokenRegistry', (redis) => {
  describeTokenRegistry(async () => {
    const { connections, close } = await openConnections(redis);
    const clock = new SystemClock();
    return {
      registries: [
        new RedisTokenRegistry(connections[0], clock),
        new RedisTokenRegistry(connections[1], clock),
      ],
      now: () => clock.nowSeconds(),
      close,
    };
  });

  describe('in Redis', () => {
    let fixture: Awaited<ReturnType<typeof openConnections>>;
    let registry: RedisTokenRegistry;
    let claims: AccessTokenClaims;
    let t0: number;

    beforeEach(async () => {
      fixture = await openConnections(redis);
      t0 = nowSeconds();
      // A clock that stands still, so that TTLs are exact whenever a second turns.
      registry = new RedisTokenRegistry(fixture.connections[0], { nowSeconds: () => t0 });
      const iat = t0;
      claims = {
        iss: 'http://localhost:5001',
        sub: 'alice',
        aud: 'http://localhost:5002',
        client_id: '1234',
        scope: 'current_time',
        iat,
        exp: iat + 5,
        jti: 'jti-1',
      };
    });
    afterEach(async () => fixture.close());

    function ttlOf(jti: string): Promise<number> {
      const connection = fixture.connections[0];
      return connection.client.ttl(connection.key('token', jti));
    }

    it('gives an entry the TTL of its expiresAt, through that second', async () => {
      await registry.record('hash-1', claims, t0 + 60);
      expect(await ttlOf('jti-1')).toBe(61);
      await registry.revoke('jti-2', t0 + 30);
      expect(await ttlOf('jti-2')).toBe(31);
    });

    it('never shortens an entry, and lengthens it when a revocation outlives it', async () => {
      await registry.record('hash-1', claims, t0 + 60);
      await registry.revoke('jti-1', t0 + 5);
      expect(await ttlOf('jti-1')).toBe(61);
      await registry.revoke('jti-1', t0 + 120);
      expect(await ttlOf('jti-1')).toBe(121);
      await registry.record('hash-1', claims, t0 + 5);
      expect(await ttlOf('jti-1')).toBe(121);
    });

    it('forgets an entry when its TTL runs out', async () => {
      await registry.revoke('jti-1', t0 - 1);
      expect(await ttlOf('jti-1')).toBe(1);
      await new Promise((resolve) => setTimeout(resolve, 1_100));
      expect(await registry.lookup('jti-1')).toStrictEqual({ revoked: false });
    });
  });
});
