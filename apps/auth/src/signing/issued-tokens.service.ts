import { Inject, Injectable } from '@nestjs/common';
import { CLOCK, type Clock } from '@app/common';
import { type AccessTokenClaims, LIMITS } from '@app/contracts';
import { AuthConfig } from '../auth.config';
import { hashOf } from '../stores/code-hash';
import { TOKEN_REGISTRY, type TokenRegistry } from '../stores/token-registry.port';
import { TOKEN_VERIFIER, type TokenVerifier } from './token-verifier.port';

/** A genuine, unexpired token of this server, as introspection and revocation judge it. */
export interface FoundToken {
  claims: AccessTokenClaims;
  revoked: boolean;
}

/**
 * The access tokens this server issued, across replicas: each is recorded in the token registry
 * under its jti with its hash, so that looking one up later needs a hash comparison instead of a
 * signature check, on any replica; any other token (of unknown origin, or issued before the
 * store was emptied) is verified in full. Revocations are seen by every replica at once.
 */
@Injectable()
export class IssuedTokens {
  constructor(
    @Inject(TOKEN_REGISTRY) private readonly registry: TokenRegistry,
    @Inject(TOKEN_VERIFIER) private readonly verifier: TokenVerifier,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly config: AuthConfig,
  ) {}

  /** Records a token just signed, until it can no longer be accepted. */
  async record(token: string, claims: AccessTokenClaims): Promise<void> {
    await this.registry.record(hashOf(token), claims, this.lastAcceptedAt(claims));
  }

  /** The token's claims and whether it is revoked; undefined for anything not a live token of ours. */
  async find(token: string): Promise<FoundToken | undefined> {
    if (token.length > LIMITS.accessToken) return undefined;
    const jti = jtiOf(token);
    if (jti === undefined) return undefined;
    const now = this.clock.nowSeconds();
    const record = await this.registry.lookup(jti);
    const issued = record.issued;
    const claims =
      issued !== undefined && issued.tokenHash === hashOf(token)
        ? issued.claims
        : await this.verifier.verify(token, now);
    if (claims === undefined || claims.jti !== jti) return undefined;
    if (now >= claims.exp + this.config.clockLeeway) return undefined;
    return { claims, revoked: record.revoked };
  }

  async revoke(claims: AccessTokenClaims): Promise<void> {
    await this.registry.revoke(claims.jti, this.lastAcceptedAt(claims));
  }

  /** One second past the last moment the token passes a check with the configured leeway. */
  private lastAcceptedAt(claims: AccessTokenClaims): number {
    return claims.exp + this.config.clockLeeway + 1;
  }
}

/** The `jti` a compact JWS claims to have; trusted only once the token is found genuine. */
function jtiOf(token: string): string | undefined {
  const first = token.indexOf('.');
  const second = token.indexOf('.', first + 1);
  if (first <= 0 || second <= first) return undefined;
  try {
    const payload: unknown = JSON.parse(
      Buffer.from(token.slice(first + 1, second), 'base64url').toString('utf8'),
    );
    const jti = (payload as { jti?: unknown } | null)?.jti;
    return typeof jti === 'string' && jti.length > 0 && jti.length <= LIMITS.jti ? jti : undefined;
  } catch {
    return undefined;
  }
}
