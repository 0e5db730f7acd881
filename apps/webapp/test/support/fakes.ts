import type { Scope, ScopeResponse } from '@app/contracts';
import type {
  AuthServer,
  AuthorizationCall,
  AuthorizationResponse,
  AuthorizationStart,
  TokenGrant,
} from '../../src/clients/auth-server.port';
import type { CallContext } from '../../src/clients/call-context';
import type { AccessToken, ResourceServer } from '../../src/clients/resource-server.port';
import { WebappConfig } from '../../src/webapp.config';

/** Tiny stand-ins for the webapp's ports, for unit and transport tests. */

export const ISSUER = 'http://localhost:5001';
export const FIXED_TIME = '2026-01-02T03:04:05+00:00';
export const FIXED_EPOCH = 1_767_323_045;

export function testConfig(overrides: Partial<WebappConfig> = {}): WebappConfig {
  return Object.assign(new WebappConfig(), { logLevel: 'silent' }, overrides);
}

export function callContext(requestId = 'r-1'): CallContext {
  return { requestId, signal: new AbortController().signal };
}

function grantingRedirect(call: AuthorizationCall): AuthorizationResponse {
  return { code: `code-for-${call.username}`, state: call.state, iss: ISSUER };
}

function grantingExchange(code: string, scope: Scope): TokenGrant {
  return {
    accessToken: code.replace('code-for-', 'token-for-'),
    tokenType: 'Bearer',
    expiresIn: 5,
    scope,
  };
}

/**
 * An authorization server that grants every request: it redirects back with the caller's state,
 * the configured issuer and a code naming the user, and exchanges that code for a token
 * `token-for-<user>`. `redirect` and `grant` can be replaced to answer otherwise; `failure`, when
 * set, is thrown by every call. `reset()` restores all of it.
 */
export class FakeAuthServer implements AuthServer {
  readonly authorizeCalls: { call: AuthorizationCall; context: CallContext }[] = [];
  readonly exchangeCalls: { code: string; codeVerifier: string; context: CallContext }[] = [];
  readonly startCalls: { start: AuthorizationStart; context: CallContext }[] = [];
  failure: Error | undefined;

  redirect = grantingRedirect;
  grant = grantingExchange;

  async authorize(call: AuthorizationCall, context: CallContext): Promise<AuthorizationResponse> {
    this.authorizeCalls.push({ call, context });
    if (this.failure !== undefined) throw this.failure;
    return this.redirect(call);
  }

  async authorizationUrl(start: AuthorizationStart, context: CallContext): Promise<string> {
    this.startCalls.push({ start, context });
    if (this.failure !== undefined) throw this.failure;
    return `${ISSUER}/authorize?state=${start.state}`;
  }

  async exchangeCode(
    code: string,
    codeVerifier: string,
    context: CallContext,
  ): Promise<TokenGrant> {
    this.exchangeCalls.push({ code, codeVerifier, context });
    if (this.failure !== undefined) throw this.failure;
    const scope = this.authorizeCalls.at(-1)?.call.scope ?? 'current_time';
    return this.grant(code, scope);
  }

  reset(): void {
    this.authorizeCalls.length = 0;
    this.exchangeCalls.length = 0;
    this.startCalls.length = 0;
    this.failure = undefined;
    this.redirect = grantingRedirect;
    this.grant = grantingExchange;
  }
}

/** What each scope's endpoint answers at the fake resource server: a fixed time. */
const FIXED_ANSWERS: { [S in Scope]: (user: string) => ScopeResponse<S> } = {
  current_time: (user) => ({ current_time: FIXED_TIME, user }),
  epoch_time: (user) => ({ epoch_time: FIXED_EPOCH, user }),
};

/** A resource server that answers a fixed time for the user a `token-for-<user>` names. */
export class FakeResourceServer implements ResourceServer {
  readonly calls: { scope: Scope; token: AccessToken; context: CallContext }[] = [];
  failure: Error | undefined;
  /** Overrides the user of the answer, to play a resource server that mixes users up. */
  user: string | undefined;

  async fetch<S extends Scope>(
    scope: S,
    token: AccessToken,
    context: CallContext,
  ): Promise<ScopeResponse<S>> {
    this.calls.push({ scope, token, context });
    if (this.failure !== undefined) throw this.failure;
    const user = this.user ?? token.value.replace('token-for-', '');
    return FIXED_ANSWERS[scope](user);
  }

  reset(): void {
    this.calls.length = 0;
    this.failure = undefined;
    this.user = undefined;
  }
}

export { RecordedOutcome, rejection, thrown } from '../../../../libs/common/test/doubles';
