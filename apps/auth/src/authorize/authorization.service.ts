import { randomBytes } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { InjectPinoLogger, PinoLogger } from 'nestjs-pino';
import { CLOCK, type Clock } from '@app/common';
import { isTimeScope, type OAuthErrorCode, type TimeScope } from '@app/contracts';
import { AuthConfig } from '../auth.config';
import {
  CLIENT_STORE,
  type ClientStore,
  type RegisteredClient,
} from '../clients/client-store.port';
import { CODE_STORE, type CodeStore } from '../codes/code-store.port';
import { InvalidRequestError, LoginRequiredError } from '../errors/oauth.errors';
import { S256_CHALLENGE } from '../token/grants/pkce';

/** An authorization request as the transport read it. @see https://www.rfc-editor.org/rfc/rfc6749#section-4.1.1 */
export interface AuthorizationRequest {
  responseType?: string;
  clientId?: string;
  redirectUri?: string;
  scope?: string;
  state?: string;
  codeChallenge?: string;
  codeChallengeMethod?: string;
}

/** The resource owner, once logged in; undefined when no usable credentials came. */
export interface ResourceOwner {
  username: string;
}

/**
 * Runs the authorization endpoint: checks the client and redirect URI (errors here are never
 * redirected), then the rest of the request (errors go back to the client by redirect), then the
 * login; consent is automatic. Returns where to send the user agent.
 */
@Injectable()
export class AuthorizationService {
  constructor(
    @Inject(CLIENT_STORE) private readonly clients: ClientStore,
    @Inject(CODE_STORE) private readonly codes: CodeStore,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly config: AuthConfig,
    @InjectPinoLogger('AuthorizationService') private readonly logger: PinoLogger,
  ) {}

  async authorize(
    request: AuthorizationRequest,
    owner: ResourceOwner | undefined,
  ): Promise<string> {
    const client = await this.clientOf(request);
    const redirectUri = this.redirectUriOf(request, client);
    this.logger.assign({ client_id: client.id });
    const refusal = this.refusal(request, client);
    if (refusal !== undefined) {
      this.logger.info(
        { event: 'authorization_refused', error: refusal.code },
        refusal.description,
      );
      return this.redirect(redirectUri, {
        error: refusal.code,
        error_description: refusal.description,
        state: request.state,
      });
    }
    if (owner === undefined)
      throw new LoginRequiredError(
        'the resource owner must log in with HTTP Basic or the login form',
      );
    this.logger.assign({ user: owner.username });
    const code = randomBytes(32).toString('base64url');
    const saved = await this.codes.save(code, {
      clientId: client.id,
      redirectUri,
      scope: client.scopes.find((scope) => scope === request.scope) as TimeScope,
      username: owner.username,
      codeChallenge: request.codeChallenge as string,
      expiresAt: this.clock.nowSeconds() + this.config.codeTtl,
    });
    if (!saved) {
      // RFC 6749 4.1.2.1: the server cannot handle the request now; the client may retry.
      this.logger.warn({ event: 'code_store_full' }, 'no room for another authorization code');
      return this.redirect(redirectUri, {
        error: 'temporarily_unavailable',
        error_description: 'the server cannot issue a code now; retry later',
        state: request.state,
      });
    }
    this.logger.info({ event: 'code_issued', scope: request.scope }, 'authorization code issued');
    return this.redirect(redirectUri, { code, state: request.state });
  }

  private async clientOf(request: AuthorizationRequest): Promise<RegisteredClient> {
    if (request.clientId === undefined) throw new InvalidRequestError('client_id is required');
    const client = await this.clients.findById(request.clientId);
    if (client === undefined || !client.grantTypes.includes('authorization_code')) {
      throw new InvalidRequestError(
        'unknown client_id',
        `no client ${JSON.stringify(request.clientId)}`,
      );
    }
    return client;
  }

  /** Exact string match against the registration. @see https://www.rfc-editor.org/rfc/rfc9700#section-4.1.3 */
  private redirectUriOf(request: AuthorizationRequest, client: RegisteredClient): string {
    if (request.redirectUri === undefined)
      throw new InvalidRequestError('redirect_uri is required');
    // The registered string itself is kept with the code: one copy in memory, not one per code.
    const registered = client.redirectUris.find((uri) => uri === request.redirectUri);
    if (registered === undefined) {
      throw new InvalidRequestError('redirect_uri is not registered for this client');
    }
    return registered;
  }

  private refusal(
    request: AuthorizationRequest,
    client: RegisteredClient,
  ): { code: OAuthErrorCode; description: string } | undefined {
    if (request.responseType === undefined) {
      return { code: 'invalid_request', description: 'response_type is required' };
    }
    if (request.responseType !== 'code') {
      return {
        code: 'unsupported_response_type',
        description: 'only response_type=code is supported',
      };
    }
    if (!isTimeScope(request.scope) || !client.scopes.includes(request.scope)) {
      return {
        code: 'invalid_scope',
        description: 'scope must be exactly one of: current_time, epoch_time',
      };
    }
    if (request.codeChallenge === undefined) {
      return { code: 'invalid_request', description: 'code_challenge is required (PKCE)' };
    }
    if (request.codeChallengeMethod !== 'S256') {
      return { code: 'invalid_request', description: 'code_challenge_method must be S256' };
    }
    if (!S256_CHALLENGE.test(request.codeChallenge)) {
      return { code: 'invalid_request', description: 'code_challenge is not a S256 challenge' };
    }
    return undefined;
  }

  /** Adds the response parameters and `iss` (RFC 9207) to the registered URI, keeping its query. */
  private redirect(redirectUri: string, params: Record<string, string | undefined>): string {
    const url = new URL(redirectUri);
    for (const [name, value] of Object.entries(params)) {
      if (value !== undefined) url.searchParams.append(name, value);
    }
    url.searchParams.append('iss', this.config.issuer);
    return url.toString();
  }
}
