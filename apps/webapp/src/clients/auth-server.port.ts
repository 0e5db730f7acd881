import type { TimeScope } from '@app/contracts';
import type { CallContext } from './call-context';

export interface AuthorizationCall {
  scope: TimeScope;
  state: string;
  codeChallenge: string;
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
  authorize(call: AuthorizationCall, context: CallContext): Promise<AuthorizationResponse>;
  exchangeCode(code: string, codeVerifier: string, context: CallContext): Promise<TokenGrant>;
}

export const AUTH_SERVER = Symbol('AUTH_SERVER');
