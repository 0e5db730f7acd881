import { randomUUID } from 'node:crypto';

/** Where an unexpected error happened. */
export interface ErrorContext {
  requestId?: string;
  method?: string;
  path?: string;
}

/** Sends unexpected server errors somewhere people look; does nothing unless configured. */
export interface ErrorReporter {
  report(error: unknown, context: ErrorContext): void;
}

export const ERROR_REPORTER = Symbol('ERROR_REPORTER');

export class NoErrorReporter implements ErrorReporter {
  report(): void {}
}

interface Dsn {
  envelopeUrl: string;
  publicKey: string;
  dsn: string;
}

/** Parses a Sentry DSN, `https://<key>@<host>/<project>`; undefined when it is not one. */
export function parseDsn(dsn: string): Dsn | undefined {
  let url: URL;
  try {
    url = new URL(dsn);
  } catch {
    return undefined;
  }
  const project = url.pathname.split('/').filter((part) => part.length > 0);
  const projectId = project.pop();
  if (!/^https?:$/.test(url.protocol) || url.username === '' || projectId === undefined)
    return undefined;
  const prefix = project.length > 0 ? `/${project.join('/')}` : '';
  return {
    envelopeUrl: `${url.protocol}//${url.host}${prefix}/api/${projectId}/envelope/`,
    publicKey: url.username,
    dsn,
  };
}

const JWT = /eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*/g;
const LONG_OPAQUE = /[A-Za-z0-9_-]{32,}/g;

/**
 * Reports to Sentry through its envelope endpoint, written here rather than pulled in as an SDK:
 * the event carries the error's type, message and stack, the service, the request id, the method
 * and the path, and nothing else: no headers, no query, no body. Messages are scrubbed of the
 * configured secrets, of anything shaped like a JWT and of long opaque strings (codes, verifiers).
 * Sending is fire-and-forget with a short timeout; a failure to report never fails a request.
 * @see https://develop.sentry.dev/sdk/data-model/envelopes/
 */
export class SentryErrorReporter implements ErrorReporter {
  constructor(
    private readonly dsn: Dsn,
    private readonly service: string,
    private readonly environment: string,
    private readonly secrets: readonly string[],
    private readonly timeoutMs = 2000,
  ) {}

  report(error: unknown, context: ErrorContext): void {
    void this.send(error, context).catch(() => undefined);
  }

  /** Builds and posts the envelope; resolves when the endpoint answered (for tests). */
  async send(error: unknown, context: ErrorContext): Promise<void> {
    const eventId = randomUUID().replace(/-/g, '');
    const err = error instanceof Error ? error : new Error(String(error));
    const event = {
      event_id: eventId,
      timestamp: Date.now() / 1000,
      platform: 'node',
      level: 'error',
      environment: this.environment,
      tags: { service: this.service, request_id: context.requestId ?? 'none' },
      request: { method: context.method, url: context.path },
      exception: {
        values: [
          {
            type: err.name,
            value: this.scrub(err.message),
            stacktrace: {
              frames: framesOf(err.stack).map((frame) => ({
                ...frame,
                function: this.scrub(frame.function),
              })),
            },
          },
        ],
      },
    };
    const envelope = [
      JSON.stringify({
        event_id: eventId,
        dsn: this.dsn.dsn.replace(/\/\/[^@]+@/, '//'),
        sent_at: new Date().toISOString(),
      }),
      JSON.stringify({ type: 'event' }),
      JSON.stringify(event),
    ].join('\n');
    await fetch(this.dsn.envelopeUrl, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-sentry-envelope',
        'x-sentry-auth': `Sentry sentry_version=7, sentry_client=oauth-time-stack/1.0, sentry_key=${this.dsn.publicKey}`,
      },
      body: envelope,
      signal: AbortSignal.timeout(this.timeoutMs),
    });
  }

  private scrub(text: string): string {
    let result = text;
    for (const secret of this.secrets) {
      if (secret.length > 0) result = result.split(secret).join('[redacted]');
    }
    return result.replace(JWT, '[redacted]').replace(LONG_OPAQUE, '[redacted]');
  }
}

/** Sentry wants the innermost frame last. */
function framesOf(
  stack: string | undefined,
): { function: string; filename: string; lineno?: number; colno?: number }[] {
  if (stack === undefined) return [];
  const frames = [];
  for (const line of stack.split('\n').slice(1)) {
    const match = /^\s*at (?:(.*?) \()?(.*?):(\d+):(\d+)\)?$/.exec(line);
    if (match === null) continue;
    frames.push({
      function: match[1] ?? '?',
      filename: match[2] ?? '?',
      lineno: Number(match[3]),
      colno: Number(match[4]),
    });
  }
  return frames.reverse();
}

/** The reporter a service runs with: Sentry when SENTRY_DSN is set, nothing otherwise. */
export function createErrorReporter(
  service: string,
  config: { sentryDsn?: string; environment?: string },
  secrets: readonly string[],
): ErrorReporter {
  if (config.sentryDsn === undefined || config.sentryDsn === '') return new NoErrorReporter();
  const dsn = parseDsn(config.sentryDsn);
  if (dsn === undefined) return new NoErrorReporter();
  return new SentryErrorReporter(dsn, service, config.environment ?? 'production', secrets);
}
