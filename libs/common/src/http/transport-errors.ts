import { HttpException } from '@nestjs/common';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ErrorCode, ErrorResponse } from '@app/contracts';

/** An error answer ready to send: status, JSON body and extra headers. */
export interface ErrorReply {
  status: number;
  body: ErrorResponse;
  headers?: Record<string, string>;
}

const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS'] as const;

/**
 * Maps what the transport itself throws (unknown route, wrong method, body too large, bad JSON,
 * unsupported media type) to the contract's JSON error shape. Returns undefined for anything else,
 * which the app's filter then maps.
 */
export function transportErrorReply(
  exception: unknown,
  request: FastifyRequest,
  instance: FastifyInstance,
): ErrorReply | undefined {
  if (exception instanceof HttpException) {
    const status = exception.getStatus();
    if (status === 404) return notFoundOrWrongMethod(request, instance);
    return { status, body: { error: codeForStatus(status), error_description: describe(status) } };
  }
  const status = fastifyStatus(exception);
  if (status === undefined) return undefined;
  return { status, body: { error: codeForStatus(status), error_description: describe(status) } };
}

function notFoundOrWrongMethod(request: FastifyRequest, instance: FastifyInstance): ErrorReply {
  const url = pathOf(request.url);
  const allowed = METHODS.filter((method) => routeExists(instance, method, url));
  if (allowed.length > 0) {
    return {
      status: 405,
      body: {
        error: 'method_not_allowed',
        error_description: `${request.method} is not allowed on ${url}`,
      },
      headers: { allow: allowed.join(', ') },
    };
  }
  return { status: 404, body: { error: 'not_found', error_description: 'no such resource' } };
}

/**
 * Whether a route answers `method` on `url`. find-my-way reads its argument as a route pattern,
 * so a request path like `/*x` or `/:a(*)` makes it throw: such a path is no route of ours.
 */
function routeExists(instance: FastifyInstance, method: string, url: string): boolean {
  try {
    return instance.hasRoute({ method, url });
  } catch {
    return false;
  }
}

/** Fastify's own errors (content-type parser, body limit) carry a 4xx statusCode and FST_ code. */
function fastifyStatus(exception: unknown): number | undefined {
  if (typeof exception !== 'object' || exception === null) return undefined;
  const { statusCode, code } = exception as { statusCode?: unknown; code?: unknown };
  if (typeof code !== 'string' || !code.startsWith('FST_')) return undefined;
  if (typeof statusCode !== 'number' || statusCode < 400 || statusCode > 499) return undefined;
  return statusCode;
}

function codeForStatus(status: number): ErrorCode {
  switch (status) {
    case 401:
      return 'unauthorized';
    case 404:
      return 'not_found';
    case 405:
      return 'method_not_allowed';
    case 413:
      return 'payload_too_large';
    case 415:
      return 'unsupported_media_type';
    default:
      return 'invalid_request';
  }
}

function describe(status: number): string {
  switch (status) {
    case 413:
      return 'request body is too large';
    case 415:
      return 'unsupported content type';
    default:
      return 'the request could not be read';
  }
}

/** The path of a request URL, without its query (which may carry codes and tokens). */
export function pathOf(url: string): string {
  const query = url.indexOf('?');
  return query === -1 ? url : url.slice(0, query);
}

/** Sends an error answer as JSON with the given headers. */
export function sendErrorReply(reply: FastifyReply, error: ErrorReply): void {
  if (error.headers !== undefined) void reply.headers(error.headers);
  void reply
    .status(error.status)
    .header('content-type', 'application/json; charset=utf-8')
    .header('cache-control', 'no-store')
    .header('x-content-type-options', 'nosniff')
    .send(error.body);
}
