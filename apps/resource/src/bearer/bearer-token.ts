import { InvalidRequestError, MissingTokenError } from '../errors/resource.errors';

/** b64token. @see https://www.rfc-editor.org/rfc/rfc6750#section-2.1 */
const BEARER = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i;

/**
 * The access token from `Authorization: Bearer`, the only place this server takes one from: a
 * token in the query or body (RFC 6750 2.2, 2.3) is refused, as RFC 9700 2.4.1 advises.
 */
export function bearerTokenOf(
  authorization: string | string[] | undefined,
  query: Record<string, unknown> | undefined,
): string {
  if (query !== undefined && Object.prototype.hasOwnProperty.call(query, 'access_token')) {
    throw new InvalidRequestError(
      'access tokens are accepted only in the Authorization header',
      'token in query',
    );
  }
  if (Array.isArray(authorization))
    throw new InvalidRequestError('send one Authorization header', 'several headers');
  if (authorization === undefined || !/^bearer(\s|$)/i.test(authorization)) {
    throw new MissingTokenError('an access token is required in the Authorization header');
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
