import { Inject, Injectable } from '@nestjs/common';
import { constantTimeEqual, REQUEST_OUTCOME, type RequestOutcome } from '@app/common';
import { InvalidClientError, InvalidRequestError } from '../errors/oauth.errors';
import { AbuseLimits, type CallerKeys } from '../limits/abuse-limits.service';
import type { ClientCredentials, PresentedSecret } from './client-credentials';
import { CLIENT_STORE, type ClientStore, type RegisteredClient } from './client-store.port';

/**
 * Authenticates a confidential client with `client_secret_basic` or `client_secret_post`.
 * Failures are limited per client and address, and per address, checked before the secret:
 * never per claimed client alone, or anyone could lock a client out by failing in its name.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-2.3.1
 */
@Injectable()
export class ClientAuthenticationService {
  constructor(
    @Inject(CLIENT_STORE) private readonly clients: ClientStore,
    private readonly limits: AbuseLimits,
    @Inject(REQUEST_OUTCOME) private readonly outcome: RequestOutcome,
  ) {}

  async authenticate(credentials: ClientCredentials): Promise<RegisteredClient> {
    const readings = presentedSecrets(credentials);
    const caller: CallerKeys = { clientId: readings[0]?.clientId, address: credentials.address };
    await this.limits.checkAuthenticationFailures(caller);
    const client = readings.length === 0 ? undefined : await this.verify(readings);
    if (client === undefined) {
      await this.limits.recordAuthenticationFailure(caller);
      throw new InvalidClientError(
        credentials.basic === 'malformed'
          ? 'malformed Basic credentials'
          : readings.length === 0
            ? 'no client credentials'
            : 'unknown client or wrong secret',
      );
    }
    this.outcome.identify({ client_id: client.id });
    return client;
  }

  /** The client whose secret one of the readings holds, every reading compared in constant time. */
  private async verify(readings: PresentedSecret[]): Promise<RegisteredClient | undefined> {
    let found: RegisteredClient | undefined;
    for (const reading of readings) {
      const client = await this.clients.findById(reading.clientId);
      // Compared even for an unknown client, so that timing does not tell which ids exist.
      const matches = constantTimeEqual(reading.secret, client?.secret ?? '\u0000no-client');
      if (matches && client !== undefined) found ??= client;
    }
    return found;
  }
}

/** The id/secret readings to try; refuses a request that uses two methods at once. */
function presentedSecrets(credentials: ClientCredentials): PresentedSecret[] {
  const { basic, post } = credentials;
  if (basic === 'malformed') return [];
  if (basic !== undefined) {
    if (post?.secret !== undefined) {
      throw new InvalidRequestError(
        'use exactly one client authentication method',
        'client_secret in both the Authorization header and the body',
      );
    }
    const ids = new Set(basic.readings.map((reading) => reading.clientId));
    if (post?.clientId !== undefined && !ids.has(post.clientId)) {
      throw new InvalidRequestError(
        'client_id in the body does not match the authenticated client',
        'client_id mismatch between header and body',
      );
    }
    return basic.readings;
  }
  if (post?.clientId === undefined || post.secret === undefined) return [];
  return [{ clientId: post.clientId, secret: post.secret }];
}
