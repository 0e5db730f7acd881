import type { PublicJwk } from '@app/contracts';
import { byKid } from '../jwk-order';
import type { KeyDirectory } from '../key-directory.port';
import type { StoreConnection as RedisConnection } from './store-scripts';
import { parseJwk } from './stored-json';

/**
 * Published keys in Redis: a sorted set of kids scored by `until` and a hash of kid to JWK
 * JSON. `publish` is one MULTI (`ZADD GT`, so a replica sharing the key never shortens it);
 * `list` is one Lua script that drops the keys past their `until` and returns the others.
 */
export class RedisKeyDirectory implements KeyDirectory {
  private readonly untilKey: string;
  private readonly jwkKey: string;

  constructor(private readonly redis: RedisConnection) {
    this.untilKey = redis.key('jwks', 'until');
    this.jwkKey = redis.key('jwks', 'jwk');
  }

  async publish(jwk: PublicJwk, until: number): Promise<void> {
    await this.redis.run('keys', (client) =>
      client
        .multi()
        .hSet(this.jwkKey, jwk.kid, JSON.stringify(jwk))
        .zAdd(this.untilKey, { score: until, value: jwk.kid }, { comparison: 'GT' })
        .exec(),
    );
  }

  list(now: number): Promise<PublicJwk[]> {
    return this.redis.run('keys', async (client) => {
      const reply = await client.listKeys(this.untilKey, this.jwkKey, now);
      if (!Array.isArray(reply)) throw new TypeError('unexpected reply to listKeys');
      return reply
        .filter((json): json is string => typeof json === 'string')
        .map(parseJwk)
        .sort(byKid);
    });
  }
}
