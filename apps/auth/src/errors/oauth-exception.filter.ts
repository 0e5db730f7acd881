import { Catch, Inject } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { InjectPinoLogger, PinoLogger } from 'nestjs-pino';
import {
  ERROR_REPORTER,
  type ErrorReply,
  type ErrorReporter,
  JsonExceptionFilter,
} from '@app/common';
import { InvalidClientError, OAuthError, RateLimitedError } from './oauth.errors';

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
  ) {
    super(adapterHost, reporter, logger);
  }

  protected domainReply(exception: unknown): ErrorReply | undefined {
    if (exception instanceof OAuthError) {
      this.logger.info(
        {
          event: 'oauth_error',
          error: exception.code,
          detail: exception.detail ?? exception.description,
        },
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

function oauthErrorReply(err: OAuthError): ErrorReply {
  const body = { error: err.code, error_description: err.description };
  switch (err.code) {
    case 'invalid_client':
      return {
        status: 401,
        body,
        headers:
          err instanceof InvalidClientError && err.basic
            ? { 'www-authenticate': 'Basic realm="oauth", charset="UTF-8"' }
            : undefined,
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
      return { status: 400, body };
    case 'server_error':
      return { status: 500, body };
    case 'temporarily_unavailable':
      return { status: 503, body };
    default:
      return assertNever(err.code);
  }
}

function assertNever(code: never): never {
  throw new Error(`unmapped OAuth error code ${String(code)}`);
}
