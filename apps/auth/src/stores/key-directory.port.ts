import type { PublicJwk } from '@app/contracts';

/**
 * The public signing keys of every replica. A replica publishes its key before it signs with
 * it and keeps re-publishing it while it signs; a key stays listed until `until`, which covers
 * the life of the last token it signed. Every replica's JWKS is this list.
 */
export interface KeyDirectory {
  /** Lists `jwk` (by its `kid`) until `until` (epoch seconds); publishing again moves `until`. */
  publish(jwk: PublicJwk, until: number): Promise<void>;
  /** Every key listed at `now`, in a stable order. */
  list(now: number): Promise<PublicJwk[]>;
}

export const KEY_DIRECTORY = Symbol('KEY_DIRECTORY');
