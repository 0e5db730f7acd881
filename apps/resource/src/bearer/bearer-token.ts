import { InvalidRequestError, MissingTokenError } from '../errors/resource.errors';

/** b64token. @see https://www.rfc-editor.org/rfc/rfc6750#section-2.1 */
const BEARER = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i;

/**
 * The access token from `Authorization: Bearer`, the only place this server takes one from
 * (RFC 9700 2.4.1 advises against the query parameter of RFC 6750 2.3). A token only in the
 * query is an unsupported method, so the request counts as unauthenticated (401, RFC 6750 3.1);
 * a token in both places uses two methods at once, which is a bad request (400, RFC 6750 2).
 */
export function bearerTokenOf(
  authorization: string | string[] | undefined,
  query: Record<string, unknown> | undefined,
): string {
  const inQuery =
    query !== undefined && Object.prototype.hasOwnProperty.call(query, 'access_token');
  if (Array.isArray(authorization)) {
    throw new InvalidRequestError('send one Authorization header', 'several headers');
  }
  if (authorization === undefined || !/^bearer(\s|$)/i.test(authorization)) {
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
  const match = BEARER.exec(authorization);
  if (match?.[1] === undefined) {
    throw new InvalidRequestError(
      'the Authorization header is not a valid Bearer credential',
      'malformed Bearer',
    );
  }
  return match[1];
}
