/** Token ids revoked before their expiry; an entry may be forgotten once the token expired. */
export interface RevocationStore {
  revoke(jti: string, expiresAt: number): Promise<void>;
  isRevoked(jti: string): Promise<boolean>;
}

export const REVOCATION_STORE = Symbol('REVOCATION_STORE');
