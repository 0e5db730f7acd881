import { createHash } from 'node:crypto';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { CLOCK, type Clock, REQUEST_OUTCOME } from '@app/common';
import type { Scope, ScopeResponse } from '@app/contracts';
import { type Override, testApp } from '../../../../libs/common/test/app';
import { RecordedOutcome } from '../../../../libs/common/test/doubles';
import {
  AUTH_SERVER,
  type AuthServer,
  type AuthorizationCall,
  type AuthorizationResponse,
  type AuthorizationStart,
  type TokenGrant,
} from '../../src/clients/auth-server.port';
import type { CallContext } from '../../src/clients/call-context';
import {
  type AccessToken,
  RESOURCE_SERVER,
  type ResourceServer,
} from '../../src/clients/resource-server.port';
import { USED_LOGINS, type UsedLogins } from '../../src/login/used-logins.port';
import { WEBAPP_APP } from '../../src/webapp.app';
import { WebappConfig } from '../../src/webapp.config';

/** Test doubles for the browser login's transport tests, over the ports as they are now. */

export const ISSUER = 'http://localhost:5001';
export const AUTHORIZATION_ENDPOINT = 'https://as.example/authorize';
export const FIXED_TIME = '2026-01-02T03:04:05+00:00';
export const FIXED_EPOCH = 1_767_323_045;
/** The key the tests' webapp signs login bindings with, so that a test can seal its own. */
export const COOKIE_SECRET = 'test-login-cookie-secret-of-32-characters!';

export function loginConfig(overrides: Partial<WebappConfig> = {}): WebappConfig {
  return Object.assign(
    new WebappConfig(),
    { logLevel: 'silent', loginCookieSecret: COOKIE_SECRET },
    overrides,
  );
}

/** The S256 challenge of a verifier. @see https://www.rfc-editor.org/rfc/rfc7636#section-4.2 */
export function s256(verifier: string): string {
  return createHash('sha256').update(verifier).digest('base64url');
}

/**
 * An authorization server for the front channel: `authorizationUrl` gives the endpoint with the
 * request's scope, state and challenge, and `exchangeCode` turns a code `code-for-<user>` into a
 * token `token-for-<user>` of the `grantScope` (the scope of the last authorization URL unless
 * set). `failure`, when set, is thrown by every call.
 */
export class FrontChannelAuthServer implements AuthServer {
  readonly starts: AuthorizationStart[] = [];
  readonly exchanges: { code: string; codeVerifier: string; context: CallContext }[] = [];
  failure: Error | undefined;
  grantScope: Scope | undefined;
  tokenType = 'Bearer';

  async authorize(_call: AuthorizationCall, _context: CallContext): Promise<AuthorizationResponse> {
    throw new Error('the front channel never calls the authorization endpoint itself');
  }

  async authorizationUrl(start: AuthorizationStart, _context: CallContext): Promise<string> {
    if (this.failure !== undefined) throw this.failure;
    this.starts.push(start);
    const query = new URLSearchParams({
      scope: start.scope,
      state: start.state,
      code_challenge: start.codeChallenge,
    });
    return `${AUTHORIZATION_ENDPOINT}?${query.toString()}`;
  }

  async exchangeCode(
    code: string,
    codeVerifier: string,
    context: CallContext,
  ): Promise<TokenGrant> {
    this.exchanges.push({ code, codeVerifier, context });
    if (this.failure !== undefined) throw this.failure;
    return {
      accessToken: code.replace('code-for-', 'token-for-'),
      tokenType: this.tokenType,
      expiresIn: 5,
      scope: this.grantScope ?? this.starts.at(-1)?.scope ?? 'current_time',
    };
  }
}

/** A resource server that answers a fixed time for the user a `token-for-<user>` names. */
export class FrontChannelResourceServer implements ResourceServer {
  readonly calls: { scope: Scope; token: AccessToken }[] = [];
  failure: Error | undefined;

  async fetch<S extends Scope>(
    scope: S,
    token: AccessToken,
    _context: CallContext,
  ): Promise<ScopeResponse<S>> {
    this.calls.push({ scope, token });
    if (this.failure !== undefined) throw this.failure;
    const user = token.value.replace('token-for-', '');
    const answer =
      scope === 'current_time'
        ? { current_time: FIXED_TIME, user }
        : { epoch_time: FIXED_EPOCH, user };
    return answer as ScopeResponse<S>;
  }
}

/** A clock the test sets. */
export class SettableClock implements Clock {
  constructor(public now = 1_800_000_000) {}

  nowSeconds(): number {
    return this.now;
  }
}

export interface LoginTestApp {
  app: NestFastifyApplication;
  auth: FrontChannelAuthServer;
  resource: FrontChannelResourceServer;
  clock: SettableClock;
  outcome: RecordedOutcome;
}

/**
 * The webapp as main.ts builds it (`testApp`, as `createWebappApp` does), with these doubles for
 * the two servers, the clock and the RequestOutcome port, and optionally for the used-logins
 * record.
 */
export async function createLoginTestApp(
  config: WebappConfig = loginConfig(),
  options: { usedLogins?: UsedLogins } = {},
): Promise<LoginTestApp> {
  const auth = new FrontChannelAuthServer();
  const resource = new FrontChannelResourceServer();
  const clock = new SettableClock();
  const outcome = new RecordedOutcome();
  const overrides: Override[] = [
    { token: AUTH_SERVER, value: auth },
    { token: RESOURCE_SERVER, value: resource },
    { token: CLOCK, value: clock },
    { token: REQUEST_OUTCOME, value: outcome },
  ];
  if (options.usedLogins !== undefined) {
    overrides.push({ token: USED_LOGINS, value: options.usedLogins });
  }
  const app = await testApp(WEBAPP_APP, config, overrides);
  return { app, auth, resource, clock, outcome };
}
