import type { RedisUnderTest } from '../../../../../libs/common/test/redis-server';
import { RedisConnection, type RedisConnectionOptions } from '@app/common/redis';
import { STORE_SCRIPTS, type StoreConnection } from './store-scripts';

/**
 * Two connections on one fresh key prefix, as two replicas would hold: the contract suites
 * spread their concurrent calls over both, so races cross connections.
 */
export async function openConnections(
  redis: RedisUnderTest,
  options: Partial<RedisConnectionOptions> = {},
): Promise<{ connections: [StoreConnection, StoreConnection]; close(): Promise<void> }> {
  const settings = {
    url: redis.url,
    keyPrefix: redis.freshPrefix(),
    scripts: STORE_SCRIPTS,
    ...options,
  };
  const connections: [StoreConnection, StoreConnection] = [
    await RedisConnection.open(settings),
    await RedisConnection.open(settings),
  ];
  return {
    connections,
    close: async () => {
      await Promise.all(connections.map((c) => c.close()));
    },
  };
}

/** The time now, epoch seconds, as the system clock tells it. */
export function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}
