import type { IncomingMessage, ServerResponse } from 'node:http';
import { LoggerModule } from 'nestjs-pino';
import { destination, type DestinationStream, stdTimeFunctions } from 'pino';
import type { DynamicModule } from '@nestjs/common';
import { processMetrics } from '../metrics/metrics';
import { requestIdOf } from './request-id';

/**
 * Keys whose values are never written. The serializers already keep headers, query strings and
 * bodies out of every line; this is the second fence. Exact paths only: wildcard paths cost a walk
 * over every line's object, which showed up at 10 % of the authorization server's CPU.
 */
export const REDACTED_PATHS = [
  'authorization',
  'client_secret',
  'password',
  'code',
  'code_verifier',
  'access_token',
  'token',
  'req.headers.authorization',
  'req.headers.cookie',
  'req.query',
  'req.body',
  'res.headers.location',
  'res.headers["set-cookie"]',
];

let stdout: (DestinationStream & { flushSync(): void }) | undefined;

/**
 * Standard output, written asynchronously: lines that arrive while a write is under way are
 * coalesced into the next one, so a busy service makes one write call per batch rather than per
 * line (each call costs a system call, the dearest part of logging on small VMs).
 */
export function logDestination(): DestinationStream & { flushSync(): void } {
  stdout ??= destination({ dest: 1, sync: false });
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
 * The one LoggerModule of a service: JSON lines on stdout with `service`, `level`, `time`,
 * `event` and the request-bound `request_id`; no headers, no query strings, no secrets.
 */
export function createLoggerModule(service: string, level: string): DynamicModule {
  return LoggerModule.forRoot({
    // assign() context (client_id, user) also lands on the request-completed line.
    assignResponse: true,
    pinoHttp: {
      level,
      base: { service },
      messageKey: 'message',
      timestamp: stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      mixin: (merge) => ('event' in merge ? {} : { event: eventOf(merge) }),
      // Every domain event is counted as it is logged, so metrics and logs cannot disagree.
      hooks: { logMethod: countEvents(service) },
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
      genReqId: (req) => requestIdOf(req),
      // Probes poll every few seconds; their lines would drown the ones that matter.
      // Under Nest's middleware mount, req.url may be cut to the mount; originalUrl is the whole path.
      autoLogging: { ignore: (req) => PROBES.has(pathOf(originalUrlOf(req))) },
      customAttributeKeys: { reqId: 'request_id', responseTime: 'duration_ms' },
      serializers: {
        req: (req: IncomingMessage & { id?: string }) => ({
          method: req.method,
          path: pathOf(req.url),
        }),
        res: (res: ServerResponse) => ({ status: res.statusCode }),
      },
      customSuccessObject: (_req, _res, value: Record<string, unknown>) => ({
        ...value,
        event: 'http_request',
      }),
      customErrorObject: (_req, _res, _err, value: Record<string, unknown>) => ({
        ...value,
        event: 'http_request',
      }),
      customSuccessMessage: () => 'request completed',
      customErrorMessage: () => 'request failed',
      customLogLevel: (_req, res, err) =>
        err !== undefined || res.statusCode >= 500 ? 'error' : 'info',
      quietReqLogger: true,
      stream: logDestination(),
    },
  });
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

function originalUrlOf(req: IncomingMessage): string | undefined {
  return (req as IncomingMessage & { originalUrl?: string }).originalUrl ?? req.url;
}

function pathOf(url: string | undefined): string {
  if (url === undefined) return '';
  const query = url.indexOf('?');
  return query === -1 ? url : url.slice(0, query);
}

/** Nest's own lines carry a `context` (the class that logs); name the event after it. */
function eventOf(merge: object): string {
  const context = (merge as { context?: unknown }).context;
  if (typeof context !== 'string') return 'log';
  return context
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/[^A-Za-z0-9_]/g, '_')
    .toLowerCase();
}
