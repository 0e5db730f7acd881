import type { AccessTokenClaims } from '@app/contracts';

/**
 * The tokens this process signed, until they expire: a token found here was made by us, byte for
 * byte, so introspecting it needs no signature check (the costliest step of introspection). Any
 * other token, from another replica or forged, is simply not found and is verified in full.
 * Expired entries are dropped as new tokens come in, so the map holds one token lifetime's worth.
 */
export class IssuedTokenCache {
  private readonly tokens = new Map<string, AccessTokenClaims>();
  private purgedAt = 0;

  constructor(private readonly leewaySeconds: number) {}

  remember(token: string, claims: AccessTokenClaims): void {
    this.purge(claims.iat);
    this.tokens.set(token, claims);
  }

  /** The claims of a token we signed that is still alive at `now`; undefined otherwise. */
  recall(token: string, now: number): AccessTokenClaims | undefined {
    const claims = this.tokens.get(token);
    return claims !== undefined && now < claims.exp + this.leewaySeconds ? claims : undefined;
  }

  get size(): number {
    return this.tokens.size;
  }

  private purge(now: number): void {
    if (now - this.purgedAt < 1) return;
    this.purgedAt = now;
    for (const [token, claims] of this.tokens) {
      if (now >= claims.exp + this.leewaySeconds) this.tokens.delete(token);
    }
  }
}
