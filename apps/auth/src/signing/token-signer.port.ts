import type { AccessTokenClaims } from '@app/contracts';

/** Signs access tokens (RFC 9068 JWTs) with the current key. */
export interface TokenSigner {
  /** Throws StoreUnavailableError while the current key is not yet published. */
  sign(claims: AccessTokenClaims): string;
}

export const TOKEN_SIGNER = Symbol('TOKEN_SIGNER');
