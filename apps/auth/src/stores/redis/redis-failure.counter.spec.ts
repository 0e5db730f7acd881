import { describeWithRedis } from '../../../../../libs/common/test/redis-server';
import { describeFailureCounter } from '../failure-counter.contract';
import { openConnections } from './redis-connections.fixture';
import { RedisFailureCounter } from './redis-failure.counter';

describeWithRedis('RedisFailureCounter', (redis) => {
  describeFailureCounter(async (limits) => {
    const { connections, close } = await openConnections(redis);
    return {
      counters: [
        new RedisFailureCounter(connections[0], limits, 'client-auth'),
        new RedisFailureCounter(connections[1], limits, 'client-auth'),
      ],
      close,
    };
  });

  it('keeps the counters of different names apart, under the prefix', async () => {
    const { connections, close } = await openConnections(redis);
    try {
      const [connection] = connections;
      const limits = { limit: 1, windowSeconds: 60 };
      const clients = new RedisFailureCounter(connection, limits, 'client-auth');
      const addresses = new RedisFailureCounter(connection, limits, 'address-auth');
      await clients.record('k');
      expect(await clients.blockedFor('k')).toBe(60);
      expect(await addresses.blockedFor('k')).toBe(0);
      expect(await connection.client.keys(connection.key('*'))).toStrictEqual([
        connection.key('failures', 'client-auth:k'),
      ]);
    } finally {
      await close();
    }
  });
});
