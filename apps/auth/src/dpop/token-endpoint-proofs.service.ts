import { Inject, Injectable } from '@nestjs/common';
import {
  CLOCK,
  type Clock,
  DPOP_REPLAY_CACHE,
  type DpopReplayCache,
  type DpopSigningAlg,
  InvalidDpopProofError,
  rejectDpopReplay,
  verifyDpopProof,
} from '@app/common';
import { AuthConfig } from '../auth.config';
import type { RegisteredClient } from '../clients/client-store.port';
import { ENDPOINT_PATHS } from '../metadata/metadata';

/**
 * DPoP at the token endpoint: a request with a valid proof gets a token bound to the proof's key
 * (its thumbprint goes into `cnf.jkt`), one without gets a Bearer token, unless its client is
 * registered as requiring DPoP. A proof is accepted once. The URL a proof must name is the token
 * endpoint as the metadata publishes it, not one built from the request's Host header.
 * @see https://www.rfc-editor.org/rfc/rfc9449#section-5
 */
@Injectable()
export class TokenEndpointProofs {
  private readonly url: string;
  private readonly algorithms: readonly DpopSigningAlg[];

  constructor(
    @Inject(DPOP_REPLAY_CACHE) private readonly replays: DpopReplayCache,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly config: AuthConfig,
  ) {
    this.url = `${config.issuer}${ENDPOINT_PATHS.token}`;
    this.algorithms = config.dpopAlgorithms;
  }

  /** The thumbprint to bind the new token to; undefined for a request without a proof. */
  async keyOf(
    proof: string | string[] | undefined,
    client: RegisteredClient,
  ): Promise<string | undefined> {
    if (proof === undefined) {
      if (!client.requiresDpop) return undefined;
      throw new InvalidDpopProofError('this client must send a DPoP proof', 'no DPoP header');
    }
    // RFC 9449 4.3 step 1: exactly one DPoP header.
    if (Array.isArray(proof)) {
      throw new InvalidDpopProofError('send exactly one DPoP header', 'several DPoP headers');
    }
    const verified = verifyDpopProof(proof, {
      method: 'POST',
      url: this.url,
      nowSeconds: this.clock.nowSeconds(),
      algorithms: this.algorithms,
      maxAgeSeconds: this.config.dpopProofMaxAgeSeconds,
    });
    await rejectDpopReplay(this.replays, verified);
    return verified.jkt;
  }
}
