import type { AccessTokenClaims } from '@app/contracts';
import type { RegisteredClient } from '../../clients/client-store.port';

/** The token request's grant parameters, as the transport read them. */
export interface GrantParameters {
  code?: string;
  redirectUri?: string;
  codeVerifier?: string;
}

/** One grant type of the token endpoint: checks its parameters and yields the token's claims. */
export interface GrantHandler {
  readonly grantType: string;
  handle(client: RegisteredClient, parameters: GrantParameters): Promise<AccessTokenClaims>;
}

export const GRANT_HANDLERS = Symbol('GRANT_HANDLERS');
