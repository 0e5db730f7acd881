import { describeWithRedis } from '../../../../../libs/common/test/redis-server';
import type { AuthorizationGrant } from '../code-store.port';
import { CONTRACT_LIMITS, describeCodeStore } from '../code-store.contract';
import { hashOf } from '../code-hash';
import { RedisCodeStore } from './redis-code.store';
import { nowSeconds, openConnections } from './redis-connections.fixture';

describeWithRedis('RedisCodeStore', (redis) => {
  describeCodeStore(async (limits) => {
    const { connections, close } = await openConnections(redis);
    return {
      stores: [
        new RedisCodeStore(connections[0], limits),
        new RedisCodeStore(connections[1], limits),
      ],
      now: nowSeconds(),
      close,
    };
  });

  describe('in Redis', () => {
    let fixture: Awaited<ReturnType<typeof openConnections>>;
    let store: RedisCodeStore;
    let t0: number;
    let grant: AuthorizationGrant;

    beforeEach(async () => {
      fixture = await openConnections(redis);
      store = new RedisCodeStore(fixture.connections[0], CONTRACT_LIMITS);
      t0 = nowSeconds();
      grant = {
        clientId: '1234',
        redirectUri: 'http://localhost:5003/callback',
        scope: 'current_time',
        username: 'alice',
        codeChallenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
        expiresAt: t0 + 60,
        owner: 'address:192.0.2.1',
      };
    });
    afterEach(async () => fixture.close());

    it('keeps codes under their hash and the prefix, with TTLs that follow their life', async () => {
      const connection = fixture.connections[0];
      const code = 'kR9vQe2uJ4sW7yZ1aB3cD5fG8hK0mN6p';
      await store.save(code, grant, t0);
      const codeKey = connection.key('code', hashOf(code));
      const ownerKey = connection.key('owner', 'address:192.0.2.1');
      const keys = await connection.client.keys(connection.key('*'));
      expect(keys.sort()).toStrictEqual([codeKey, ownerKey].sort());
      expect(keys.join(' ')).not.toContain(code);
      expect(JSON.stringify(await connection.client.hGetAll(codeKey))).not.toContain(code);
      expect(await connection.client.ttl(codeKey)).toBe(60);
      expect(await connection.client.ttl(ownerKey)).toBe(60);
      expect(await connection.client.zRange(ownerKey, 0, -1)).toStrictEqual([codeKey]);

      await store.consume(code, '1234', 'jti-1', t0);
      expect(await connection.client.ttl(codeKey)).toBe(CONTRACT_LIMITS.keepUsedSeconds);
      expect(await connection.client.zCard(ownerKey)).toBe(0);
    });

    it('fails closed on an entry it cannot read', async () => {
      const connection = fixture.connections[0];
      await store.save('code-1', grant, t0);
      await connection.client.hSet(
        connection.key('code', hashOf('code-1')),
        'grant',
        '{"scope":1}',
      );
      await expect(store.consume('code-1', '1234', 'jti-1', t0)).rejects.toMatchObject({
        name: 'StoreUnavailableError',
        store: 'codes',
        detail: 'TypeError: stored grant has a bad clientId',
      });
    });
  });
});
