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
 * atomic: of two concurrent redemptions exactly one is `redeemed`.
 */
export interface CodeStore {
  save(code: string, grant: AuthorizationGrant): void;
  /** The grant behind an unexpired code, used or not, without consuming it. */
  peek(code: string, now: number): AuthorizationGrant | undefined;
  /** Marks the code used and records the token id issued for it. */
  consume(code: string, jti: string, now: number): ConsumeResult;
}

export const CODE_STORE = Symbol('CODE_STORE');
