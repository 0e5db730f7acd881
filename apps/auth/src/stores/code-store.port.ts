import type { Scope } from '@app/contracts';

/** What an authorization code stands for; bound at issue, never changed. */
export interface AuthorizationGrant {
  clientId: string;
  redirectUri: string;
  scope: Scope;
  username: string;
  codeChallenge: string;
  /** Epoch seconds at which the code becomes worthless. */
  expiresAt: number;
  /**
   * Who asked for the code (the caller's address key): each owner may hold only so many
   * unredeemed codes at once, so that nobody can fill the store for everyone else.
   */
  owner: string;
  /** RFC 9449 10: the DPoP key thumbprint the code is bound to, when the request named one. */
  dpopJkt?: string;
}

export type SaveResult = 'saved' | 'quota_exceeded' | 'full';

export type ConsumeResult =
  | { status: 'redeemed'; grant: AuthorizationGrant }
  | { status: 'replayed'; grant: AuthorizationGrant; issuedJti: string }
  /**
   * The code was issued to another client: it is left untouched, neither consumed nor, when it
   * was used, a reason to revoke its token (else a client holding a stolen used code could
   * revoke another client's token).
   */
  | { status: 'other_client' }
  | { status: 'unknown' };

/**
 * Authorization codes. Implementations keep only a hash of each code. `consume` is one atomic
 * step (one Redis script, one `UPDATE ... RETURNING`): of any number of concurrent redemptions
 * of one code by its client exactly one is `redeemed`, and every other one is `replayed` with
 * the first one's jti. A used code is remembered for `keepUsedSeconds` (as long as the token it
 * gave can live), then forgotten: a later redemption is `unknown` and no live token is left to
 * revoke (RFC 6749 4.1.2 asks to revoke "when possible").
 */
export interface CodeStore {
  /**
   * Stores a new code unless its owner already holds `quotaPerOwner` unredeemed, unexpired
   * codes (`quota_exceeded`) or the store holds its capacity (`full`, an in-memory backstop).
   */
  save(code: string, grant: AuthorizationGrant, now: number): Promise<SaveResult>;
  /** Marks the code used by `clientId`, recording `jti`, as one atomic check-and-mark. */
  consume(code: string, clientId: string, jti: string, now: number): Promise<ConsumeResult>;
}

export interface CodeStoreLimits {
  /** Unredeemed codes one owner may hold at once. */
  quotaPerOwner: number;
  /** How long a used code is remembered, seconds: the token lifetime plus leeway, plus one. */
  keepUsedSeconds: number;
  /** Most codes held at once, whoever holds them; in memory only (Redis is bounded by its own memory). */
  capacity: number;
}

export const CODE_STORE = Symbol('CODE_STORE');
