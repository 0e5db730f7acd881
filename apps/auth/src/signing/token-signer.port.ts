import type { AccessTokenClaims, PublicJwk } from '@app/contracts';

/** Signs access tokens (RFC 9068 JWTs) with the current key. */
export interface TokenSigner {
  sign(claims: AccessTokenClaims): string;
  /** The public keys that verify every token still alive. */
  publicJwks(): PublicJwk[];
}

/** Checks an access token's header, signature and expiry; undefined for any token that fails. */
export interface TokenVerifier {
  verify(token: string, now: number): AccessTokenClaims | undefined;
}

export const TOKEN_SIGNER = Symbol('TOKEN_SIGNER');
export const TOKEN_VERIFIER = Symbol('TOKEN_VERIFIER');
