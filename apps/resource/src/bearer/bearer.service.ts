import { Inject, Injectable } from '@nestjs/common';
import {
  CLOCK,
  type Clock,
  DPOP_REPLAY_CACHE,
  type DpopReplayCache,
  InvalidDpopProofError,
  REQUEST_OUTCOME,
  type RequestOutcome,
  rejectDpopReplay,
  verifyDpopProof,
} from '@app/common';
import type { Scope } from '@app/contracts';
import { InsufficientScopeError, InvalidTokenError } from '../errors/resource.errors';
import { ResourceConfig } from '../resource.config';
import {
  ACCESS_TOKEN_VERIFIER,
  type AccessRequest,
  type AccessTokenVerifier,
  type VerifiedToken,
} from './access-token-verifier.port';
import type { Credential } from './credential';

/** Who called, once the token let them in. */
export interface Principal {
  user: string;
  clientId: string;
}

/**
 * Decides whether an access token opens an endpoint: genuine and alive (the verifier), for this
 * server (`aud`), from an accepted client, naming a user, held by whoever it is bound to (a
 * DPoP-bound token only with a valid proof of its key), and holding the endpoint's scope.
 * @see https://www.rfc-editor.org/rfc/rfc9068#section-4
 * @see https://www.rfc-editor.org/rfc/rfc9449#section-7
 */
@Injectable()
export class BearerService {
  private readonly acceptedClients: ReadonlySet<string>;

  constructor(
    @Inject(ACCESS_TOKEN_VERIFIER) private readonly verifier: AccessTokenVerifier,
    @Inject(DPOP_REPLAY_CACHE) private readonly replays: DpopReplayCache,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(REQUEST_OUTCOME) private readonly outcome: RequestOutcome,
    private readonly config: ResourceConfig,
  ) {
    this.acceptedClients = new Set(config.acceptedClientIds());
  }

  async authorize(
    credential: Credential,
    scope: Scope,
    request: AccessRequest,
  ): Promise<Principal> {
    const verified = await this.verifier.verify(credential.token, request);
    if (!verified.audience.includes(this.config.audience)) {
      throw new InvalidTokenError(
        'the access token is not meant for this server',
        `aud ${verified.audience.join(' ')}`,
      );
    }
    if (verified.subject.length === 0) {
      throw new InvalidTokenError('the access token names no user', 'empty sub');
    }
    if (!this.acceptedClients.has(verified.clientId)) {
      throw new InvalidTokenError(
        'the access token was issued to a client this server does not accept',
        `client_id ${verified.clientId}`,
      );
    }
    this.outcome.identify({ client_id: verified.clientId, user: verified.subject });
    await this.checkPossession(credential, verified, request);
    if (!verified.scopes.includes(scope)) {
      throw new InsufficientScopeError(scope, `token scope ${verified.scopes.join(' ')}`);
    }
    this.outcome.record(
      'access_granted',
      { scope, jti: verified.jti, scheme: credential.scheme },
      'access granted',
    );
    return { user: verified.subject, clientId: verified.clientId };
  }

  /**
   * A DPoP-bound token opens nothing without a proof by its key, for this request, used once;
   * an unbound one is a bearer token and must say so. The URL the proof names is this request's
   * as its client addressed it: the token's `aud` already ties it to this server.
   * @see https://www.rfc-editor.org/rfc/rfc9449#section-7.1
   */
  private async checkPossession(
    credential: Credential,
    verified: VerifiedToken,
    request: AccessRequest,
  ): Promise<void> {
    const jkt = verified.boundToJkt;
    if (jkt === undefined) {
      if (credential.scheme === 'DPoP') {
        throw new InvalidTokenError(
          'the access token is not DPoP-bound; send it with the Bearer scheme',
          'unbound token under the DPoP scheme',
          'DPoP',
        );
      }
      return;
    }
    if (credential.scheme !== 'DPoP') {
      throw new InvalidTokenError(
        'the access token is DPoP-bound; send it with the DPoP scheme and a proof',
        'bound token under the Bearer scheme',
        'DPoP',
      );
    }
    if (request.dpop === undefined || Array.isArray(request.dpop)) {
      throw new InvalidDpopProofError(
        'send exactly one DPoP proof with a DPoP-bound token',
        request.dpop === undefined ? 'no DPoP header' : 'several DPoP headers',
      );
    }
    const proof = verifyDpopProof(request.dpop, {
      method: request.method,
      url: request.url,
      nowSeconds: this.clock.nowSeconds(),
      accessToken: credential.token,
      jkt,
      algorithms: this.config.dpopAlgorithms,
      maxAgeSeconds: this.config.dpopProofMaxAgeSeconds,
    });
    await rejectDpopReplay(this.replays, proof);
  }
}
