import { LIMITS } from '@app/contracts';
import {
  InvalidRequestError,
  InvalidTokenError,
  MissingTokenError,
} from '../errors/resource.errors';

/** The access token of a request, and the scheme it came under. */
export interface Credential {
  scheme: 'Bearer' | 'DPoP';
  token: string;
}

/** `b64token`. @see https://www.rfc-editor.org/rfc/rfc6750#section-2.1 */
const B64TOKEN = /^[A-Za-z0-9\-._~+/]+=*$/;
const SCHEME = /^(bearer|dpop)(?: +(.*?))? *$/i;

/**
 * The access token from `Authorization: Bearer` (RFC 6750 2.1) or `Authorization: DPoP` (RFC
 * 9449 7.1), the only place this server takes one from: RFC 9700 2.4.1 advises against the query
 * parameter of RFC 6750 2.3. A token only in the query is an unsupported method, so the request
 * counts as unauthenticated (401, RFC 6750 3.1); a token in both places uses two methods at once
 * (400, RFC 6750 2). A credential outside the b64token syntax, or longer than any token of this
 * stack, is a malformed token: 401 `invalid_token`, with its challenge.
 */
export function credentialOf(
  authorization: string | string[] | undefined,
  query: Record<string, unknown> | undefined,
): Credential {
  const inQuery =
    query !== undefined && Object.prototype.hasOwnProperty.call(query, 'access_token');
  if (Array.isArray(authorization)) {
    throw new InvalidRequestError('send one Authorization header', 'several headers');
  }
  const match = authorization === undefined ? null : SCHEME.exec(authorization);
  if (match === null) {
    throw new MissingTokenError(
      inQuery
        ? 'access tokens are accepted only in the Authorization header'
        : 'an access token is required in the Authorization header',
      inQuery ? 'token in query' : undefined,
    );
  }
  if (inQuery) {
    throw new InvalidRequestError(
      'send the access token in the Authorization header only',
      'token in both the header and the query',
    );
  }
  const scheme = match[1]?.toLowerCase() === 'dpop' ? 'DPoP' : 'Bearer';
  const token = match[2] ?? '';
  if (!B64TOKEN.test(token) || token.length > LIMITS.accessToken) {
    throw new InvalidTokenError('the access token is malformed', `malformed ${scheme} credential`);
  }
  return { scheme, token };
}
