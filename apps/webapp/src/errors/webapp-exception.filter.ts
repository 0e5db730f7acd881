import { Catch, Inject } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { InjectPinoLogger, PinoLogger } from 'nestjs-pino';
import { assertNever, REQUEST_OUTCOME, type RequestOutcome } from '@app/common';
import {
  ERROR_REPORTER,
  type ErrorReply,
  type ErrorReporter,
  JsonExceptionFilter,
} from '@app/common/http';
import type { ErrorCode } from '@app/contracts';
import { AuthorizationDeniedError, UpstreamRefusedError, WebappError } from './webapp.errors';

/** How a caller logs in to the webapp. @see https://www.rfc-editor.org/rfc/rfc7617#section-2 */
const BASIC_CHALLENGE = 'Basic realm="webapp", charset="UTF-8"';

/**
 * The only place where the webapp's errors become HTTP: refusals passed on as 401/403, upstream
 * failures as 503 (unreachable), 504 (timed out) and 502 (bad answer), anything else 500.
 */
@Catch()
export class WebappExceptionFilter extends JsonExceptionFilter {
  constructor(
    adapterHost: HttpAdapterHost,
    @Inject(ERROR_REPORTER) reporter: ErrorReporter,
    @InjectPinoLogger('WebappExceptionFilter') logger: PinoLogger,
    @Inject(REQUEST_OUTCOME) outcome: RequestOutcome,
  ) {
    super(adapterHost, reporter, logger, outcome, 'service_unavailable');
  }

  protected domainReply(exception: unknown): ErrorReply | undefined {
    if (exception instanceof WebappError) {
      this.outcome.warn(
        'flow_failed',
        { kind: exception.kind, detail: exception.detail ?? exception.description },
        'flow failed',
      );
      return webappErrorReply(exception);
    }
    return undefined;
  }
}

function webappErrorReply(err: WebappError): ErrorReply {
  switch (err.kind) {
    case 'invalid_request':
    case 'unknown_login':
      return {
        status: 400,
        body: { error: 'invalid_request', error_description: err.description },
      };
    case 'login_required':
      return {
        status: 401,
        body: { error: 'unauthorized', error_description: err.description },
        headers: { 'www-authenticate': BASIC_CHALLENGE },
      };
    case 'refused': {
      if (!(err instanceof UpstreamRefusedError)) throw new Error('refused without its error');
      // The upstream's own code, checked against RFC 6749's error syntax when it was read.
      return {
        status: err.status,
        body: { error: err.error as ErrorCode, error_description: err.description },
        // RFC 9110 15.5.2: a 401 MUST carry a challenge; the caller's is the webapp's Basic login.
        ...(err.status === 401 ? { headers: { 'www-authenticate': BASIC_CHALLENGE } } : {}),
      };
    }
    case 'denied': {
      if (!(err instanceof AuthorizationDeniedError)) throw new Error('denied without its error');
      return err.isRefusal
        ? {
            status: 403,
            body: { error: err.error as ErrorCode, error_description: err.description },
          }
        : { status: 502, body: { error: 'bad_gateway', error_description: err.description } };
    }
    case 'bad_upstream_answer':
      return { status: 502, body: { error: 'bad_gateway', error_description: err.description } };
    default:
      return assertNever(err.kind);
  }
}
