import { type DestinationStream, type Logger, pino, stdTimeFunctions } from 'pino';

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

export interface RootLoggerOptions {
  service: string;
  level: string;
  destination: DestinationStream;
  /** The fields of the request being served (request_id, client_id, user), if any. */
  requestFields: () => object | undefined;
}

const NONE = Object.freeze({});

/**
 * A service's root logger: JSON lines with `level`, `time`, `service`, `event` and `message`.
 * pino's `mixin` adds the fields of the request being served to every line, so no per-request
 * child logger is needed (a pino child costs a full set-up; a flow made a dozen).
 * @see https://getpino.io/#/docs/api?id=mixin-function
 */
export function createRootLogger(options: RootLoggerOptions): Logger {
  return pino(
    {
      level: options.level,
      base: { service: options.service },
      messageKey: 'message',
      timestamp: stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      mixin: (merge) => {
        const request = 'request_id' in merge ? NONE : (options.requestFields() ?? NONE);
        return 'event' in merge ? request : { ...request, event: eventOf(merge) };
      },
      // The line's own fields win; the mixin's object is shared and must not be written to.
      mixinMergeStrategy: (merge, mixin) => {
        for (const [key, value] of Object.entries(mixin)) {
          if (!(key in merge)) (merge as Record<string, unknown>)[key] = value;
        }
        return merge;
      },
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    },
    options.destination,
  );
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
