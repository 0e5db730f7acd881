import type { GrantType, Scope } from '@app/contracts';

/** A client registered with the authorization server. */
export interface RegisteredClient {
  id: string;
  secret: string;
  /** Exact-match redirect URIs; empty for a client that never runs a flow. */
  redirectUris: readonly string[];
  scopes: readonly Scope[];
  grantTypes: readonly GrantType[];
  /** RFC 9449 5.2: the client's tokens must be DPoP-bound; a token request without a proof fails. */
  requiresDpop: boolean;
}

/** Where registered clients are looked up. */
export interface ClientStore {
  findById(id: string): Promise<RegisteredClient | undefined>;
}

export const CLIENT_STORE = Symbol('CLIENT_STORE');
