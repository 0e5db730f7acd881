import type { AccessTokenClaims } from '@app/contracts';

/** What the registry knows of one token id. */
export interface TokenRecord {
  /** Set when a replica of this server issued the token: its SHA-256 (base64url) and claims. */
  issued?: { tokenHash: string; claims: AccessTokenClaims };
  /** True once the token was revoked (by its client, or by a code replay). */
  revoked: boolean;
}

/**
 * Access tokens by `jti`, shared by every replica: what was issued (so that introspecting a
 * token any replica signed needs no signature check, only a hash comparison) and what was
 * revoked (seen by every replica at once). Entries expire with their token; nothing here may be
 * evicted before then, or a revoked token would come alive again.
 */
export interface TokenRegistry {
  /** Records a token just signed; kept until `expiresAt` (epoch seconds). */
  record(tokenHash: string, claims: AccessTokenClaims, expiresAt: number): Promise<void>;
  /** Everything known of `jti`; `{ revoked: false }` when nothing is. */
  lookup(jti: string): Promise<TokenRecord>;
  /** Marks `jti` revoked until `expiresAt`, whether or not it was recorded as issued. */
  revoke(jti: string, expiresAt: number): Promise<void>;
}

export const TOKEN_REGISTRY = Symbol('TOKEN_REGISTRY');
