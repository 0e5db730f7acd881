import type { AccessTokenClaims } from '@app/contracts';

/**
 * Checks an access token's header, signature (under any key the JWKS lists), issuer and expiry;
 * undefined for any token that fails. Revocation is the token registry's business.
 */
export interface TokenVerifier {
  verify(token: string, now: number): Promise<AccessTokenClaims | undefined>;
}

export const TOKEN_VERIFIER = Symbol('TOKEN_VERIFIER');
