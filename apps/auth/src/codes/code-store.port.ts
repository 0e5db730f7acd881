import type { TimeScope } from '@app/contracts';

/** What an authorization code stands for; bound at issue, never changed. */
export interface AuthorizationGrant {
  clientId: string;
  redirectUri: string;
  scope: TimeScope;
  username: string;
  codeChallenge: string;
  /** Epoch seconds after which the code is worthless. */
  expiresAt: number;
}

export type ConsumeResult =
  | { status: 'redeemed'; grant: AuthorizationGrant }
  | { status: 'replayed'; grant: AuthorizationGrant; issuedJti: string }
  | { status: 'unknown' };

/**
 * Authorization codes. Implementations keep only a hash of each code, and `consume` must be
 * atomic: of two concurrent redemptions exactly one is `redeemed`. A used code may be forgotten
 * once the token it gave has expired: a later redemption then fails as unknown, and no live token
 * of it is left to revoke (RFC 6749 4.1.2 asks to revoke "when possible").
 */
export interface CodeStore {
  /** Stores a new code; false when the store is full (then no code is issued). */
  save(code: string, grant: AuthorizationGrant): Promise<boolean>;
  /** The grant behind an unexpired code, used or not, without consuming it. */
  peek(code: string, now: number): Promise<AuthorizationGrant | undefined>;
  /**
   * Marks the code used and records the token id issued for it, as one atomic check-and-mark.
   * A shared store does both in a single operation, such as a Redis Lua script or `UPDATE codes
   * SET issued_jti = $2 WHERE hash = $1 AND issued_jti IS NULL RETURNING grant` (no row updated
   * means unknown or replayed, and the jti once recorded never changes, so reading it is safe).
   */
  consume(code: string, jti: string, now: number): Promise<ConsumeResult>;
}

export const CODE_STORE = Symbol('CODE_STORE');
