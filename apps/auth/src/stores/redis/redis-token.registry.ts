import type { Clock } from '@app/common';
import type { AccessTokenClaims } from '@app/contracts';
import type { TokenRecord, TokenRegistry } from '../token-registry.port';
import type { StoreConnection as RedisConnection } from './store-scripts';
import { parseClaims } from './stored-json';

/**
 * Issued and revoked tokens in Redis, one hash per jti (`hash`, `claims`, `revoked`) that
 * expires with its token. Each write sets the TTL with `EXPIRE NX` then `EXPIRE GT` in one
 * MULTI: a new key gets it, an existing key only ever gets a later one, so a revocation never
 * shortens an entry and an entry never lives without a TTL.
 */
export class RedisTokenRegistry implements TokenRegistry {
  constructor(
    private readonly redis: RedisConnection,
    private readonly clock: Clock,
  ) {}

  async record(tokenHash: string, claims: AccessTokenClaims, expiresAt: number): Promise<void> {
    await this.write(claims.jti, expiresAt, { hash: tokenHash, claims: JSON.stringify(claims) });
  }

  lookup(jti: string): Promise<TokenRecord> {
    return this.redis.run('tokens', async (client) => {
      const [hash, claims, revoked] = await client.hmGet(this.redis.key('token', jti), [
        'hash',
        'claims',
        'revoked',
      ]);
      const record: TokenRecord = { revoked: revoked === '1' };
      if (typeof hash === 'string' && typeof claims === 'string') {
        record.issued = { tokenHash: hash, claims: parseClaims(claims) };
      }
      return record;
    });
  }

  async revoke(jti: string, expiresAt: number): Promise<void> {
    await this.write(jti, expiresAt, { revoked: '1' });
  }

  private write(jti: string, expiresAt: number, fields: Record<string, string>): Promise<unknown> {
    const key = this.redis.key('token', jti);
    // Kept through the second expiresAt names, as in memory.
    const ttl = Math.max(1, expiresAt - this.clock.nowSeconds() + 1);
    return this.redis.run('tokens', (client) =>
      client.multi().hSet(key, fields).expire(key, ttl, 'NX').expire(key, ttl, 'GT').exec(),
    );
  }
}
