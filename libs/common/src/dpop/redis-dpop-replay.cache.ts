import type { DpopReplayCache } from './dpop-replay.port';

/**
 * The one node-redis (v5) client method this adapter uses, so that any client or cluster
 * connection offering it will do, and this file needs no runtime import of `redis`.
 */
export interface RedisSetNxClient {
  set(
    key: string,
    value: string,
    options: { condition: 'NX'; expiration: { type: 'EXAT'; value: number } },
  ): Promise<string | null>;
}

/**
 * A replay cache shared by every replica: `SET key 1 NX EXAT expiresAt` stores the key only if
 * it is absent, atomically in Redis, and lets Redis drop it when the window ends. A Redis that
 * cannot be reached makes `firstUse` reject, and the caller refuses the proof (fail closed).
 * @see https://redis.io/docs/latest/commands/set/
 */
export class RedisDpopReplayCache implements DpopReplayCache {
  private readonly redis: RedisSetNxClient;
  private readonly prefix: string;

  constructor(redis: RedisSetNxClient, prefix = 'dpop:jti:') {
    this.redis = redis;
    this.prefix = prefix;
  }

  async firstUse(key: string, expiresAt: number): Promise<boolean> {
    const answer = await this.redis.set(`${this.prefix}${key}`, '1', {
      condition: 'NX',
      // EXAT takes whole seconds; rounding up never forgets a key early.
      expiration: { type: 'EXAT', value: Math.ceil(expiresAt) },
    });
    return answer === 'OK';
  }
}
