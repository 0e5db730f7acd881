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
import { ResourceConfig } from '../resource.config';
import { BearerError, InsufficientScopeError } from './resource.errors';

/**
 * The only place where the resource server's errors become HTTP: RFC 6750 statuses and
 * `WWW-Authenticate` challenges, upstream failures as 502/503/504, anything else 500.
 */
@Catch()
export class ResourceExceptionFilter implements ExceptionFilter {
  private readonly realm: string;

  constructor(
    private readonly adapterHost: HttpAdapterHost,
    @Inject(ERROR_REPORTER) private readonly reporter: ErrorReporter,
    config: ResourceConfig,
    @InjectPinoLogger('ResourceExceptionFilter') private readonly logger: PinoLogger,
  ) {
    this.realm = quoted(config.realm);
  }

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
    if (exception instanceof BearerError) {
      this.logger.info(
        {
          event: 'access_refused',
          error: exception.code,
          detail: exception.detail ?? exception.description,
        },
        'access refused',
      );
      return this.bearerReply(exception);
    }
    if (exception instanceof UpstreamError) {
      this.logger.warn(
        {
          event: 'upstream_failed',
          upstream: exception.upstream,
          failure: exception.failure,
          detail: exception.detail,
        },
        'token validation failed upstream',
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

  /** @see https://www.rfc-editor.org/rfc/rfc6750#section-3 */
  private bearerReply(err: BearerError): ErrorReply {
    const challenge = (code: string): string =>
      `Bearer realm=${this.realm}, error="${code}", error_description=${quoted(err.description)}`;
    switch (err.code) {
      case 'missing_token':
        return {
          status: 401,
          body: { error: 'invalid_request', error_description: err.description },
          headers: { 'www-authenticate': `Bearer realm=${this.realm}` },
        };
      case 'invalid_request':
        // RFC 6750 3.1: a malformed request SHOULD get 400, not 401.
        return {
          status: 400,
          body: { error: err.code, error_description: err.description },
          headers: { 'www-authenticate': challenge(err.code) },
        };
      case 'invalid_token':
        return {
          status: 401,
          body: { error: err.code, error_description: err.description },
          headers: { 'www-authenticate': challenge(err.code) },
        };
      case 'insufficient_scope':
        return {
          status: 403,
          body: { error: err.code, error_description: err.description },
          headers: {
            'www-authenticate': `${challenge(err.code)}, scope=${quoted(err instanceof InsufficientScopeError ? err.scope : '')}`,
          },
        };
      default:
        return assertNever(err.code);
    }
  }
}

function upstreamReply(err: UpstreamError): ErrorReply {
  switch (err.failure) {
    case 'unavailable':
      return {
        status: 503,
        body: {
          error: 'temporarily_unavailable',
          error_description: 'the authorization server cannot be reached',
        },
      };
    case 'timeout':
      return {
        status: 504,
        body: {
          error: 'gateway_timeout',
          error_description: 'the authorization server did not answer in time',
        },
      };
    case 'bad_response':
      return {
        status: 502,
        body: {
          error: 'bad_gateway',
          error_description: 'the authorization server gave an unusable answer',
        },
      };
  }
}

function assertNever(code: never): never {
  throw new Error(`unmapped error code ${String(code)}`);
}

/** An RFC 7230 quoted-string of printable ASCII. */
function quoted(value: string): string {
  return `"${value.replace(/[^\x20-\x7e]/g, '').replace(/["\\]/g, '\\$&')}"`;
}
