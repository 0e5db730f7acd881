import type { AccessTokenClaims, GrantType } from '@app/contracts';
import type { RegisteredClient } from '../../clients/client-store.port';

/** What a grant knows of the token request beyond its own parameters. */
export interface GrantContext {
  /** RFC 9449 6.1: the thumbprint of the DPoP proof's key, when the request carried a proof. */
  dpopJkt?: string;
}

/** What a grant gives: the access token's claims (and, as grants grow, more: a refresh token). */
export interface GrantResult {
  claims: AccessTokenClaims;
}

/**
 * One grant type of the token endpoint. It declares the form parameters it requires (by their
 * wire names, as node-oidc-provider's grants declare `parameters` beside their `handler`); the
 * token service refuses a request without them before the handler runs, and hands it only those.
 */
export interface GrantHandler<P extends string = string> {
  readonly grantType: GrantType;
  readonly parameters: readonly P[];
  handle(
    client: RegisteredClient,
    parameters: Readonly<Record<P, string>>,
    context: GrantContext,
  ): Promise<GrantResult>;
}

export const GRANT_HANDLERS = Symbol('GRANT_HANDLERS');
