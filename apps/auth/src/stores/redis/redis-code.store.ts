import type {
  AuthorizationGrant,
  CodeStore,
  CodeStoreLimits,
  ConsumeResult,
  SaveResult,
} from '../code-store.port';
import { hashOf } from '../code-hash';
import type { StoreConnection as RedisConnection } from './store-scripts';
import { parseGrant } from './stored-json';

/**
 * Codes in Redis, shared by every replica: a hash per code under the SHA-256 of the code, and a
 * sorted set per owner of its unredeemed codes scored by expiry. `save` and `consume` are each
 * one Lua script (see store-scripts.ts), so quota checks and redemptions are atomic across
 * replicas. Keys expire by TTL; every decision compares the caller's `now`, as in memory.
 * `limits.capacity` does not apply: Redis is bounded by its own memory.
 */
export class RedisCodeStore implements CodeStore {
  constructor(
    private readonly redis: RedisConnection,
    private readonly limits: CodeStoreLimits,
  ) {}

  save(code: string, grant: AuthorizationGrant, now: number): Promise<SaveResult> {
    return this.redis.run('codes', async (client) => {
      const reply = await client.saveCode(
        this.redis.key('code', hashOf(code)),
        this.redis.key('owner', grant.owner),
        {
          now,
          expiresAt: grant.expiresAt,
          quota: this.limits.quotaPerOwner,
          clientId: grant.clientId,
          grant: JSON.stringify(grant),
        },
      );
      if (reply === 'saved' || reply === 'quota_exceeded') return reply;
      throw new TypeError('unexpected reply to saveCode');
    });
  }

  consume(code: string, clientId: string, jti: string, now: number): Promise<ConsumeResult> {
    return this.redis.run('codes', async (client) => {
      const reply = await client.consumeCode(this.redis.key('code', hashOf(code)), {
        clientId,
        jti,
        now,
        keepUsedSeconds: this.limits.keepUsedSeconds,
      });
      return toConsumeResult(reply);
    });
  }
}

function toConsumeResult(reply: string | Array<string | null>): ConsumeResult {
  if (Array.isArray(reply)) {
    const [status, grant, issuedJti] = reply;
    if (status === 'redeemed' && typeof grant === 'string') {
      return { status, grant: parseGrant(grant) };
    }
    if (status === 'replayed' && typeof grant === 'string' && typeof issuedJti === 'string') {
      return { status, grant: parseGrant(grant), issuedJti };
    }
    if (status === 'other_client' || status === 'unknown') return { status };
  }
  throw new TypeError('unexpected reply to consumeCode');
}
