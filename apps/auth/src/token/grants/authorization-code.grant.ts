import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { InjectPinoLogger, PinoLogger } from 'nestjs-pino';
import { CLOCK, type Clock } from '@app/common';
import type { AccessTokenClaims } from '@app/contracts';
import { AuthConfig } from '../../auth.config';
import type { RegisteredClient } from '../../clients/client-store.port';
import { CODE_STORE, type AuthorizationGrant, type CodeStore } from '../../codes/code-store.port';
import {
  InvalidGrantError,
  InvalidRequestError,
  UnauthorizedClientError,
} from '../../errors/oauth.errors';
import { REVOCATION_STORE, type RevocationStore } from '../../revocation/revocation-store.port';
import type { GrantHandler, GrantParameters } from './grant-handler';
import { verifierMatches } from './pkce';

/**
 * grant_type=authorization_code: redeems a code exactly once for the client it was issued to,
 * with the same redirect URI and the PKCE verifier; a replay revokes the token the code gave.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.1.3
 * @see https://www.rfc-editor.org/rfc/rfc7636#section-4.6
 */
@Injectable()
export class AuthorizationCodeGrant implements GrantHandler {
  readonly grantType = 'authorization_code';

  constructor(
    @Inject(CODE_STORE) private readonly codes: CodeStore,
    @Inject(REVOCATION_STORE) private readonly revocations: RevocationStore,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly config: AuthConfig,
    @InjectPinoLogger('AuthorizationCodeGrant') private readonly logger: PinoLogger,
  ) {}

  async handle(client: RegisteredClient, parameters: GrantParameters): Promise<AccessTokenClaims> {
    const { code, redirectUri, codeVerifier } = required(parameters);
    if (!client.grantTypes.includes('authorization_code')) {
      throw new UnauthorizedClientError('this client may not use the authorization_code grant');
    }
    const now = this.clock.nowSeconds();
    const grant = await this.codes.peek(code, now);
    // A code issued to another client is not even consumed: that client could burn it otherwise.
    if (grant === undefined || grant.clientId !== client.id) {
      throw new InvalidGrantError(
        'the authorization code is invalid or expired',
        grant ? 'code of another client' : 'unknown or expired code',
      );
    }
    const jti = randomUUID();
    await this.redeem(code, jti, now);
    this.logger.assign({ user: grant.username });
    checkBinding(grant, redirectUri, codeVerifier);
    return {
      iss: this.config.issuer,
      sub: grant.username,
      aud: this.config.audience,
      client_id: client.id,
      scope: grant.scope,
      iat: now,
      exp: now + this.config.accessTokenTtl,
      jti,
    };
  }

  /** Marks the code used; on a second redemption revokes the token of the first. */
  private async redeem(code: string, jti: string, now: number): Promise<void> {
    const result = await this.codes.consume(code, jti, now);
    if (result.status === 'redeemed') return;
    if (result.status === 'replayed') {
      await this.revocations.revoke(
        result.issuedJti,
        now + this.config.accessTokenTtl + this.config.clockLeeway,
      );
      this.logger.warn(
        { event: 'code_replayed', revoked_jti: result.issuedJti },
        'authorization code replayed; its token is revoked',
      );
      throw new InvalidGrantError('the authorization code was already used', 'code replay');
    }
    throw new InvalidGrantError(
      'the authorization code is invalid or expired',
      'code expired while redeeming',
    );
  }
}

function required(parameters: GrantParameters): Required<GrantParameters> {
  const { code, redirectUri, codeVerifier } = parameters;
  if (code === undefined || code.length === 0) throw new InvalidRequestError('code is required');
  if (redirectUri === undefined) throw new InvalidRequestError('redirect_uri is required');
  if (codeVerifier === undefined) throw new InvalidRequestError('code_verifier is required (PKCE)');
  return { code, redirectUri, codeVerifier };
}

function checkBinding(grant: AuthorizationGrant, redirectUri: string, codeVerifier: string): void {
  if (grant.redirectUri !== redirectUri) {
    throw new InvalidGrantError(
      'redirect_uri does not match the authorization request',
      'redirect_uri mismatch',
    );
  }
  if (!verifierMatches(codeVerifier, grant.codeChallenge)) {
    throw new InvalidGrantError(
      'code_verifier does not match the code challenge',
      'PKCE verification failed',
    );
  }
}
