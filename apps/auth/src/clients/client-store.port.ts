import type { TimeScope } from '@app/contracts';

/** A client registered with the authorization server. */
export interface RegisteredClient {
  id: string;
  secret: string;
  /** Exact-match redirect URIs; empty for a client that never runs a flow. */
  redirectUris: readonly string[];
  scopes: readonly TimeScope[];
  grantTypes: readonly 'authorization_code'[];
  /** The audience whose tokens this client may revoke besides its own (a resource server). */
  audience?: string;
}

/** Where registered clients are looked up. */
export interface ClientStore {
  findById(id: string): Promise<RegisteredClient | undefined>;
}

export const CLIENT_STORE = Symbol('CLIENT_STORE');
