import type { Provider } from '@nestjs/common';
import {
  CLOCK,
  type Clock,
  DPOP_REPLAY_CACHE,
  InMemoryDpopReplayCache,
  REQUEST_OUTCOME,
  RedisDpopReplayCache,
  type RequestOutcome,
} from '@app/common';
import { RedisConnection } from '@app/common/redis';
import type { AuthConfig } from '../auth.config';
import { CODE_STORE, type CodeStoreLimits } from './code-store.port';
import { FAILURE_COUNTER, type FailureCounterLimits } from './failure-counter.port';
import { KEY_DIRECTORY } from './key-directory.port';
import { InMemoryCodeStore } from './memory/in-memory-code.store';
import { InMemoryFailureCounter } from './memory/in-memory-failure.counter';
import { InMemoryKeyDirectory } from './memory/in-memory-key.directory';
import { InMemoryTokenRegistry } from './memory/in-memory-token.registry';
import { RedisCodeStore } from './redis/redis-code.store';
import { RedisFailureCounter } from './redis/redis-failure.counter';
import { RedisKeyDirectory } from './redis/redis-key.directory';
import { RedisTokenRegistry } from './redis/redis-token.registry';
import { STORE_SCRIPTS, type StoreConnection } from './redis/store-scripts';
import { STORE_HEALTH, type StoreHealth } from './store-health.port';
import { TOKEN_REGISTRY } from './token-registry.port';

/** The code store's limits, from the settings. */
export function codeStoreLimits(config: AuthConfig): CodeStoreLimits {
  return {
    quotaPerOwner: config.codeQuotaPerAddress,
    // The token of a used code lives ACCESS_TOKEN_TTL (+ leeway); one second of margin.
    keepUsedSeconds: config.accessTokenTtl + config.clockLeeway + 1,
    capacity: config.maxCodes,
  };
}

export function failureLimits(config: AuthConfig): FailureCounterLimits {
  return { limit: config.authFailureLimit, windowSeconds: config.authFailureWindowSeconds };
}

const REDIS = Symbol('REDIS');
const ALWAYS_UP: StoreHealth = { ping: () => Promise.resolve(true) };

/**
 * The stores behind the authorization server's ports: in memory (the embedded default, one
 * replica) or, with REDIS_URL, in Redis, on the process's one connection, shared by every
 * replica. A new adapter is a set of classes behind the same ports and a branch here.
 */
export function storeProviders(config: AuthConfig): Provider[] {
  return config.redisUrl === undefined ? memoryStores(config) : redisStores(config, config.redisUrl);
}

function memoryStores(config: AuthConfig): Provider[] {
  return [
    {
      provide: CODE_STORE,
      inject: [CLOCK],
      useFactory: (clock: Clock) => new InMemoryCodeStore(codeStoreLimits(config), clock),
    },
    {
      provide: TOKEN_REGISTRY,
      inject: [CLOCK],
      useFactory: (clock: Clock) => new InMemoryTokenRegistry(clock),
    },
    { provide: KEY_DIRECTORY, useValue: new InMemoryKeyDirectory() },
    { provide: FAILURE_COUNTER, useValue: new InMemoryFailureCounter(failureLimits(config)) },
    {
      provide: DPOP_REPLAY_CACHE,
      inject: [CLOCK],
      useFactory: (clock: Clock) => new InMemoryDpopReplayCache(clock),
    },
    { provide: STORE_HEALTH, useValue: ALWAYS_UP },
  ];
}

function redisStores(config: AuthConfig, url: string): Provider[] {
  return [
    {
      provide: REDIS,
      inject: [REQUEST_OUTCOME],
      useFactory: (outcome: RequestOutcome) =>
        RedisConnection.open(
          {
            url,
            keyPrefix: config.redisKeyPrefix,
            commandTimeoutMs: config.redisTimeoutMs,
            scripts: STORE_SCRIPTS,
          },
          outcome,
        ),
    },
    {
      provide: CODE_STORE,
      inject: [REDIS],
      useFactory: (redis: StoreConnection) => new RedisCodeStore(redis, codeStoreLimits(config)),
    },
    {
      provide: TOKEN_REGISTRY,
      inject: [REDIS, CLOCK],
      useFactory: (redis: StoreConnection, clock: Clock) => new RedisTokenRegistry(redis, clock),
    },
    {
      provide: KEY_DIRECTORY,
      inject: [REDIS],
      useFactory: (redis: StoreConnection) => new RedisKeyDirectory(redis),
    },
    {
      provide: FAILURE_COUNTER,
      inject: [REDIS],
      useFactory: (redis: StoreConnection) =>
        new RedisFailureCounter(redis, failureLimits(config), 'client-auth'),
    },
    {
      provide: DPOP_REPLAY_CACHE,
      inject: [REDIS],
      useFactory: (redis: StoreConnection) =>
        new RedisDpopReplayCache(
          { set: (key, value, options) => redis.run('dpop', (client) => client.set(key, value, options)) },
          redis.key('dpop', ''),
        ),
    },
    { provide: STORE_HEALTH, useExisting: REDIS },
  ];
}
