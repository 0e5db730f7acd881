import type { IncomingMessage, ServerResponse } from 'node:http';
import { LoggerModule } from 'nestjs-pino';
import { stdTimeFunctions } from 'pino';
import type { DynamicModule } from '@nestjs/common';
import { requestIdOf } from './request-id';

/** Paths whose values are never written, wherever they turn up in a log object. */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
  'res.headers.location',
  '*.authorization',
  '*.client_secret',
  '*.clientSecret',
  '*.password',
  '*.code',
  '*.code_verifier',
  '*.codeVerifier',
  '*.access_token',
  '*.accessToken',
  '*.token',
];

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
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
      genReqId: (req) => requestIdOf(req),
      // Probes poll every few seconds; their lines would drown the ones that matter.
      autoLogging: { ignore: (req) => PROBES.has(pathOf(req.url)) },
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
    },
  });
}

const PROBES = new Set(['/healthz', '/readyz']);

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
