import type { PublicJwk } from '@app/contracts';

/**
 * The public signing keys of every replica. A replica publishes its key before it signs with
 * it and keeps re-publishing it while it signs; a key stays listed until `until`, which covers
 * the life of the last token it signed. Every replica's JWKS is this list.
 */
export interface KeyDirectory {
  /**
   * Lists `jwk` (by its `kid`) through `until` (epoch seconds). Publishing again moves `until`
   * later, never earlier: replicas that share one signing key each publish it with their own.
   */
  publish(jwk: PublicJwk, until: number): Promise<void>;
  /** Every key whose `until` is `now` or later, in a stable order (by `kid`). */
  list(now: number): Promise<PublicJwk[]>;
}

export const KEY_DIRECTORY = Symbol('KEY_DIRECTORY');
