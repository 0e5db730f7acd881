import { describeWithRedis } from '../../../../../libs/common/test/redis-server';
import { describeKeyDirectory, jwk } from '../key-directory.contract';
import { nowSeconds, openConnections } from './redis-connections.fixture';
import { RedisKeyDirectory } from './redis-key.directory';

describeWithRedis('RedisKeyDirectory', (redis) => {
  describeKeyDirectory(async () => {
    const { connections, close } = await openConnections(redis);
    return {
      directories: [new RedisKeyDirectory(connections[0]), new RedisKeyDirectory(connections[1])],
      now: nowSeconds(),
      close,
    };
  });

  it('drops a key past its until from both of its Redis keys', async () => {
    const { connections, close } = await openConnections(redis);
    try {
      const [connection] = connections;
      const directory = new RedisKeyDirectory(connection);
      const t0 = nowSeconds();
      await directory.publish(jwk('key-a'), t0 + 10);
      await directory.publish(jwk('key-b'), t0 + 30);
      await directory.list(t0 + 20);
      expect(await connection.client.zRange(connection.key('jwks', 'until'), 0, -1)).toStrictEqual([
        'key-b',
      ]);
      expect(await connection.client.hKeys(connection.key('jwks', 'jwk'))).toStrictEqual(['key-b']);
    } finally {
      await close();
    }
  });
});
