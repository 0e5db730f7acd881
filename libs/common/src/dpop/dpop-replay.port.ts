import { InvalidDpopProofError } from './dpop.errors';
import type { VerifiedDpopProof } from './dpop-proof.verifier';

/**
 * Remembers the proofs already used, so that each is accepted once (RFC 9449 11.1). `firstUse`
 * answers true the first time a key is seen before `expiresAt` (epoch seconds; the key is
 * remembered while now < expiresAt) and false on every later call in that window; a key whose
 * `expiresAt` has passed is not remembered and answers true. It is atomic: of concurrent calls
 * with one key, exactly one gets true. When it cannot record a key (full, or its store is down)
 * it throws, and the caller refuses the proof: failing open would let that proof be replayed.
 * @see https://www.rfc-editor.org/rfc/rfc9449#section-11.1
 */
export interface DpopReplayCache {
  firstUse(key: string, expiresAt: number): Promise<boolean>;
}

export const DPOP_REPLAY_CACHE = Symbol('DPOP_REPLAY_CACHE');

/**
 * Refuses a verified proof that was used before; the second half of RFC 9449 4.3 step 11.
 * @see https://www.rfc-editor.org/rfc/rfc9449#section-11.1
 */
export async function rejectDpopReplay(
  cache: DpopReplayCache,
  proof: Pick<VerifiedDpopProof, 'replayKey' | 'expiresAt' | 'jkt'>,
): Promise<void> {
  if (!(await cache.firstUse(proof.replayKey, proof.expiresAt))) {
    throw new InvalidDpopProofError(
      'the DPoP proof has been used before',
      `jti replayed for key ${proof.jkt}`,
    );
  }
}
