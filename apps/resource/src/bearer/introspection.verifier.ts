import { IntrospectionResponseDto } from '@app/contracts';
import { basicAuthorization, UpstreamError } from '@app/common';
import { parseReply, type UpstreamClient } from '@app/common/http';
import { InvalidTokenError } from '../errors/resource.errors';
import type {
  AccessRequest,
  AccessTokenVerifier,
  VerifiedToken,
} from './access-token-verifier.port';
import { upstreamFailureOf } from './upstream-failure';

export interface IntrospectionVerifierOptions {
  path: string;
  clientId: string;
  clientSecret: string;
  issuer: string;
  leewaySeconds: number;
}

/**
 * Asks the authorization server whether the token is active, authenticating with
 * client_secret_basic; a revoked token is refused at once.
 * @see https://www.rfc-editor.org/rfc/rfc7662#section-2
 */
export class IntrospectionVerifier implements AccessTokenVerifier {
  private readonly authorization: string;

  constructor(
    private readonly auth: UpstreamClient,
    private readonly options: IntrospectionVerifierOptions,
    private readonly nowSeconds: () => number,
  ) {
    this.authorization = basicAuthorization(
      options.clientId,
      options.clientSecret,
      'client_credentials',
    );
  }

  async verify(token: string, request: AccessRequest): Promise<VerifiedToken> {
    const answer = await this.auth.send({
      method: 'POST',
      path: this.options.path,
      headers: { authorization: this.authorization },
      form: { token, token_type_hint: 'access_token' },
      requestId: request.requestId,
    });
    if (answer.status !== 200) throw upstreamFailureOf(this.auth.name, 'introspection', answer);
    const reply = parseReply(this.auth.name, IntrospectionResponseDto, answer.json);
    if (!reply.active)
      throw new InvalidTokenError('the access token is not active', 'introspection: inactive');
    return this.verifiedToken(reply);
  }

  private verifiedToken(reply: IntrospectionResponseDto): VerifiedToken {
    const { iss, sub, aud, client_id, scope, exp, jti, cnf } = reply;
    if (
      iss === undefined ||
      sub === undefined ||
      aud === undefined ||
      client_id === undefined ||
      scope === undefined ||
      exp === undefined ||
      jti === undefined
    ) {
      throw new UpstreamError(
        this.auth.name,
        'bad_response',
        'active introspection answer lacks claims',
      );
    }
    if (iss !== this.options.issuer) {
      throw new InvalidTokenError('the access token is not from the expected issuer', `iss ${iss}`);
    }
    // A slow introspection answer must not stretch the token's life.
    if (exp + this.options.leewaySeconds <= this.nowSeconds()) {
      throw new InvalidTokenError('the access token has expired', 'expired during introspection');
    }
    return {
      issuer: iss,
      subject: sub,
      audience: [aud],
      clientId: client_id,
      scopes: scope.split(' ').filter((s) => s.length > 0),
      expiresAt: exp,
      jti,
      boundToJkt: cnf?.jkt,
    };
  }
}
