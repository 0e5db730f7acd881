import { Inject, Injectable } from '@nestjs/common';
import { InjectPinoLogger, PinoLogger } from 'nestjs-pino';
import type { TimeScope } from '@app/contracts';
import { InsufficientScopeError, InvalidTokenError } from '../errors/resource.errors';
import { ResourceConfig } from '../resource.config';
import {
  ACCESS_TOKEN_VERIFIER,
  type AccessTokenVerifier,
  type CallContext,
} from './access-token-verifier.port';

/** Who called, once the token let them in. */
export interface Principal {
  user: string;
  clientId: string;
}

/**
 * Decides whether a bearer token opens an endpoint: genuine and alive (the verifier), for this
 * server (`aud`), from an accepted client, naming a user, and holding the endpoint's scope.
 * @see https://www.rfc-editor.org/rfc/rfc9068#section-4
 */
@Injectable()
export class BearerService {
  private readonly acceptedClients: ReadonlySet<string>;

  constructor(
    @Inject(ACCESS_TOKEN_VERIFIER) private readonly verifier: AccessTokenVerifier,
    private readonly config: ResourceConfig,
    @InjectPinoLogger('BearerService') private readonly logger: PinoLogger,
  ) {
    this.acceptedClients = new Set(config.acceptedClientIds());
  }

  async authorize(token: string, scope: TimeScope, context: CallContext): Promise<Principal> {
    const verified = await this.verifier.verify(token, context);
    if (!verified.audience.includes(this.config.audience)) {
      throw new InvalidTokenError(
        'the access token is not meant for this server',
        `aud ${verified.audience.join(' ')}`,
      );
    }
    if (verified.subject.length === 0)
      throw new InvalidTokenError('the access token names no user', 'empty sub');
    if (!this.acceptedClients.has(verified.clientId)) {
      throw new InvalidTokenError(
        'the access token was issued to a client this server does not accept',
        `client_id ${verified.clientId}`,
      );
    }
    this.logger.assign({ client_id: verified.clientId, user: verified.subject });
    if (!verified.scopes.includes(scope)) {
      throw new InsufficientScopeError(scope, `token scope ${verified.scopes.join(' ')}`);
    }
    this.logger.info({ event: 'access_granted', scope, jti: verified.jti }, 'access granted');
    return { user: verified.subject, clientId: verified.clientId };
  }
}
