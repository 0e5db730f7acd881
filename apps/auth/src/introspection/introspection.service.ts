import { Inject, Injectable } from '@nestjs/common';
import { REQUEST_OUTCOME, type RequestOutcome } from '@app/common';
import type { AccessTokenClaims } from '@app/contracts';
import type { RegisteredClient } from '../clients/client-store.port';
import { InvalidRequestError } from '../errors/oauth.errors';
import { AbuseLimits } from '../limits/abuse-limits.service';
import { IssuedTokens } from '../signing/issued-tokens.service';

export interface IntrospectionRequest {
  token?: string;
  /** The caller's address key, for the limits. */
  address: string;
}

/** An active token's claims, or nothing more than that it is not active. */
export type Introspection = { active: true; claims: AccessTokenClaims } | { active: false };

/**
 * Token introspection for registered clients: active means a genuine token of this server,
 * unexpired and not revoked. Anything else, however malformed or long, is just not active.
 * @see https://www.rfc-editor.org/rfc/rfc7662#section-2
 */
@Injectable()
export class IntrospectionService {
  constructor(
    private readonly tokens: IssuedTokens,
    private readonly limits: AbuseLimits,
    @Inject(REQUEST_OUTCOME) private readonly outcome: RequestOutcome,
  ) {}

  async introspect(
    caller: RegisteredClient,
    request: IntrospectionRequest,
  ): Promise<Introspection> {
    this.limits.admitIntrospection({ clientId: caller.id, address: request.address });
    if (request.token === undefined) throw new InvalidRequestError('token is required');
    const found = await this.tokens.find(request.token);
    const active = found !== undefined && !found.revoked;
    if (found !== undefined) this.outcome.identify({ user: found.claims.sub });
    this.outcome.record(
      'token_introspected',
      { result: active ? 'active' : 'inactive', jti: found?.claims.jti },
      active ? 'token active' : 'token inactive',
    );
    return active ? { active, claims: found.claims } : { active: false };
  }
}
