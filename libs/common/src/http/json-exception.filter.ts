import type { ArgumentsHost, ExceptionFilter } from '@nestjs/common';
import type { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { PinoLogger } from 'nestjs-pino';
import type { ErrorReporter } from '../errors/error-reporter';
import { InvalidInputError } from '../errors/invalid-input.error';
import type { RequestOutcome } from '../outcome/request-outcome.port';
import { DpopReplayCacheFullError } from '../dpop/dpop.errors';
import { StoreUnavailableError } from '../errors/store-unavailable.error';
import { UpstreamError } from '../upstream/upstream.errors';
import { type ErrorReply, pathOf, sendErrorReply, transportErrorReply } from './transport-errors';

/**
 * What every service's one exception filter shares: the app maps its own domain errors
 * (`domainReply`); a store that cannot answer is a 503, an upstream failure a 502/503/504; an
 * input its schema refused is a 400 `invalid_request`; what the transport
 * throws (unknown route, wrong method, body too large, bad media type) becomes the matching 4xx;
 * anything else is a 500 `server_error` with a fixed description, logged with its stack and
 * reported. Every answer is the contract's JSON shape.
 */
export abstract class JsonExceptionFilter implements ExceptionFilter {
  protected constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly reporter: ErrorReporter,
    private readonly logger: PinoLogger,
    protected readonly outcome: RequestOutcome,
    /** How this service names a 503 of an upstream or store it cannot do without. */
    private readonly unavailableCode: 'service_unavailable' | 'temporarily_unavailable',
  ) {}

  /**
   * The reply for one of the app's own errors; undefined for anything else. The request is
   * there for what an answer depends on besides the error (the scheme a client used).
   */
  protected abstract domainReply(
    exception: unknown,
    request: FastifyRequest,
  ): ErrorReply | undefined;

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<FastifyReply>();
    // Set here too: some paths to an error (a bad URL on a method with no routes) skip onRequest.
    void reply.header('x-request-id', request.id);
    sendErrorReply(reply, this.toReply(exception, request));
  }

  private toReply(exception: unknown, request: FastifyRequest): ErrorReply {
    const domain = this.domainReply(exception, request);
    if (domain !== undefined) return domain;
    if (
      exception instanceof StoreUnavailableError ||
      exception instanceof DpopReplayCacheFullError
    ) {
      // Fail closed: without its store the service can check nothing; the client may retry.
      this.outcome.warn('store_unavailable', { detail: exception.message });
      return {
        status: 503,
        body: {
          error: 'temporarily_unavailable',
          error_description: 'the server cannot serve this request now; retry later',
        },
        headers: { 'retry-after': '1' },
      };
    }
    if (exception instanceof UpstreamError) {
      this.outcome.warn(
        'upstream_failed',
        { upstream: exception.upstream, failure: exception.failure, detail: exception.detail },
        'upstream call failed',
      );
      return upstreamErrorReply(exception, this.unavailableCode);
    }
    if (exception instanceof InvalidInputError) {
      this.outcome.record('request_refused', { error: 'invalid_request' }, exception.description);
      return {
        status: 400,
        body: { error: 'invalid_request', error_description: exception.description },
      };
    }
    const instance = this.adapterHost.httpAdapter.getInstance<FastifyInstance>();
    const transport = transportErrorReply(exception, request, instance);
    if (transport !== undefined) return transport;
    this.logger.error({ event: 'unexpected_error', err: exception }, 'unexpected error');
    this.reporter.report(exception, {
      requestId: request.id,
      method: request.method,
      path: pathOf(request.url),
    });
    return {
      status: 500,
      body: { error: 'server_error', error_description: 'the server met an unexpected condition' },
    };
  }
}

/**
 * An upstream failure as a gateway answers it: 503 when the upstream cannot be reached, 504 when
 * it did not answer in time, 502 when it answered nonsense. `unavailableCode` names the 503.
 */
export function upstreamErrorReply(
  err: UpstreamError,
  unavailableCode: 'service_unavailable' | 'temporarily_unavailable',
): ErrorReply {
  switch (err.failure) {
    case 'unavailable':
      return {
        status: 503,
        body: {
          error: unavailableCode,
          error_description: `the ${err.upstream} server cannot be reached`,
        },
        headers: { 'retry-after': String(err.retryAfterSeconds ?? 1) },
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
