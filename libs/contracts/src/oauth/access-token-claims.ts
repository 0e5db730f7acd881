import type { Scope } from '../api/scope-table';

/** The claims of an access token. @see https://www.rfc-editor.org/rfc/rfc9068#section-2.2 */
export interface AccessTokenClaims {
  iss: string;
  sub: string;
  aud: string;
  client_id: string;
  scope: Scope;
  iat: number;
  exp: number;
  jti: string;
  /** RFC 9449 6.1: a DPoP-bound token names the thumbprint of its key. */
  cnf?: { jkt: string };
}

export const ACCESS_TOKEN_TYPE = 'at+jwt';
export const ACCESS_TOKEN_ALG = 'ES256';
