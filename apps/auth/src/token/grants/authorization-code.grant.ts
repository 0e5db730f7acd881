import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { CLOCK, type Clock, REQUEST_OUTCOME, type RequestOutcome } from '@app/common';
import { AuthConfig } from '../../auth.config';
import type { RegisteredClient } from '../../clients/client-store.port';
import { InvalidGrantError } from '../../errors/oauth.errors';
import { verifierMatches } from '../../pkce/pkce';
import { type AuthorizationGrant, CODE_STORE, type CodeStore } from '../../stores/code-store.port';
import { TOKEN_REGISTRY, type TokenRegistry } from '../../stores/token-registry.port';
import type { GrantContext, GrantHandler, GrantResult } from './grant-handler';

type Parameter = 'code' | 'redirect_uri' | 'code_verifier';

/**
 * grant_type=authorization_code: redeems a code exactly once for the client it was issued to,
 * with the same redirect URI and the PKCE verifier; a replay revokes the token the code gave.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.1.3
 * @see https://www.rfc-editor.org/rfc/rfc7636#section-4.6
 */
@Injectable()
export class AuthorizationCodeGrant implements GrantHandler<Parameter> {
  readonly grantType = 'authorization_code';
  readonly parameters: readonly Parameter[] = ['code', 'redirect_uri', 'code_verifier'];

  constructor(
    @Inject(CODE_STORE) private readonly codes: CodeStore,
    @Inject(TOKEN_REGISTRY) private readonly tokens: TokenRegistry,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(REQUEST_OUTCOME) private readonly outcome: RequestOutcome,
    private readonly config: AuthConfig,
  ) {}

  async handle(
    client: RegisteredClient,
    parameters: Readonly<Record<Parameter, string>>,
    context: GrantContext,
  ): Promise<GrantResult> {
    const now = this.clock.nowSeconds();
    const jti = randomUUID();
    const grant = await this.redeem(parameters.code, client, jti, now);
    this.outcome.identify({ user: grant.username });
    // Checked after the code is used up: a wrong verifier costs the code, so verifiers cannot
    // be guessed in turn against one code.
    checkBinding(grant, parameters.redirect_uri, parameters.code_verifier, context);
    const claims = {
      iss: this.config.issuer,
      sub: grant.username,
      aud: this.config.audience,
      client_id: client.id,
      scope: grant.scope,
      iat: now,
      exp: now + this.config.accessTokenTtl,
      jti,
    };
    return {
      claims: context.dpopJkt === undefined ? claims : { ...claims, cnf: { jkt: context.dpopJkt } },
    };
  }

  /**
   * Marks the code used, in one atomic step that also checks the client (a code presented by
   * another client is not even consumed: that client could burn it otherwise); on a second
   * redemption revokes the token of the first.
   */
  private async redeem(
    code: string,
    client: RegisteredClient,
    jti: string,
    now: number,
  ): Promise<AuthorizationGrant> {
    const result = await this.codes.consume(code, client.id, jti, now);
    switch (result.status) {
      case 'redeemed':
        return result.grant;
      case 'replayed':
        await this.tokens.revoke(result.issuedJti, now + this.config.tokenAcceptanceSeconds());
        this.outcome.warn(
          'code_replayed',
          { revoked_jti: result.issuedJti },
          'authorization code replayed; its token is revoked',
        );
        throw new InvalidGrantError('the authorization code was already used', 'code replay');
      case 'other_client':
        throw new InvalidGrantError(
          'the authorization code is invalid or expired',
          'code of another client',
        );
      case 'unknown':
        throw new InvalidGrantError(
          'the authorization code is invalid or expired',
          'unknown or expired code',
        );
    }
  }
}

function checkBinding(
  grant: AuthorizationGrant,
  redirectUri: string,
  codeVerifier: string,
  context: GrantContext,
): void {
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
  // RFC 9449 10: a code bound to a DPoP key at the authorization endpoint is redeemed with it.
  if (grant.dpopJkt !== undefined && grant.dpopJkt !== context.dpopJkt) {
    throw new InvalidGrantError(
      'the DPoP proof does not match the key the code is bound to',
      'dpop_jkt mismatch',
    );
  }
}
