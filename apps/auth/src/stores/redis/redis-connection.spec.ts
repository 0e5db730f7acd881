import { setTimeout as sleep } from 'node:timers/promises';
import { RecordedOutcome } from '../../../../../libs/common/test/doubles';
import { closedPort } from '../../../../../libs/common/test/local-server';
import {
  describeWithRedis,
  type RedisTestServer,
} from '../../../../../libs/common/test/redis-server';
import type { AuthorizationGrant } from '../code-store.port';
import { CONTRACT_LIMITS } from '../code-store.contract';
import { StoreUnavailableError } from '@app/common';
import { RedisCodeStore } from './redis-code.store';
import { RedisConnection, type RedisConnectionOptions } from '@app/common/redis';
import { STORE_SCRIPTS, type StoreConnection } from './store-scripts';
import { nowSeconds } from './redis-connections.fixture';
import { RedisFailureCounter } from './redis-failure.counter';
import { RedisTokenRegistry } from './redis-token.registry';

const TIMEOUT_MS = 200;

/** What `promise` rejects with and how long it took to; fails when it resolves. */
async function timedRejection(promise: Promise<unknown>): Promise<{ err: unknown; ms: number }> {
  const start = performance.now();
  try {
    await promise;
  } catch (err) {
    return { err, ms: performance.now() - start };
  }
  throw new Error('expected a rejection, but the promise resolved');
}

/** Polls `probe` until it is true, for at most `ms`. */
async function eventually(probe: () => Promise<boolean>, ms: number): Promise<number> {
  const start = performance.now();
  while (performance.now() - start < ms) {
    if (await probe()) return performance.now() - start;
    await sleep(25);
  }
  throw new Error(`not true within ${ms} ms`);
}

describeWithRedis(
  'RedisConnection',
  (redis) => {
    let server: RedisTestServer;
    let connection: StoreConnection;
    let log: RecordedOutcome;
    let grant: AuthorizationGrant;

    function options(overrides: Partial<RedisConnectionOptions> = {}) {
      return {
        scripts: STORE_SCRIPTS,
        url: redis.url,
        keyPrefix: redis.freshPrefix(),
        commandTimeoutMs: TIMEOUT_MS,
        maxReconnectDelayMs: 200,
        ...overrides,
      };
    }

    beforeEach(async () => {
      if (redis.server === undefined) throw new Error('these specs need the harness server');
      server = redis.server;
      await server.restart();
      log = new RecordedOutcome();
      connection = await RedisConnection.open(options(), log);
      grant = {
        clientId: '1234',
        redirectUri: 'http://localhost:5003/callback',
        scope: 'current_time',
        username: 'alice',
        codeChallenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
        expiresAt: nowSeconds() + 60,
        owner: 'address:192.0.2.1',
      };
    });

    afterEach(async () => {
      server.resume();
      await connection.close();
    });

    it('answers ping while Redis answers', async () => {
      expect(await connection.ping()).toBe(true);
      expect(connection.isReady).toBe(true);
      expect(log.events).toEqual([
        { kind: 'record', event: 'store_ready', fields: { store: 'redis' } },
      ]);
    });

    it('puts the prefix before every key', () => {
      expect(connection.key('code', 'abc')).toMatch(/^t\d+-[a-z0-9]+:\d+:code:abc$/);
    });

    it('maps an error reply to StoreUnavailableError, keeping it as the cause', async () => {
      const err = await timedRejection(
        connection.run('codes', (client) => client.sendCommand(['NO-SUCH-COMMAND'])),
      );
      expect(err.err).toBeInstanceOf(StoreUnavailableError);
      expect(err.err).toMatchObject({ store: 'codes' });
      expect((err.err as StoreUnavailableError).detail).toMatch(
        /^Error: ERR unknown command 'NO-SUCH-COMMAND'/,
      );
      expect((err.err as Error).cause).toBeInstanceOf(Error);
    });

    it('rejects at once while Redis is down, and works again after a restart, same client', async () => {
      const codes = new RedisCodeStore(connection, CONTRACT_LIMITS);
      expect(await codes.save('before', grant, nowSeconds())).toBe('saved');
      await server.stop();

      const down = await timedRejection(codes.save('during', grant, nowSeconds()));
      expect(down.err).toBeInstanceOf(StoreUnavailableError);
      expect(down.err).toMatchObject({ name: 'StoreUnavailableError', store: 'codes' });
      expect(down.ms).toBeLessThan(TIMEOUT_MS);
      const registry = new RedisTokenRegistry(connection, { nowSeconds });
      expect((await timedRejection(registry.lookup('jti-1'))).err).toBeInstanceOf(
        StoreUnavailableError,
      );
      expect(await connection.ping()).toBe(false);

      await server.restart();
      await eventually(() => connection.ping(), 3_000);
      // A new, empty server: its script cache is empty too, so this also runs the NOSCRIPT path.
      expect(await codes.save('after', grant, nowSeconds())).toBe('saved');
      expect(await codes.consume('after', '1234', 'jti-1', nowSeconds())).toStrictEqual({
        status: 'redeemed',
        grant,
      });
      // One warning for the outage, one ready before and one after it.
      expect(log.events.map((e) => `${e.kind} ${e.event}`)).toEqual([
        'record store_ready',
        'warn store_unavailable',
        'record store_ready',
      ]);
    });

    it('gives up on a hung Redis after the command timeout, and recovers when it answers', async () => {
      const codes = new RedisCodeStore(connection, CONTRACT_LIMITS);
      server.pause();
      const hung = await timedRejection(codes.consume('code-1', '1234', 'jti-1', nowSeconds()));
      expect(hung.err).toBeInstanceOf(StoreUnavailableError);
      expect(hung.err).toMatchObject({ store: 'codes', detail: `no answer in ${TIMEOUT_MS} ms` });
      expect(hung.ms).toBeGreaterThanOrEqual(TIMEOUT_MS - 5);
      expect(hung.ms).toBeLessThan(TIMEOUT_MS + 150);
      expect(await connection.ping()).toBe(false);

      server.resume();
      await eventually(() => connection.ping(), 3_000);
      expect(await codes.save('code-1', grant, nowSeconds())).toBe('saved');
    });

    it('counts failures in memory while Redis is down, without failing the caller', async () => {
      const counter = new RedisFailureCounter(connection, { limit: 2, windowSeconds: 60 }, 'auth');
      await server.stop();
      await counter.record('client:1234');
      await counter.record('client:1234');
      expect(await counter.blockedFor('client:1234')).toBe(60);
      expect(await counter.blockedFor('client:5678')).toBe(0);
    });

    it('counts failures in memory while Redis hangs, within the command timeout', async () => {
      const counter = new RedisFailureCounter(connection, { limit: 1, windowSeconds: 60 }, 'auth');
      server.pause();
      const start = performance.now();
      await counter.record('client:1234');
      expect(await counter.blockedFor('client:1234')).toBe(60);
      expect(performance.now() - start).toBeLessThan(2 * TIMEOUT_MS + 150);
    });

    it('starts while Redis is down, rejecting commands until it can connect', async () => {
      const port = await closedPort();
      const startLog = new RecordedOutcome();
      const start = performance.now();
      const offline = await RedisConnection.open(
        options({ url: `redis://127.0.0.1:${port}`, connectTimeoutMs: 300 }),
        startLog,
      );
      try {
        expect(performance.now() - start).toBeLessThan(1_000);
        expect(offline.isReady).toBe(false);
        const down = await timedRejection(offline.run('codes', (client) => client.ping()));
        expect(down.err).toBeInstanceOf(StoreUnavailableError);
        expect(down.ms).toBeLessThan(50);
        expect(await offline.ping()).toBe(false);
        expect(startLog.events).toEqual([
          {
            kind: 'warn',
            event: 'store_unavailable',
            fields: { store: 'redis', reason: expect.any(String) },
          },
        ]);
      } finally {
        await offline.close();
      }
    });

    it('closes while Redis hangs, within the command timeout', async () => {
      server.pause();
      void connection.run('codes', (client) => client.ping()).catch(() => undefined);
      const start = performance.now();
      await connection.close();
      expect(performance.now() - start).toBeLessThan(TIMEOUT_MS + 100);
      expect(connection.isReady).toBe(false);
    });
  },
  { ownServer: true },
);
