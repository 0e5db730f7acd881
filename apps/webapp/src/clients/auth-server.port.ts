import type { Scope } from '@app/contracts';
import type { CallContext } from './call-context';

/** An authorization request: the scope, and the flow's state and PKCE challenge. */
export interface AuthorizationStart {
  scope: Scope;
  state: string;
  codeChallenge: string;
}

/** An authorization request this client sends itself, with the user's login. */
export interface AuthorizationCall extends AuthorizationStart {
  username: string;
  password: string;
}

/** The parameters the authorization server put on the redirect back to this client. */
export interface AuthorizationResponse {
  code?: string;
  state?: string;
  iss?: string;
  error?: string;
  errorDescription?: string;
}

export interface TokenGrant {
  accessToken: string;
  tokenType: string;
  expiresIn: number;
  scope: string;
}

/** The authorization server, as this client uses it. */
export interface AuthServer {
  /** The back channel: the webapp plays the user agent and reads the redirect. */
  authorize(call: AuthorizationCall, context: CallContext): Promise<AuthorizationResponse>;
  /** The front channel: where to send a browser to start the same request. */
  authorizationUrl(start: AuthorizationStart, context: CallContext): Promise<string>;
  exchangeCode(code: string, codeVerifier: string, context: CallContext): Promise<TokenGrant>;
}

export const AUTH_SERVER = Symbol('AUTH_SERVER');
