import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { createClient } from 'redis';
import { describeDpopReplayCache } from './dpop-replay.contract';
import { RedisDpopReplayCache, type RedisSetNxClient } from './redis-dpop-replay.cache';

/**
 * Runs against a real redis-server of its own, on a free port, started and stopped here (never
 * a system service). Without the binary (apt-get install redis-server) the suite is skipped, and
 * its name says so.
 */
const hasRedisServer = spawnSync('redis-server', ['--version']).status === 0;
const describeWithRedis = hasRedisServer ? describe : describe.skip;

async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  server.close();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

describeWithRedis(
  `RedisDpopReplayCache${hasRedisServer ? '' : ' (skipped: no redis-server)'}`,
  () => {
    let server: ChildProcess;
    let url: string;
    const clients: ReturnType<typeof createClient>[] = [];

    beforeAll(async () => {
      const port = await freePort();
      url = `redis://127.0.0.1:${port}`;
      server = spawn(
        'redis-server',
        ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
        {
          stdio: 'ignore',
        },
      );
      // Ready once it answers a PING.
      for (let attempt = 0; ; attempt++) {
        const probe = createClient({ url, socket: { reconnectStrategy: false } });
        probe.on('error', () => undefined);
        try {
          await probe.connect();
          await probe.ping();
          await probe.close();
          break;
        } catch (err) {
          if (attempt > 100) throw err;
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
      }
    });

    afterAll(async () => {
      await Promise.all(clients.filter((client) => client.isOpen).map((client) => client.close()));
      server.kill('SIGTERM');
      if (server.exitCode === null) await once(server, 'exit');
    });

    async function connected(): Promise<ReturnType<typeof createClient>> {
      const client = createClient({ url });
      clients.push(client);
      await client.connect();
      return client;
    }

    describeDpopReplayCache('RedisDpopReplayCache against redis-server', async () => {
      const client = await connected();
      // Compile-time check that a real node-redis v5 client fits the adapter's narrow interface.
      const narrow: RedisSetNxClient = client;
      return {
        cache: new RedisDpopReplayCache(narrow),
        nowSeconds: () => Math.floor(Date.now() / 1000),
        // Redis expires by its own wall clock: wait until `seconds` whole seconds have passed.
        elapse: async (seconds) => {
          const target = (Math.floor(Date.now() / 1000) + seconds) * 1000 + 20;
          await new Promise((resolve) => setTimeout(resolve, target - Date.now()));
        },
      };
    });

    it('stores the key under its prefix with the proof window as its expiry', async () => {
      const client = await connected();
      const cache = new RedisDpopReplayCache(client, 'test:dpop:');
      const expiresAt = Math.floor(Date.now() / 1000) + 61;
      expect(await cache.firstUse('abc', expiresAt)).toBe(true);
      expect(await client.get('test:dpop:abc')).toBe('1');
      expect(await client.expireTime('test:dpop:abc')).toBe(expiresAt);
    });

    it('rejects, so the caller fails closed, when Redis cannot be reached', async () => {
      const client = createClient({
        url: `redis://127.0.0.1:${await freePort()}`,
        socket: { reconnectStrategy: false },
      });
      client.on('error', () => undefined);
      await expect(client.connect()).rejects.toThrow();
      const cache = new RedisDpopReplayCache(client);
      await expect(cache.firstUse('abc', Math.floor(Date.now() / 1000) + 61)).rejects.toThrow();
    });
  },
);
