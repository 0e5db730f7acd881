import { Inject, Injectable } from '@nestjs/common';
import { InjectPinoLogger, PinoLogger } from 'nestjs-pino';
import type { AccessTokenClaims } from '@app/contracts';
import {
  type ClientCredentials,
  ClientAuthenticationService,
} from '../clients/client-authentication.service';
import { InvalidRequestError, UnsupportedGrantTypeError } from '../errors/oauth.errors';
import { TOKEN_SIGNER, type TokenSigner } from '../signing/token-signer.port';
import { GRANT_HANDLERS, type GrantHandler, type GrantParameters } from './grants/grant-handler';

/** A token request as the transport read it. */
export interface TokenRequest extends GrantParameters {
  grantType?: string;
  credentials: ClientCredentials;
}

/** What the token endpoint answers on success. */
export interface IssuedToken {
  accessToken: string;
  expiresIn: number;
  scope: string;
}

/**
 * The token endpoint: authenticate the client, pick the grant handler, sign what it grants.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-3.2
 */
@Injectable()
export class TokenService {
  private readonly grants: ReadonlyMap<string, GrantHandler>;

  constructor(
    private readonly clientAuthentication: ClientAuthenticationService,
    @Inject(GRANT_HANDLERS) grants: GrantHandler[],
    @Inject(TOKEN_SIGNER) private readonly signer: TokenSigner,
    @InjectPinoLogger('TokenService') private readonly logger: PinoLogger,
  ) {
    this.grants = new Map(grants.map((grant) => [grant.grantType, grant]));
  }

  async issue(request: TokenRequest): Promise<IssuedToken> {
    const client = await this.clientAuthentication.authenticate(request.credentials);
    this.logger.assign({ client_id: client.id });
    const claims = await this.handlerFor(request.grantType).handle(client, request);
    const accessToken = this.signer.sign(claims);
    this.logger.info(
      { event: 'token_issued', scope: claims.scope, jti: claims.jti, exp: claims.exp },
      'access token issued',
    );
    return toIssuedToken(accessToken, claims);
  }

  private handlerFor(grantType: string | undefined): GrantHandler {
    if (grantType === undefined) throw new InvalidRequestError('grant_type is required');
    const handler = this.grants.get(grantType);
    if (handler === undefined) {
      throw new UnsupportedGrantTypeError('only grant_type=authorization_code is supported');
    }
    return handler;
  }
}

function toIssuedToken(accessToken: string, claims: AccessTokenClaims): IssuedToken {
  return { accessToken, expiresIn: claims.exp - claims.iat, scope: claims.scope };
}
