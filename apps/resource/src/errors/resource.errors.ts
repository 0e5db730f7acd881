/**
 * A refusal of the resource server. `description` goes to the caller; `detail` only to the log.
 * @see https://www.rfc-editor.org/rfc/rfc6750#section-3.1
 */
export abstract class BearerError extends Error {
  abstract readonly code:
    'missing_token' | 'invalid_request' | 'invalid_token' | 'insufficient_scope';

  constructor(
    readonly description: string,
    readonly detail?: string,
    /** The scheme whose challenge answers the refusal (RFC 9449 7.1 for DPoP). */
    readonly scheme: 'Bearer' | 'DPoP' = 'Bearer',
  ) {
    super(description);
  }
}

/** No access token came in the Authorization header. */
export class MissingTokenError extends BearerError {
  override readonly name = 'MissingTokenError';
  readonly code = 'missing_token';
}

/** The request is malformed: a token outside the Authorization header, or several. */
export class InvalidRequestError extends BearerError {
  override readonly name = 'InvalidRequestError';
  readonly code = 'invalid_request';
}

/** The token is expired, revoked, malformed, or not for this server. */
export class InvalidTokenError extends BearerError {
  override readonly name = 'InvalidTokenError';
  readonly code = 'invalid_token';
}

/** The token is valid but does not open this endpoint. */
export class InsufficientScopeError extends BearerError {
  override readonly name = 'InsufficientScopeError';
  readonly code = 'insufficient_scope';

  constructor(
    readonly scope: string,
    detail?: string,
  ) {
    super(`this endpoint needs the scope ${scope}`, detail);
  }
}
