import { Inject, Injectable } from '@nestjs/common';
import { InjectPinoLogger, PinoLogger } from 'nestjs-pino';
import { CLOCK, type Clock } from '@app/common';
import { AuthConfig } from '../auth.config';
import {
  type ClientCredentials,
  ClientAuthenticationService,
} from '../clients/client-authentication.service';
import { InvalidRequestError } from '../errors/oauth.errors';
import { TOKEN_VERIFIER, type TokenVerifier } from '../signing/token-signer.port';
import { REVOCATION_STORE, type RevocationStore } from './revocation-store.port';

export interface RevocationRequest {
  token?: string;
  credentials: ClientCredentials;
}

/**
 * Token revocation: a client may revoke the tokens issued to it, and a resource server those of
 * its audience. Unknown, invalid or foreign tokens are answered like revoked ones, so the
 * answer tells nothing. @see https://www.rfc-editor.org/rfc/rfc7009#section-2.1
 */
@Injectable()
export class RevocationService {
  constructor(
    private readonly clientAuthentication: ClientAuthenticationService,
    @Inject(TOKEN_VERIFIER) private readonly verifier: TokenVerifier,
    @Inject(REVOCATION_STORE) private readonly revocations: RevocationStore,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly config: AuthConfig,
    @InjectPinoLogger('RevocationService') private readonly logger: PinoLogger,
  ) {}

  async revoke(request: RevocationRequest): Promise<void> {
    const caller = await this.clientAuthentication.authenticate(request.credentials);
    this.logger.assign({ client_id: caller.id });
    if (request.token === undefined || request.token.length === 0) {
      throw new InvalidRequestError('token is required');
    }
    const claims = this.verifier.verify(request.token, this.clock.nowSeconds());
    const allowed =
      claims !== undefined && (claims.client_id === caller.id || claims.aud === caller.audience);
    if (claims !== undefined && allowed) {
      await this.revocations.revoke(claims.jti, claims.exp + this.config.clockLeeway);
    }
    this.logger.info(
      { event: 'token_revocation', revoked: allowed, jti: claims?.jti },
      allowed ? 'token revoked' : 'nothing to revoke',
    );
  }
}
