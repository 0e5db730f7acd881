import { Inject, Injectable } from '@nestjs/common';
import { REQUEST_OUTCOME, type RequestOutcome } from '@app/common';
import type { GrantType } from '@app/contracts';
import type { RegisteredClient } from '../clients/client-store.port';
import { TokenEndpointProofs } from '../dpop/token-endpoint-proofs.service';
import {
  InvalidRequestError,
  UnauthorizedClientError,
  UnsupportedGrantTypeError,
} from '../errors/oauth.errors';
import { IssuedTokens } from '../signing/issued-tokens.service';
import { TOKEN_SIGNER, type TokenSigner } from '../signing/token-signer.port';
import { GRANT_HANDLERS, type GrantContext, type GrantHandler } from './grants/grant-handler';

/** A token request as the transport read it: the grant type, every form parameter, the proof. */
export interface TokenRequest {
  grantType?: string;
  parameters: Readonly<Record<string, string | undefined>>;
  /** The `DPoP` header(s), as sent. @see https://www.rfc-editor.org/rfc/rfc9449#section-5 */
  dpopProof?: string | string[];
}

/** What the token endpoint answers on success. */
export interface IssuedToken {
  accessToken: string;
  tokenType: 'Bearer' | 'DPoP';
  expiresIn: number;
  scope: string;
}

/**
 * The token endpoint, for an authenticated client: pick the grant handler, check that the
 * client may use it and that its parameters are there, sign what it grants, and record the
 * token so that every replica recognises it.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-3.2
 */
@Injectable()
export class TokenService {
  private readonly grants: ReadonlyMap<string, GrantHandler>;
  private readonly unsupported: string;

  constructor(
    @Inject(GRANT_HANDLERS) grants: GrantHandler[],
    @Inject(TOKEN_SIGNER) private readonly signer: TokenSigner,
    private readonly issued: IssuedTokens,
    private readonly proofs: TokenEndpointProofs,
    @Inject(REQUEST_OUTCOME) private readonly outcome: RequestOutcome,
  ) {
    this.grants = new Map(grants.map((grant) => [grant.grantType, grant]));
    this.unsupported = `supported grant types: ${[...this.grants.keys()].join(', ')}`;
  }

  /** The grant types of the registered handlers, for the metadata document. */
  get grantTypes(): GrantType[] {
    return [...this.grants.values()].map((grant) => grant.grantType);
  }

  async issue(client: RegisteredClient, request: TokenRequest): Promise<IssuedToken> {
    const handler = this.handlerFor(request.grantType);
    if (!client.grantTypes.includes(handler.grantType)) {
      throw new UnauthorizedClientError(`this client may not use the ${handler.grantType} grant`);
    }
    const parameters = required(handler, request.parameters);
    // The proof is checked before the grant, so that a bad proof does not use up a code.
    const context: GrantContext = { dpopJkt: await this.proofs.keyOf(request.dpopProof, client) };
    const { claims } = await handler.handle(client, parameters, context);
    const accessToken = this.signer.sign(claims);
    await this.issued.record(accessToken, claims);
    this.outcome.record(
      'token_issued',
      {
        scope: claims.scope,
        jti: claims.jti,
        exp: claims.exp,
        token_type: claims.cnf === undefined ? 'Bearer' : 'DPoP',
      },
      'access token issued',
    );
    return {
      accessToken,
      tokenType: claims.cnf === undefined ? 'Bearer' : 'DPoP',
      expiresIn: claims.exp - claims.iat,
      scope: claims.scope,
    };
  }

  private handlerFor(grantType: string | undefined): GrantHandler {
    if (grantType === undefined) throw new InvalidRequestError('grant_type is required');
    const handler = this.grants.get(grantType);
    if (handler === undefined) throw new UnsupportedGrantTypeError(this.unsupported);
    return handler;
  }
}

/** The handler's parameters, each required. @see https://www.rfc-editor.org/rfc/rfc6749#section-5.2 */
function required(
  handler: GrantHandler,
  sent: Readonly<Record<string, string | undefined>>,
): Record<string, string> {
  const parameters: Record<string, string> = {};
  for (const name of handler.parameters) {
    const value = sent[name];
    if (value === undefined) throw new InvalidRequestError(`${name} is required`);
    parameters[name] = value;
  }
  return parameters;
}
