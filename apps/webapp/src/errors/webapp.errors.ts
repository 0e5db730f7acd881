/** Base of the webapp's own errors; `description` is shown to the caller, `detail` only logged. */
export abstract class WebappError extends Error {
  abstract readonly kind: 'invalid_request' | 'login_required' | 'refused' | 'bad_upstream_answer';

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
