import type { TimeScope } from './scopes';

/** The JOSE header of an access token. @see https://www.rfc-editor.org/rfc/rfc9068#section-2.1 */
export interface AccessTokenHeader {
  typ: 'at+jwt';
  alg: 'ES256';
  kid: string;
}

/** The claims of an access token. @see https://www.rfc-editor.org/rfc/rfc9068#section-2.2 */
export interface AccessTokenClaims {
  iss: string;
  sub: string;
  aud: string;
  client_id: string;
  scope: TimeScope;
  iat: number;
  exp: number;
  jti: string;
}

export const ACCESS_TOKEN_TYPE = 'at+jwt';
export const ACCESS_TOKEN_ALG = 'ES256';
