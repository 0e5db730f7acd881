import { Inject, Injectable, Optional } from '@nestjs/common';
import { InvalidClientError, InvalidRequestError } from '../errors/oauth.errors';
import { AbuseLimits } from '../limits/abuse-limits.service';
import { CLIENT_STORE, type ClientStore, type RegisteredClient } from './client-store.port';
import { constantTimeEqual } from './constant-time';

/**
 * How a client presented itself. `basic` and `post` are what the transport found; both may be
 * present, which is refused (one method per request).
 */
export interface ClientCredentials {
  basic?: { clientId: string; secret: string } | 'malformed';
  post?: { clientId?: string; secret?: string };
  /** The caller's source address, for the failure limits. */
  address?: string;
}

/**
 * Authenticates a confidential client with `client_secret_basic` or `client_secret_post`.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-2.3.1
 */
@Injectable()
export class ClientAuthenticationService {
  constructor(
    @Inject(CLIENT_STORE) private readonly clients: ClientStore,
    @Optional() private readonly limits?: AbuseLimits,
  ) {}

  /** Authenticates, refusing callers that failed too often (429) before even checking. */
  async authenticate(credentials: ClientCredentials): Promise<RegisteredClient> {
    const { basic, post } = credentials;
    const caller = {
      clientId: typeof basic === 'object' ? basic.clientId : post?.clientId,
      address: credentials.address,
    };
    this.limits?.checkAuthenticationFailures(caller);
    try {
      // `return await`: without it a rejection would escape this catch and go uncounted.
      return await this.authenticateOnce(credentials);
    } catch (err) {
      if (err instanceof InvalidClientError) this.limits?.recordAuthenticationFailure(caller);
      throw err;
    }
  }

  private async authenticateOnce(credentials: ClientCredentials): Promise<RegisteredClient> {
    const { basic, post } = credentials;
    if (basic === 'malformed') throw new InvalidClientError(true, 'malformed Basic credentials');
    if (basic !== undefined) {
      if (post?.secret !== undefined) {
        throw new InvalidRequestError(
          'use exactly one client authentication method',
          'client_secret in both the Authorization header and the body',
        );
      }
      if (post?.clientId !== undefined && post.clientId !== basic.clientId) {
        throw new InvalidRequestError(
          'client_id in the body does not match the authenticated client',
          'client_id mismatch between header and body',
        );
      }
      return this.verify(basic.clientId, basic.secret, true);
    }
    if (post?.clientId === undefined || post.secret === undefined) {
      throw new InvalidClientError(false, 'no client credentials');
    }
    return this.verify(post.clientId, post.secret, false);
  }

  private async verify(
    clientId: string,
    secret: string,
    basic: boolean,
  ): Promise<RegisteredClient> {
    const client = await this.clients.findById(clientId);
    // Compare even for an unknown client, so that timing does not tell which ids exist.
    const matches = constantTimeEqual(secret, client?.secret ?? '\u0000no-client');
    if (client === undefined || !matches) {
      throw new InvalidClientError(basic, client === undefined ? 'unknown client' : 'wrong secret');
    }
    return client;
  }
}
