import type { TimeScope } from '@app/contracts';
import type {
  AuthServer,
  AuthorizationCall,
  AuthorizationResponse,
  TokenGrant,
} from '../../src/clients/auth-server.port';
import type { CallContext } from '../../src/clients/call-context';
import type { ResourceServer, TimeReading } from '../../src/clients/resource-server.port';
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

function grantingExchange(code: string, scope: TimeScope): TokenGrant {
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
 * set, is thrown by both calls. `reset()` restores all of it.
 */
export class FakeAuthServer implements AuthServer {
  readonly authorizeCalls: { call: AuthorizationCall; context: CallContext }[] = [];
  readonly exchangeCalls: { code: string; codeVerifier: string; context: CallContext }[] = [];
  failure: Error | undefined;

  redirect = grantingRedirect;
  grant = grantingExchange;

  async authorize(call: AuthorizationCall, context: CallContext): Promise<AuthorizationResponse> {
    this.authorizeCalls.push({ call, context });
    if (this.failure !== undefined) throw this.failure;
    return this.redirect(call);
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
    this.failure = undefined;
    this.redirect = grantingRedirect;
    this.grant = grantingExchange;
  }
}

/** A resource server that answers a fixed time for the user a `token-for-<user>` names. */
export class FakeResourceServer implements ResourceServer {
  readonly calls: { scope: TimeScope; accessToken: string; context: CallContext }[] = [];
  failure: Error | undefined;
  /** Overrides the user of the answer, to play a resource server that mixes users up. */
  user: string | undefined;

  async fetchTime(
    scope: TimeScope,
    accessToken: string,
    context: CallContext,
  ): Promise<TimeReading> {
    this.calls.push({ scope, accessToken, context });
    if (this.failure !== undefined) throw this.failure;
    const user = this.user ?? accessToken.replace('token-for-', '');
    return scope === 'current_time'
      ? { scope, currentTime: FIXED_TIME, user }
      : { scope, epochTime: FIXED_EPOCH, user };
  }

  reset(): void {
    this.calls.length = 0;
    this.failure = undefined;
    this.user = undefined;
  }
}

export { fakeLogger, rejection, thrown } from '../../../../libs/common/test/doubles';
