import { hostname } from 'node:os';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import type { RequestScope, RequestState } from '../logging/request-scope';
import type { Metrics } from '../metrics/metrics';
import { PROBE_PATHS } from '../observability/probe-paths';
import { pathOf, sendErrorReply } from './transport-errors';

/**
 * The headers every answer of `service` carries, whichever layer writes it (a route, a filter,
 * Fastify's framework errors, the raw-socket parser errors): which replica answered, no MIME
 * sniffing, and the service's own (the authorization server's refusal to be framed).
 */
export function answerHeaders(
  service: string,
  own: Readonly<Record<string, string>> = {},
): Readonly<Record<string, string>> {
  return {
    'x-served-by': `${service}@${hostname()}:${process.pid}`,
    'x-content-type-options': 'nosniff',
    ...own,
  };
}

export interface RequestHookDependencies {
  /** The headers every answer carries (`answerHeaders`), set before anything else runs. */
  headers: Readonly<Record<string, string>>;
  scope: RequestScope;
  logger: Logger;
  metrics: Metrics;
  /** Extra fields for a request's log line when it starts (trace ids when tracing is on). */
  startFields?: () => { trace_id?: string; span_id?: string } | undefined;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** The request's log state; set by onRequest, read by the response hooks. */
    logState: RequestState | null;
  }
}

/**
 * The per-request plumbing of every service: the X-Request-ID and X-Served-By answer headers,
 * the request's state for logging (run through the rest of the request by AsyncLocalStorage),
 * its **one log line** when the answer is sent, and the request metrics. The line is named after
 * the event the request recorded (`token_issued`, `token_introspected`, `oauth_error`, ...;
 * `http_request` when none) with that event's fields, the method, the path without query, the
 * status and the duration; a 5xx is written at level error.
 */
export function installRequestHooks(
  instance: FastifyInstance,
  deps: RequestHookDependencies,
): void {
  const { headers, scope, logger, metrics, startFields } = deps;
  instance.decorateRequest('logState', null);
  instance.addHook('onRequest', (request, reply, done) => {
    void reply.header('x-request-id', request.id);
    void reply.headers(headers);
    const state: RequestState = {
      fields: { request_id: request.id, ...startFields?.() },
      written: false,
    };
    request.logState = state;
    if (request.raw.httpVersion === '1.1' && request.headers.host === undefined) {
      void reply.header('connection', 'close');
      sendErrorReply(reply, {
        status: 400,
        body: { error: 'invalid_request', error_description: 'the Host header is required' },
      });
      return;
    }
    scope.run(state, done);
  });
  instance.addHook('onResponse', (request, reply, done) => {
    metrics.observeRequest(
      request.method,
      request.routeOptions.url ?? 'unmatched',
      reply.statusCode,
      reply.elapsedTime / 1000,
    );
    const path = pathOf(request.url);
    if (!PROBE_PATHS.has(path)) writeRequestLine(logger, request, reply, path);
    done();
  });
  // A request whose client went away still gets its event written.
  instance.addHook('onRequestAbort', (request, done) => {
    const state = request.logState;
    if (state !== null && !state.written && state.event !== undefined) {
      state.written = true;
      const { name, fields, message } = state.event;
      logger.info({ ...state.fields, event: name, ...fields, aborted: true }, message);
    }
    done();
  });
}

function writeRequestLine(
  logger: Logger,
  request: FastifyRequest,
  reply: FastifyReply,
  path: string,
): void {
  // A request that failed before onRequest (an undecodable URL) has no state of its own.
  const state = request.logState ?? { fields: { request_id: request.id }, written: false };
  state.written = true;
  const status = reply.statusCode;
  const event = state.event;
  const line = {
    ...state.fields,
    event: event?.name ?? 'http_request',
    ...event?.fields,
    req: { method: request.method, path },
    res: { status },
    duration_ms: Math.round(reply.elapsedTime),
  };
  const message = event?.message ?? 'request completed';
  if (status >= 500) logger.error(line, message);
  else logger.info(line, message);
}
