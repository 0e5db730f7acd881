import { setTimeout as sleep } from 'node:timers/promises';
import {
  describeWithRedis,
  type RedisTestServer,
} from '../../../../../libs/common/test/redis-server';
import { jwk } from '../key-directory.contract';
import { RedisConnection } from '@app/common/redis';
import { STORE_SCRIPTS, type StoreConnection } from './store-scripts';
import { nowSeconds } from './redis-connections.fixture';
import { RedisKeyDirectory } from './redis-key.directory';

/** Polls `probe` until it is true, for at most `ms`. */
async function eventually(probe: () => Promise<boolean>, ms: number): Promise<void> {
  const deadline = performance.now() + ms;
  while (performance.now() < deadline) {
    if (await probe()) return;
    await sleep(25);
  }
  throw new Error(`not true within ${ms} ms`);
}

describeWithRedis(
  'RedisKeyDirectory after Redis restarts empty',
  (redis) => {
    let server: RedisTestServer;
    let connections: StoreConnection[];

    beforeEach(async () => {
      if (redis.server === undefined) throw new Error('these specs need the harness server');
      server = redis.server;
      await server.restart();
      const prefix = redis.freshPrefix();
      connections = await Promise.all(
        [1, 2].map(() =>
          RedisConnection.open({
            url: redis.url,
            keyPrefix: prefix,
            scripts: STORE_SCRIPTS,
            maxReconnectDelayMs: 100,
          }),
        ),
      );
    });

    afterEach(async () => {
      await Promise.all(connections.map((c) => c.close()));
    });

    it('lists this process’s keys again as soon as its connection is back, with their until', async () => {
      const [mine, reader] = connections.map((c) => new RedisKeyDirectory(c));
      const t0 = nowSeconds();
      await mine!.publish(jwk('key-a'), t0 + 30);
      await mine!.publish(jwk('key-b'), t0 + 60);

      await server.stop();
      await server.restart();
      // The other replica's handle sees what this one wrote again, without a heartbeat.
      await eventually(async () => {
        try {
          return (await reader!.list(t0)).length === 2;
        } catch {
          return false;
        }
      }, 3_000);
      expect((await reader!.list(t0)).map((k) => k.kid)).toStrictEqual(['key-a', 'key-b']);
      expect((await reader!.list(t0 + 31)).map((k) => k.kid)).toStrictEqual(['key-b']);
    });

    it('keeps the latest until of a key published twice, and drops a key past it', async () => {
      let now = nowSeconds();
      const directory = new RedisKeyDirectory(connections[0]!, { nowSeconds: () => now });
      const reader = new RedisKeyDirectory(connections[1]!);
      await directory.publish(jwk('key-a'), now + 60);
      await directory.publish(jwk('key-a'), now + 10);
      await directory.publish(jwk('key-gone'), now + 5);

      now += 20;
      await server.stop();
      await server.restart();
      await eventually(async () => {
        try {
          return (await reader.list(now)).length > 0;
        } catch {
          return false;
        }
      }, 3_000);
      // Long enough for a late write of key-gone to have arrived, were there one.
      await sleep(100);
      expect((await reader.list(now - 20)).map((k) => k.kid)).toStrictEqual(['key-a']);
      expect((await reader.list(now + 39)).map((k) => k.kid)).toStrictEqual(['key-a']);
    });
  },
  { ownServer: true },
);
