import { Catch, Inject } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { InjectPinoLogger, PinoLogger } from 'nestjs-pino';
import {
  assertNever,
  InvalidDpopProofError,
  REQUEST_OUTCOME,
  type RequestOutcome,
} from '@app/common';
import {
  ERROR_REPORTER,
  type ErrorReply,
  type ErrorReporter,
  JsonExceptionFilter,
} from '@app/common/http';
import { OAuthError, RateLimitedError } from './oauth.errors';

/** How a client authenticates when it is asked to. @see https://www.rfc-editor.org/rfc/rfc6749#section-2.3.1 */
const CLIENT_CHALLENGE = 'Basic realm="oauth", charset="UTF-8"';

/**
 * The only place where the authorization server's errors become HTTP: status codes,
 * `WWW-Authenticate`, and the RFC 6749 5.2 JSON body. Anything unknown is a 500 `server_error`
 * with a fixed description, logged with its stack.
 */
@Catch()
export class OAuthExceptionFilter extends JsonExceptionFilter {
  constructor(
    adapterHost: HttpAdapterHost,
    @Inject(ERROR_REPORTER) reporter: ErrorReporter,
    @InjectPinoLogger('OAuthExceptionFilter') logger: PinoLogger,
    @Inject(REQUEST_OUTCOME) outcome: RequestOutcome,
  ) {
    super(adapterHost, reporter, logger, outcome, 'temporarily_unavailable');
  }

  protected domainReply(exception: unknown): ErrorReply | undefined {
    // RFC 9449 5: a bad proof at the token endpoint is a 400 with its own error code, as the
    // RFC 6749 5.2 errors are.
    if (exception instanceof OAuthError || exception instanceof InvalidDpopProofError) {
      this.outcome.record(
        'oauth_error',
        { error: exception.code, detail: exception.detail ?? exception.description },
        'request refused',
      );
      return oauthErrorReply(exception);
    }
    if (exception instanceof RateLimitedError) {
      return {
        status: 429,
        body: { error: 'too_many_requests', error_description: 'too many requests; retry later' },
        headers: { 'retry-after': String(exception.retryAfterSeconds) },
      };
    }
    return undefined;
  }
}

function oauthErrorReply(err: OAuthError | InvalidDpopProofError): ErrorReply {
  const { code } = err;
  const body = { error: code, error_description: err.description };
  switch (code) {
    case 'invalid_client':
      // RFC 9110 15.5.2: every 401 carries a challenge, Basic or not (RFC 6749 5.2 asks for it
      // when the client tried Basic; a client that tried nothing is told how).
      return {
        status: 401,
        body,
        headers: { 'www-authenticate': CLIENT_CHALLENGE },
      };
    case 'login_required':
      return {
        status: 401,
        body,
        headers: { 'www-authenticate': 'Basic realm="login", charset="UTF-8"' },
      };
    case 'invalid_request':
    case 'invalid_grant':
    case 'unauthorized_client':
    case 'unsupported_grant_type':
    case 'unsupported_response_type':
    case 'invalid_scope':
    case 'access_denied':
    case 'invalid_token':
    case 'insufficient_scope':
    case 'invalid_dpop_proof':
    case 'use_dpop_nonce':
      return { status: 400, body };
    case 'server_error':
      return { status: 500, body };
    case 'temporarily_unavailable':
      return { status: 503, body };
    default:
      return assertNever(code);
  }
}
