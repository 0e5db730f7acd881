import { randomBytes } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import {
  CLOCK,
  type Clock,
  InvalidInputError,
  REQUEST_OUTCOME,
  type RequestOutcome,
  validateInput,
} from '@app/common';
import { AuthorizationParametersDto, isScope, LIMITS, type Scope, SCOPES } from '@app/contracts';
import { AuthConfig } from '../auth.config';
import {
  CLIENT_STORE,
  type ClientStore,
  type RegisteredClient,
} from '../clients/client-store.port';
import {
  InvalidRequestError,
  InvalidScopeError,
  LoginRequiredError,
  OAuthError,
  TemporarilyUnavailableError,
  UnsupportedResponseTypeError,
} from '../errors/oauth.errors';
import { S256_CHALLENGE } from '../pkce/pkce';
import { CODE_STORE, type CodeStore } from '../stores/code-store.port';
import { StoreUnavailableError } from '@app/common';
import { authorizationResponse, type RedirectTarget } from './authorization-response';
import type { Login } from './login';

/** An authorization request as the transport read it. @see https://www.rfc-editor.org/rfc/rfc6749#section-4.1.1 */
export interface AuthorizationRequest {
  clientId?: string;
  redirectUri?: string;
  /** The redirectable parameters as sent, checked once the redirect URI is known. */
  parameters: Record<string, unknown>;
}

/** Who asks, as far as quotas care: the caller's address key. */
export interface Requester {
  address: string;
}

/** RFC 6749 4.1.2.1: the errors an authorization endpoint sends back to the client. */
const REDIRECTABLE = new Set<string>([
  'invalid_request',
  'unauthorized_client',
  'access_denied',
  'unsupported_response_type',
  'invalid_scope',
  'server_error',
  'temporarily_unavailable',
]);

/**
 * Runs the authorization endpoint. The client and its redirect URI come first: an error there
 * is never redirected (RFC 6749 4.1.2.1, an open redirector otherwise). Every later step throws
 * the domain error it means, and one mapping, in `authorize`, turns each redirectable one into
 * the error redirect, as node-oidc-provider's authorization error handler does. Consent is
 * automatic. Returns where to send the user agent.
 */
@Injectable()
export class AuthorizationService {
  constructor(
    @Inject(CLIENT_STORE) private readonly clients: ClientStore,
    @Inject(CODE_STORE) private readonly codes: CodeStore,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(REQUEST_OUTCOME) private readonly outcome: RequestOutcome,
    private readonly config: AuthConfig,
  ) {}

  async authorize(
    request: AuthorizationRequest,
    login: Login,
    requester: Requester,
  ): Promise<string> {
    const client = await this.clientOf(request.clientId);
    this.outcome.identify({ client_id: client.id });
    const target: RedirectTarget = {
      redirectUri: this.redirectUriOf(request.redirectUri, client),
      state: stateOf(request.parameters.state),
    };
    try {
      const code = await this.issueCode(client, target, request.parameters, login, requester);
      return authorizationResponse(target, this.config.issuer, { code });
    } catch (err) {
      const error = redirectable(err);
      if (error === undefined) throw err;
      this.outcome.record(
        'authorization_refused',
        { error: error.code, detail: error.detail ?? error.description },
        error.description,
      );
      return authorizationResponse(target, this.config.issuer, {
        error: error.code,
        error_description: error.description,
      });
    }
  }

  private async issueCode(
    client: RegisteredClient,
    target: RedirectTarget,
    sent: Record<string, unknown>,
    login: Login,
    requester: Requester,
  ): Promise<string> {
    const { scope, codeChallenge, dpopJkt } = this.checked(sent, client);
    const username = usernameOf(login);
    this.outcome.identify({ user: username });
    const code = randomBytes(32).toString('base64url');
    const now = this.clock.nowSeconds();
    const saved = await this.codes.save(
      code,
      {
        clientId: client.id,
        redirectUri: target.redirectUri,
        scope,
        username,
        codeChallenge,
        expiresAt: now + this.config.codeTtl,
        owner: requester.address,
        ...(dpopJkt === undefined ? {} : { dpopJkt }),
      },
      now,
    );
    if (saved !== 'saved') {
      this.outcome.warn('code_quota_reached', { reason: saved, owner: requester.address });
      throw new TemporarilyUnavailableError(
        'the server cannot issue a code now; retry later',
        saved === 'full' ? 'code store full' : 'quota of outstanding codes reached',
      );
    }
    this.outcome.record('code_issued', { scope }, 'authorization code issued');
    return code;
  }

  /** The redirectable parameters, read against their schema, then judged. */
  private checked(
    sent: Record<string, unknown>,
    client: RegisteredClient,
  ): { scope: Scope; codeChallenge: string; dpopJkt?: string } {
    let parameters: AuthorizationParametersDto;
    try {
      parameters = validateInput(AuthorizationParametersDto, sent);
    } catch (err) {
      if (err instanceof InvalidInputError) throw new InvalidRequestError(err.description);
      throw err;
    }
    const { response_type, scope, code_challenge, code_challenge_method } = parameters;
    if (response_type === undefined) throw new InvalidRequestError('response_type is required');
    if (response_type !== 'code') {
      throw new UnsupportedResponseTypeError('only response_type=code is supported');
    }
    if (!isScope(scope) || !client.scopes.includes(scope)) {
      throw new InvalidScopeError(`scope must be exactly one of: ${SCOPES.join(', ')}`);
    }
    if (code_challenge === undefined) {
      throw new InvalidRequestError('code_challenge is required (PKCE)');
    }
    if (code_challenge_method !== 'S256') {
      throw new InvalidRequestError('code_challenge_method must be S256');
    }
    if (!S256_CHALLENGE.test(code_challenge)) {
      throw new InvalidRequestError('code_challenge is not a S256 challenge');
    }
    return { scope, codeChallenge: code_challenge, dpopJkt: parameters.dpop_jkt };
  }

  private async clientOf(clientId: string | undefined): Promise<RegisteredClient> {
    if (clientId === undefined) throw new InvalidRequestError('client_id is required');
    const client = await this.clients.findById(clientId);
    if (client === undefined || !client.grantTypes.includes('authorization_code')) {
      throw new InvalidRequestError('unknown client_id', `no client ${JSON.stringify(clientId)}`);
    }
    return client;
  }

  /** Exact string match against the registration. @see https://www.rfc-editor.org/rfc/rfc9700#section-4.1.3 */
  private redirectUriOf(redirectUri: string | undefined, client: RegisteredClient): string {
    if (redirectUri === undefined) throw new InvalidRequestError('redirect_uri is required');
    // The registered string itself is kept with the code: one copy in memory, not one per code.
    const registered = client.redirectUris.find((uri) => uri === redirectUri);
    if (registered === undefined) {
      throw new InvalidRequestError('redirect_uri is not registered for this client');
    }
    return registered;
  }
}

/**
 * The resource owner's name: any non-empty username with any non-empty password logs in (no UI,
 * consent is automatic). A name longer than a username may be is refused here, at login, rather
 * than accepted and choked on by the next hop.
 */
function usernameOf(login: Login): string {
  if (login.kind !== 'credentials') {
    throw new LoginRequiredError(
      login.kind === 'malformed'
        ? 'the Basic credentials cannot be read'
        : 'the resource owner must log in with HTTP Basic or the login form',
    );
  }
  if (login.username.length === 0 || login.password.length === 0) {
    throw new LoginRequiredError('the username and the password must not be empty');
  }
  if (login.username.length > LIMITS.username) {
    throw new LoginRequiredError(`the username must be at most ${LIMITS.username} characters`);
  }
  return login.username;
}

/** The `state` to send back: only one that can be read (a repeated or over-long one is not). */
function stateOf(state: unknown): string | undefined {
  try {
    return validateInput(AuthorizationParametersDto, { state }).state;
  } catch {
    return undefined;
  }
}

/** The error as the client should see it on its redirect URI; undefined when it is not one. */
function redirectable(err: unknown): OAuthError | undefined {
  if (err instanceof StoreUnavailableError) {
    return new TemporarilyUnavailableError(
      'the server cannot issue a code now; retry later',
      err.message,
    );
  }
  return err instanceof OAuthError && REDIRECTABLE.has(err.code) ? err : undefined;
}
