import { type Clock, SystemClock } from '@app/common';
import type { PublicJwk } from '@app/contracts';
import { byKid } from '../jwk-order';
import type { KeyDirectory } from '../key-directory.port';
import type { StoreConnection as RedisConnection } from './store-scripts';
import { parseJwk } from './stored-json';

/**
 * Published keys in Redis: a sorted set of kids scored by `until` and a hash of kid to JWK
 * JSON. `publish` is one MULTI (`ZADD GT`, so a replica sharing the key never shortens it);
 * `list` is one Lua script that drops the keys past their `until` and returns the others.
 *
 * What this process published is written again each time its connection becomes ready: a Redis
 * that restarted empty (no persistence) or failed over to a replica that missed the last writes
 * has lost the keys, and the signing keys' heartbeat would list them again only seconds later,
 * while tokens signed meanwhile would not verify at a JWKS-mode resource server. node-redis emits
 * `ready` synchronously once the connection is usable, so this write is queued before any command
 * sent after the reconnect, and Redis runs one connection's commands in order.
 */
export class RedisKeyDirectory implements KeyDirectory {
  private readonly untilKey: string;
  private readonly jwkKey: string;
  /** This process's publications by kid, with the latest `until` each was given. */
  private readonly published = new Map<string, { jwk: PublicJwk; until: number }>();

  constructor(
    private readonly redis: RedisConnection,
    private readonly clock: Clock = new SystemClock(),
  ) {
    this.untilKey = redis.key('jwks', 'until');
    this.jwkKey = redis.key('jwks', 'jwk');
    redis.client.on('ready', () => this.republish());
  }

  async publish(jwk: PublicJwk, until: number): Promise<void> {
    const known = this.published.get(jwk.kid);
    this.published.set(jwk.kid, { jwk, until: Math.max(until, known?.until ?? until) });
    await this.write(jwk, until);
  }

  /** Writes every publication still in force again; one that fails waits for the heartbeat. */
  private republish(): void {
    const now = this.clock.nowSeconds();
    for (const [kid, { jwk, until }] of this.published) {
      if (until < now) this.published.delete(kid);
      else this.write(jwk, until).catch(() => undefined);
    }
  }

  private async write(jwk: PublicJwk, until: number): Promise<void> {
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
