import { Inject, Injectable } from '@nestjs/common';
import {
  CLOCK,
  type Clock,
  constantTimeEqual,
  DpopReplayCacheFullError,
  REQUEST_OUTCOME,
  type RequestOutcome,
  StoreUnavailableError,
} from '@app/common';
import type { Scope, ScopeResponse } from '@app/contracts';
import {
  AUTH_SERVER,
  type AuthServer,
  type AuthorizationResponse,
} from '../clients/auth-server.port';
import { withDeadline } from '../clients/call-context';
import { RESOURCE_SERVER, type ResourceServer } from '../clients/resource-server.port';
import { AuthorizationDeniedError, UnknownLoginError } from '../errors/webapp.errors';
import { AuthorizationCodeFlow } from '../flow/authorization-code.flow';
import { WebappConfig } from '../webapp.config';
import { LOGIN_TTL_SECONDS, type LoginBinding, LoginBindingSeal } from './login-binding';
import { USED_LOGINS, type UsedLogins } from './used-logins.port';

/** A login just started: where to send the browser, and the binding it must carry back. */
export interface LoginStart {
  /** The authorization endpoint with this flow's request. */
  location: string;
  /** The sealed binding, for the browser to hold until the callback. */
  binding: string;
  /** How long the browser should keep it: the code's lifetime. */
  maxAgeSeconds: number;
}

/** Why a callback belongs to no login in progress; named in the `login_refused` event. */
type UnknownLoginReason = 'no_binding' | 'bad_binding' | 'expired' | 'foreign_state' | 'replayed';

/**
 * The front channel of the authorization-code flow, for a browser: `start` begins a flow and
 * seals what its end needs into a binding the browser carries; `finish` takes the authorization
 * response the browser brings back with that binding, checks that they belong together (the
 * binding is genuine, unexpired, for this `state`, and used once), then completes the flow (iss,
 * error, code exchange) and calls the resource server. The binding is what defeats CSRF on the
 * redirect URI: a callback can only finish the login this browser started.
 * @see https://www.rfc-editor.org/rfc/rfc9700#section-4.7.1
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-10.12
 */
@Injectable()
export class LoginService {
  constructor(
    private readonly flow: AuthorizationCodeFlow,
    @Inject(AUTH_SERVER) private readonly auth: AuthServer,
    @Inject(RESOURCE_SERVER) private readonly resource: ResourceServer,
    @Inject(USED_LOGINS) private readonly used: UsedLogins,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(REQUEST_OUTCOME) private readonly outcome: RequestOutcome,
    private readonly seal: LoginBindingSeal,
    private readonly config: WebappConfig,
  ) {}

  /** A fresh flow for `scope`: the authorization request to send the browser to, and its binding. */
  async start(scope: Scope, requestId: string): Promise<LoginStart> {
    this.outcome.identify({ client_id: this.config.clientId });
    const flow = this.flow.begin(scope);
    const location = await withDeadline(this.config.upstreamTimeoutMs, requestId, (context) =>
      this.auth.authorizationUrl(
        { scope, state: flow.state, codeChallenge: flow.codeChallenge },
        context,
      ),
    );
    const binding = this.seal.seal({
      scope,
      state: flow.state,
      codeVerifier: flow.codeVerifier,
      expiresAt: this.clock.nowSeconds() + LOGIN_TTL_SECONDS,
    });
    this.outcome.record('login_started', { scope }, 'login started');
    return { location, binding, maxAgeSeconds: LOGIN_TTL_SECONDS };
  }

  /**
   * The end of a login: the binding the browser sent (undefined: none) and the authorization
   * response it brought. Answers what the scope's endpoint answers.
   */
  async finish(
    sealed: string | undefined,
    response: AuthorizationResponse,
    requestId: string,
  ): Promise<ScopeResponse<Scope>> {
    this.outcome.identify({ client_id: this.config.clientId });
    const binding = await this.consume(sealed, response.state);
    try {
      const answer = await withDeadline(
        this.config.upstreamTimeoutMs,
        requestId,
        async (context) => {
          const token = await this.flow.complete(binding, response, context);
          return this.resource.fetch(binding.scope, token, context);
        },
      );
      // The authorization server logged the user in; the answer names whom.
      this.outcome.identify({ user: answer.user });
      this.outcome.record('login_completed', { scope: binding.scope }, 'login completed');
      return answer;
    } catch (err) {
      if (err instanceof AuthorizationDeniedError) {
        this.outcome.record(
          'login_refused',
          { scope: binding.scope, reason: 'authorization_denied', error: err.error },
          'login refused by the authorization server',
        );
      }
      throw err;
    }
  }

  /**
   * The binding, if it belongs to this callback: genuine, unexpired, for this `state`, and not
   * used before. It is spent here, before the code is exchanged, so that of two callbacks with
   * one binding only one gets that far.
   */
  private async consume(
    sealed: string | undefined,
    state: string | undefined,
  ): Promise<LoginBinding> {
    if (sealed === undefined) {
      throw this.unknown(
        'no_binding',
        'no login is in progress in this browser; start one at /login',
      );
    }
    const binding = this.seal.open(sealed);
    if (binding === undefined) {
      throw this.unknown('bad_binding', 'the login cookie is not valid; start again at /login');
    }
    if (this.clock.nowSeconds() >= binding.expiresAt) {
      throw this.unknown('expired', 'the login has expired; start again at /login');
    }
    if (state === undefined || !constantTimeEqual(state, binding.state)) {
      throw this.unknown('foreign_state', 'the callback does not belong to the login in progress');
    }
    let first: boolean;
    try {
      first = await this.used.firstUse(binding.state, binding.expiresAt);
    } catch (err) {
      if (!(err instanceof DpopReplayCacheFullError)) throw err;
      // Full: refuse rather than forget, or the login could be completed twice.
      throw new StoreUnavailableError('used logins', err.message, { cause: err });
    }
    if (!first) {
      throw this.unknown(
        'replayed',
        'this login has already been completed; start again at /login',
      );
    }
    return binding;
  }

  private unknown(reason: UnknownLoginReason, description: string): UnknownLoginError {
    this.outcome.record('login_refused', { reason }, 'callback refused');
    return new UnknownLoginError(description, `callback refused: ${reason}`);
  }
}
