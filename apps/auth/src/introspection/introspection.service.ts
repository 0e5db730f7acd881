import { Inject, Injectable, Optional } from '@nestjs/common';
import { InjectPinoLogger, PinoLogger } from 'nestjs-pino';
import { CLOCK, type Clock } from '@app/common';
import type { AccessTokenClaims } from '@app/contracts';
import {
  type ClientCredentials,
  ClientAuthenticationService,
} from '../clients/client-authentication.service';
import { InvalidRequestError } from '../errors/oauth.errors';
import { AbuseLimits } from '../limits/abuse-limits.service';
import { REVOCATION_STORE, type RevocationStore } from '../revocation/revocation-store.port';
import { TOKEN_VERIFIER, type TokenVerifier } from '../signing/token-signer.port';

export interface IntrospectionRequest {
  token?: string;
  credentials: ClientCredentials;
}

/** An active token's claims, or nothing more than that it is not active. */
export type Introspection = { active: true; claims: AccessTokenClaims } | { active: false };

/**
 * Token introspection for registered clients: active means well-signed by a key of ours,
 * unexpired and not revoked. @see https://www.rfc-editor.org/rfc/rfc7662#section-2
 */
@Injectable()
export class IntrospectionService {
  constructor(
    private readonly clientAuthentication: ClientAuthenticationService,
    @Inject(TOKEN_VERIFIER) private readonly verifier: TokenVerifier,
    @Inject(REVOCATION_STORE) private readonly revocations: RevocationStore,
    @Inject(CLOCK) private readonly clock: Clock,
    @InjectPinoLogger('IntrospectionService') private readonly logger: PinoLogger,
    @Optional() private readonly limits?: AbuseLimits,
  ) {}

  async introspect(request: IntrospectionRequest): Promise<Introspection> {
    const caller = await this.clientAuthentication.authenticate(request.credentials);
    this.logger.assign({ client_id: caller.id });
    this.limits?.admitIntrospection({ clientId: caller.id, address: request.credentials.address });
    if (request.token === undefined || request.token.length === 0) {
      throw new InvalidRequestError('token is required');
    }
    const claims = this.verifier.verify(request.token, this.clock.nowSeconds());
    const active = claims !== undefined && !(await this.revocations.isRevoked(claims.jti));
    this.logger.info(
      { event: 'token_introspected', active, jti: claims?.jti, user: claims?.sub },
      active ? 'token active' : 'token inactive',
    );
    return active ? { active, claims } : { active: false };
  }
}
