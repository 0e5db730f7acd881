import type { OAuthErrorCode } from '@app/contracts';

/**
 * A protocol error of the authorization server. `description` goes to the client; `detail`
 * (why, in words for operators) goes only to the log.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-5.2
 */
export abstract class OAuthError extends Error {
  abstract readonly code: OAuthErrorCode;

  constructor(
    readonly description: string,
    readonly detail?: string,
    options?: { cause?: unknown },
  ) {
    super(description, options);
  }
}

export class InvalidRequestError extends OAuthError {
  override readonly name = 'InvalidRequestError';
  readonly code = 'invalid_request';
}

/** Client authentication failed; the client reads no more than that, the log says why. */
export class InvalidClientError extends OAuthError {
  override readonly name = 'InvalidClientError';
  readonly code = 'invalid_client';

  constructor(detail: string) {
    super('client authentication failed', detail);
  }
}

export class InvalidGrantError extends OAuthError {
  override readonly name = 'InvalidGrantError';
  readonly code = 'invalid_grant';
}

export class UnauthorizedClientError extends OAuthError {
  override readonly name = 'UnauthorizedClientError';
  readonly code = 'unauthorized_client';
}

export class UnsupportedGrantTypeError extends OAuthError {
  override readonly name = 'UnsupportedGrantTypeError';
  readonly code = 'unsupported_grant_type';
}

export class UnsupportedResponseTypeError extends OAuthError {
  override readonly name = 'UnsupportedResponseTypeError';
  readonly code = 'unsupported_response_type';
}

export class InvalidScopeError extends OAuthError {
  override readonly name = 'InvalidScopeError';
  readonly code = 'invalid_scope';
}

/** The server cannot take the request now (a full quota); the client may retry later. */
export class TemporarilyUnavailableError extends OAuthError {
  override readonly name = 'TemporarilyUnavailableError';
  readonly code = 'temporarily_unavailable';
}

/** The resource owner has not logged in (no usable credentials). */
export class LoginRequiredError extends OAuthError {
  override readonly name = 'LoginRequiredError';
  readonly code = 'login_required';
}

/**
 * Too many calls or failures from one client or address; not an OAuth protocol error, so it
 * stands outside the OAuthError codes. The filter answers 429 with Retry-After.
 */
export class RateLimitedError extends Error {
  override readonly name = 'RateLimitedError';

  constructor(
    readonly retryAfterSeconds: number,
    readonly detail: string,
  ) {
    super('too many requests');
  }
}
