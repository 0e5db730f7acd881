import type { DynamicModule } from '@nestjs/common';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { LoggerModule } from 'nestjs-pino';
import { Store, storage } from 'nestjs-pino/storage';
import {
  type Bindings,
  destination,
  type DestinationStream,
  type Logger,
  pino,
  stdTimeFunctions,
} from 'pino';
import { pathOf } from '../http/transport-errors';
import { processMetrics } from '../metrics/metrics';

/**
 * Keys whose values are never written. No line carries headers, query strings or bodies in the
 * first place; this is the second fence. Exact paths only: wildcard paths cost a walk over every
 * line's object, which showed up at 10 % of the authorization server's CPU.
 */
export const REDACTED_PATHS = [
  'authorization',
  'client_secret',
  'password',
  'code',
  'code_verifier',
  'access_token',
  'token',
];

let stdout: (DestinationStream & { flushSync(): void }) | undefined;
let root: Logger | undefined;

/**
 * Standard output, buffered: lines go out in batches of 4 KiB, and at least every 200 ms when
 * traffic is light, so a busy service makes one write call per dozen lines rather than one per
 * line (measured: about 10 % of the CPU of a flow). The buffer is flushed at exit.
 */
export function logDestination(): DestinationStream & { flushSync(): void } {
  stdout ??= destination({ dest: 1, sync: false, minLength: 4096, periodicFlush: 200 });
  return stdout;
}

/** Writes out what is still buffered; called before the process exits. */
export function flushLogs(): void {
  try {
    stdout?.flushSync();
  } catch {
    // Nothing more can be done about a log that cannot be written at exit.
  }
}

/**
 * The process's root logger: JSON lines on stdout with `level`, `time`, `service`, `event` and
 * `message`. Each domain event is counted in the metrics as it is logged.
 */
export function rootLogger(service = 'unknown', level = 'info'): Logger {
  root ??= pino(
    {
      level,
      base: { service },
      messageKey: 'message',
      timestamp: stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      mixin: (merge) => ('event' in merge ? {} : { event: eventOf(merge) }),
      hooks: { logMethod: countEvents(service) },
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    },
    logDestination(),
  );
  return root;
}

/**
 * The one LoggerModule of a service. nestjs-pino provides the Logger that Nest logs through and
 * the PinoLogger the services inject; its own per-request middleware (pino-http behind Nest's
 * middleware layer) is not mounted, because binding each request in a Fastify hook
 * (`bindRequestLogging`) does the same job for a fifth of the CPU: it measured 120 µs a request.
 */
export function createLoggerModule(service: string, level: string): DynamicModule {
  return LoggerModule.forRoot({ pinoHttp: { logger: rootLogger(service, level) }, forRoutes: [] });
}

const STORE = Symbol('logStore');
type LoggedRequest = FastifyRequest & { [STORE]?: RequestLogStore };

/** A domain event logged at info level during a request, held for the request's one line. */
interface HeldEvent {
  fields: Record<string, unknown>;
  message?: string;
}

/**
 * The store PinoLogger reads during a request: the request's logger, and the first info-level
 * domain event it logged, which is written together with the request's outcome.
 */
class RequestLogStore extends Store {
  held?: HeldEvent;
  /** Set once the request's line is written: later lines are written at once. */
  closed = false;

  constructor(root: Logger, requestId: string) {
    super(root);
    this.logger = requestLogger(root, requestId, this);
  }
}

/**
 * Binds every request to its own logger carrying `request_id` (the store PinoLogger reads, so
 * `assign({ client_id, user })` adds to it) and writes **one line per request** when the answer
 * is sent: the domain event the request logged (`token_issued`, `token_introspected`,
 * `oauth_error`, ...; `http_request` when it logged none) with its fields, the method, the path
 * without query, the status and the duration. Warnings and errors are written at once. Probe
 * and scrape requests are not logged. One line instead of two halves what logging costs, here
 * and in the container runtime that collects the lines.
 */
export function bindRequestLogging(instance: FastifyInstance): void {
  const logger = rootLogger();
  instance.addHook('onRequest', (request: LoggedRequest, _reply, done) => {
    const store = new RequestLogStore(logger, request.id);
    request[STORE] = store;
    storage.run(store, done);
  });
  instance.addHook('onResponse', (request: LoggedRequest, reply, done) => {
    const path = pathOf(request.url);
    if (!PROBES.has(path)) {
      const store = request[STORE] ?? new RequestLogStore(logger, request.id);
      const held = store.held;
      store.closed = true;
      const status = reply.statusCode;
      const line = {
        ...(held?.fields ?? { event: 'http_request' }),
        req: { method: request.method, path },
        res: { status },
        duration_ms: Math.round(reply.elapsedTime),
      };
      const message = held?.message ?? 'request completed';
      if (status >= 500) store.logger.error(line, message);
      else store.logger.info(line, message);
    }
    done();
  });
  // A request whose client went away still gets its event written.
  instance.addHook('onRequestAbort', (request: LoggedRequest, done) => {
    const store = request[STORE];
    const held = store?.held;
    if (store !== undefined && held !== undefined && !store.closed) {
      store.closed = true;
      store.logger.info({ ...held.fields, aborted: true }, held.message);
    }
    done();
  });
}

/**
 * A logger for one request, without pino's `child()`: an object that inherits everything from
 * the root and carries its own bindings, starting with `request_id`. nestjs-pino's `assign()`
 * calls `child(fields)` and stores the result; here that adds the fields to this same logger.
 * A pino child costs a full level set-up (about 30 µs), and a flow made a dozen of them. Its
 * `info` holds the request's first domain event for the request's line.
 */
function requestLogger(root: Logger, requestId: string, store: RequestLogStore): Logger {
  const view = Object.create(root) as Logger;
  view.setBindings({ request_id: requestId });
  view.child = ((bindings: Bindings) => {
    view.setBindings(bindings);
    return view;
  }) as unknown as Logger['child'];
  const info = root.info;
  const hold = function (this: Logger, first: unknown, ...rest: unknown[]): void {
    const event =
      typeof first === 'object' && first !== null
        ? (first as { event?: unknown }).event
        : undefined;
    const message = typeof rest[0] === 'string' ? rest[0] : undefined;
    if (typeof event === 'string' && store.held === undefined && !store.closed) {
      store.held = { fields: first as Record<string, unknown>, message };
      return;
    }
    info.call(view, first, message, ...rest.slice(1));
  };
  view.info = hold;
  return view;
}

type LogMethod = (this: unknown, ...args: unknown[]) => void;

/** A pino logMethod hook that counts each logged domain event, with its outcome if it has one. */
function countEvents(service: string) {
  const metrics = processMetrics(service);
  return function (this: unknown, args: unknown[], method: LogMethod): void {
    const first = args[0];
    if (typeof first === 'object' && first !== null) {
      const { event, active, revoked } = first as Record<string, unknown>;
      if (typeof event === 'string' && event !== 'http_request') {
        metrics.countEvent(event, resultOf(active, revoked));
      }
    }
    method.apply(this, args);
  };
}

function resultOf(active: unknown, revoked: unknown): string {
  if (typeof active === 'boolean') return active ? 'active' : 'inactive';
  if (typeof revoked === 'boolean') return revoked ? 'revoked' : 'ignored';
  return '';
}

const PROBES = new Set(['/healthz', '/readyz', '/metrics']);

/** Nest's own lines carry a `context` (the class that logs); name the event after it. */
function eventOf(merge: object): string {
  const context = (merge as { context?: unknown }).context;
  if (typeof context !== 'string') return 'log';
  return context
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/[^A-Za-z0-9_]/g, '_')
    .toLowerCase();
}
