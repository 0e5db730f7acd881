import { Catch, Inject } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { InjectPinoLogger, PinoLogger } from 'nestjs-pino';
import {
  ERROR_REPORTER,
  type ErrorReply,
  type ErrorReporter,
  JsonExceptionFilter,
  upstreamErrorReply,
  UpstreamError,
} from '@app/common';
import type { ErrorCode } from '@app/contracts';
import { UpstreamRefusedError, WebappError } from './webapp.errors';

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
  ) {
    super(adapterHost, reporter, logger);
  }

  protected domainReply(exception: unknown): ErrorReply | undefined {
    if (exception instanceof WebappError) {
      this.logger.warn(
        {
          event: 'flow_failed',
          kind: exception.kind,
          detail: exception.detail ?? exception.description,
        },
        'flow failed',
      );
      return webappErrorReply(exception);
    }
    if (exception instanceof UpstreamError) {
      this.logger.warn(
        {
          event: 'upstream_failed',
          upstream: exception.upstream,
          failure: exception.failure,
          detail: exception.detail,
        },
        'upstream call failed',
      );
      return upstreamErrorReply(exception, 'service_unavailable');
    }
    return undefined;
  }
}

/** How a caller logs in to the webapp. @see https://www.rfc-editor.org/rfc/rfc7617#section-2 */
const BASIC_CHALLENGE = 'Basic realm="webapp", charset="UTF-8"';

function webappErrorReply(err: WebappError): ErrorReply {
  switch (err.kind) {
    case 'invalid_request':
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
      if (!(err instanceof UpstreamRefusedError))
        throw new Error('refused without an UpstreamRefusedError');
      // The upstream's own code, checked against RFC 6749's error syntax when it was read.
      return {
        status: err.status,
        body: { error: err.error as ErrorCode, error_description: err.description },
        // RFC 9110 15.5.2: a 401 MUST carry a challenge; the caller's is the webapp's Basic login.
        ...(err.status === 401 ? { headers: { 'www-authenticate': BASIC_CHALLENGE } } : {}),
      };
    }
    case 'bad_upstream_answer':
      return { status: 502, body: { error: 'bad_gateway', error_description: err.description } };
    default:
      return assertNever(err.kind);
  }
}

function assertNever(kind: never): never {
  throw new Error(`unmapped error kind ${String(kind)}`);
}
