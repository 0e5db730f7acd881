import type { Provider } from '@nestjs/common';
import {
  CLOCK,
  type Clock,
  DPOP_REPLAY_CACHE,
  InMemoryDpopReplayCache,
  REQUEST_OUTCOME,
  type RequestOutcome,
} from '@app/common';
import type { AuthConfig } from '../auth.config';
import { CODE_STORE, type CodeStoreLimits } from './code-store.port';
import { FAILURE_COUNTER, type FailureCounterLimits } from './failure-counter.port';
import { KEY_DIRECTORY } from './key-directory.port';
import { InMemoryCodeStore } from './memory/in-memory-code.store';
import { InMemoryFailureCounter } from './memory/in-memory-failure.counter';
import { InMemoryKeyDirectory } from './memory/in-memory-key.directory';
import { InMemoryTokenRegistry } from './memory/in-memory-token.registry';
import type { StoreConnection } from './redis/store-scripts';
import { STORE_HEALTH, type StoreHealth } from './store-health.port';
import { TOKEN_REGISTRY } from './token-registry.port';

/** The code store's limits, from the settings. */
export function codeStoreLimits(config: AuthConfig): CodeStoreLimits {
  return {
    quotaPerOwner: config.codeQuotaPerAddress,
    // As long as the token a used code gave can pass a check.
    keepUsedSeconds: config.tokenAcceptanceSeconds(),
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
 * replica. A new adapter is a set of classes behind the same ports and a branch here. The Redis
 * adapters are loaded only when they are used: node-redis alone is some 580 modules, which an
 * in-memory server would carry for nothing.
 */
export function storeProviders(config: AuthConfig): Provider[] {
  return config.redisUrl === undefined
    ? memoryStores(config)
    : redisStores(config, config.redisUrl);
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
      useFactory: async (outcome: RequestOutcome) => {
        const [{ RedisConnection }, { STORE_SCRIPTS }] = await Promise.all([
          import('@app/common/redis'),
          import('./redis/store-scripts'),
        ]);
        return RedisConnection.open(
          {
            url,
            keyPrefix: config.redisKeyPrefix,
            commandTimeoutMs: config.redisTimeoutMs,
            scripts: STORE_SCRIPTS,
          },
          outcome,
        );
      },
    },
    {
      provide: CODE_STORE,
      inject: [REDIS],
      useFactory: async (redis: StoreConnection) => {
        const { RedisCodeStore } = await import('./redis/redis-code.store');
        return new RedisCodeStore(redis, codeStoreLimits(config));
      },
    },
    {
      provide: TOKEN_REGISTRY,
      inject: [REDIS, CLOCK],
      useFactory: async (redis: StoreConnection, clock: Clock) => {
        const { RedisTokenRegistry } = await import('./redis/redis-token.registry');
        return new RedisTokenRegistry(redis, clock);
      },
    },
    {
      provide: KEY_DIRECTORY,
      inject: [REDIS],
      useFactory: async (redis: StoreConnection) => {
        const { RedisKeyDirectory } = await import('./redis/redis-key.directory');
        return new RedisKeyDirectory(redis);
      },
    },
    {
      provide: FAILURE_COUNTER,
      inject: [REDIS],
      useFactory: async (redis: StoreConnection) => {
        const { RedisFailureCounter } = await import('./redis/redis-failure.counter');
        return new RedisFailureCounter(redis, failureLimits(config), 'client-auth');
      },
    },
    {
      provide: DPOP_REPLAY_CACHE,
      inject: [REDIS],
      useFactory: (redis: StoreConnection) => redis.dpopReplayCache(),
    },
    { provide: STORE_HEALTH, useExisting: REDIS },
  ];
}
