import { Inject, Injectable } from '@nestjs/common';
import { REQUEST_OUTCOME, type RequestOutcome } from '@app/common';
import type { RegisteredClient } from '../clients/client-store.port';
import { InvalidRequestError, UnauthorizedClientError } from '../errors/oauth.errors';
import { IssuedTokens } from '../signing/issued-tokens.service';

/**
 * Token revocation, least privilege: only the client a token was issued to may revoke it (RFC
 * 7009 2.1). A known token of another client is refused, and stays active; an unknown, expired
 * or malformed token is answered like a revoked one, so the answer tells nothing.
 * @see https://www.rfc-editor.org/rfc/rfc7009#section-2.1
 */
@Injectable()
export class RevocationService {
  constructor(
    private readonly tokens: IssuedTokens,
    @Inject(REQUEST_OUTCOME) private readonly outcome: RequestOutcome,
  ) {}

  async revoke(caller: RegisteredClient, token: string | undefined): Promise<void> {
    if (token === undefined) throw new InvalidRequestError('token is required');
    const found = await this.tokens.find(token);
    if (found === undefined) {
      this.outcome.record('token_revocation', { result: 'unknown' }, 'nothing to revoke');
      return;
    }
    if (found.claims.client_id !== caller.id) {
      throw new UnauthorizedClientError(
        'the token was not issued to this client',
        `token of client ${found.claims.client_id}`,
      );
    }
    await this.tokens.revoke(found.claims);
    this.outcome.record(
      'token_revocation',
      { result: 'revoked', jti: found.claims.jti },
      'token revoked',
    );
  }
}
