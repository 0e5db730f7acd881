/** Base of the webapp's own errors; `description` is shown to the caller, `detail` only logged. */
export abstract class WebappError extends Error {
  abstract readonly kind:
    | 'invalid_request'
    | 'login_required'
    | 'refused'
    | 'denied'
    | 'bad_upstream_answer'
    | 'unknown_login';

  constructor(
    readonly description: string,
    readonly detail?: string,
  ) {
    super(description);
  }
}

/** The request cannot be read. */
export class InvalidRequestError extends WebappError {
  override readonly name = 'InvalidRequestError';
  readonly kind = 'invalid_request';
}

/** The caller sent credentials that name no user. */
export class LoginRequiredError extends WebappError {
  override readonly name = 'LoginRequiredError';
  readonly kind = 'login_required';
}

/** The authorization or resource server refused, with a status the caller should see. */
export class UpstreamRefusedError extends WebappError {
  override readonly name = 'UpstreamRefusedError';
  readonly kind = 'refused';

  constructor(
    readonly upstream: string,
    readonly status: 401 | 403,
    readonly error: string,
    description: string,
  ) {
    super(description, `${upstream} refused with ${status} ${error}`);
  }
}

/**
 * The authorization server sent the user agent back with an error (RFC 6749 4.1.2.1). A refusal
 * (`access_denied`, `invalid_scope`, `unauthorized_client`) is the user's answer: 403 with the
 * server's code. Any other code means this client asked wrongly: a bad upstream answer (502).
 */
export class AuthorizationDeniedError extends WebappError {
  override readonly name = 'AuthorizationDeniedError';
  readonly kind = 'denied';

  constructor(
    readonly error: string,
    description: string | undefined,
  ) {
    super(
      `the authorization server refused: ${description ?? error}`,
      `authorization error ${error}: ${description ?? ''}`,
    );
  }

  /** Whether the code is a refusal of the user or client, not a fault of this client's request. */
  get isRefusal(): boolean {
    return ['access_denied', 'invalid_scope', 'unauthorized_client'].includes(this.error);
  }
}

/** A callback that belongs to no login in progress: no binding, a foreign state, or a replay. */
export class UnknownLoginError extends WebappError {
  override readonly name = 'UnknownLoginError';
  readonly kind = 'unknown_login';
}

/** An upstream answered, but the answer breaks the protocol (wrong state, iss, user, shape). */
export class BadUpstreamAnswerError extends WebappError {
  override readonly name = 'BadUpstreamAnswerError';
  readonly kind = 'bad_upstream_answer';

  constructor(
    readonly upstream: string,
    detail: string,
  ) {
    super(`the ${upstream} server gave an unusable answer`, detail);
  }
}
