import { type ArgumentsHost, Catch, type ExceptionFilter, Inject } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { InjectPinoLogger, PinoLogger } from 'nestjs-pino';
import {
  type ErrorReply,
  sendErrorReply,
  transportErrorReply,
  UpstreamError,
  ERROR_REPORTER,
  type ErrorReporter,
} from '@app/common';
import type { ErrorCode } from '@app/contracts';
import { UpstreamRefusedError, WebappError } from './webapp.errors';

/**
 * The only place where the webapp's errors become HTTP: refusals passed on as 401/403, upstream
 * failures as 503 (unreachable), 504 (timed out) and 502 (bad answer), anything else 500.
 */
@Catch()
export class WebappExceptionFilter implements ExceptionFilter {
  constructor(
    private readonly adapterHost: HttpAdapterHost,
    @Inject(ERROR_REPORTER) private readonly reporter: ErrorReporter,
    @InjectPinoLogger('WebappExceptionFilter') private readonly logger: PinoLogger,
  ) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const instance = this.adapterHost.httpAdapter.getInstance<FastifyInstance>();
    sendErrorReply(http.getResponse<FastifyReply>(), this.toReply(exception, request, instance));
  }

  private toReply(
    exception: unknown,
    request: FastifyRequest,
    instance: FastifyInstance,
  ): ErrorReply {
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
      return upstreamReply(exception);
    }
    const transport = transportErrorReply(exception, request, instance);
    if (transport !== undefined) return transport;
    this.logger.error({ event: 'unexpected_error', err: exception }, 'unexpected error');
    this.reporter.report(exception, {
      requestId: request.id,
      method: request.method,
      path: request.url.split('?')[0],
    });
    return {
      status: 500,
      body: { error: 'server_error', error_description: 'the server met an unexpected condition' },
    };
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

function upstreamReply(err: UpstreamError): ErrorReply {
  switch (err.failure) {
    case 'unavailable':
      return {
        status: 503,
        body: {
          error: 'service_unavailable',
          error_description: `the ${err.upstream} server cannot be reached`,
        },
      };
    case 'timeout':
      return {
        status: 504,
        body: {
          error: 'gateway_timeout',
          error_description: `the ${err.upstream} server did not answer in time`,
        },
      };
    case 'bad_response':
      return {
        status: 502,
        body: {
          error: 'bad_gateway',
          error_description: `the ${err.upstream} server gave an unusable answer`,
        },
      };
  }
}

function assertNever(kind: never): never {
  throw new Error(`unmapped error kind ${String(kind)}`);
}
