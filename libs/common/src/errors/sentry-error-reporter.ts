import type * as SentryNode from '@sentry/node';
import type { Breadcrumb, ErrorEvent, Exception } from '@sentry/node';
import { currentTraceFields, packageVersion } from '../observability/tracing';
import { scrubText, withoutQuery } from '../observability/scrub';
import type { ErrorContext, ErrorReporter } from './error-reporter.port';

export interface SentryReporterOptions {
  dsn: string;
  service: string;
  /** `APP_ENV`. */
  environment: string;
  /** `SENTRY_RELEASE`; the package's name and version when unset. */
  release?: string;
  /** Configured values that must never be sent (client secrets, the default password). */
  secrets: readonly string[];
}

/** Every client started in this process, for `flushErrorReports`. */
const clients = new Set<SentryNode.NodeClient>();

/**
 * Reports unexpected server errors through the Sentry SDK, for errors only: no tracing (no
 * `tracesSampleRate`, no span integrations), no profiling, no OpenTelemetry setup of its own and
 * no module hooks (the project's tracing, when on, owns OpenTelemetry), and of the default
 * integrations only those an error event needs. An event carries the error (with its causes),
 * the service, the request id, the method and the path, and the trace id when the request is
 * traced; `beforeSend` is the last fence: it rebuilds the request part from method and path only
 * and scrubs secrets, JWTs and code-shaped strings from every message, exception value and
 * breadcrumb.
 */
export class SentryErrorReporter implements ErrorReporter {
  private constructor(
    private readonly sentry: typeof SentryNode,
    private readonly client: SentryNode.NodeClient,
    private readonly service: string,
  ) {}

  /** Loads the SDK and starts a client; undefined where the SDK declines to (a worker thread). */
  static start(options: SentryReporterOptions): SentryErrorReporter | undefined {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded only when SENTRY_DSN is set
    const sentry = require('@sentry/node') as typeof SentryNode;
    const client = sentry.init({
      dsn: options.dsn,
      release: options.release ?? `oauth2-time-stack@${packageVersion()}`,
      environment: options.environment,
      // For what the global handlers report (a crash, an unhandled rejection) too.
      initialScope: { tags: { service: options.service } },
      // The SDK's defaults are for tracing and for collecting request data; none are wanted here.
      defaultIntegrations: false,
      integrations: [
        sentry.linkedErrorsIntegration(),
        sentry.dedupeIntegration(),
        sentry.nodeContextIntegration(),
        sentry.onUncaughtExceptionIntegration(),
        // `strict`: a rejection nobody handles still ends the process, as it does without Sentry.
        sentry.onUnhandledRejectionIntegration({ mode: 'strict' }),
      ],
      // No span streaming integration either: there are no Sentry spans to stream.
      traceLifecycle: 'static',
      enableOpenTelemetrySetup: false,
      enableRuntimeChannelInjection: false,
      sendClientReports: false,
      dataCollection: {
        userInfo: false,
        cookies: false,
        httpHeaders: false,
        httpBodies: [],
        urlQueryParams: false,
        stackFrameVariables: false,
        frameContextLines: 0,
      },
      maxBreadcrumbs: 20,
      beforeSend: (event) => scrubEvent(event, options.secrets),
      beforeBreadcrumb: (breadcrumb) => scrubBreadcrumb(breadcrumb, options.secrets),
    });
    if (client === undefined) return undefined;
    clients.add(client);
    return new SentryErrorReporter(sentry, client, options.service);
  }

  report(error: unknown, context: ErrorContext): void {
    // A scope of its own per event: nothing from another request can leak into it.
    const scope = new this.sentry.Scope();
    scope.setTags({
      service: this.service,
      request_id: context.requestId ?? 'none',
      ...currentTraceFields(),
    });
    const request = { method: context.method, url: context.path };
    scope.addEventProcessor((event) => ({ ...event, request }));
    // Through the scope, which hands the SDK the original error (for its causes) and a stack.
    scope.setClient(this.client);
    scope.captureException(error);
  }

  /**
   * Nest calls this once the server is closed and its last request answered: what is queued is
   * sent, and the client is closed, so that a later `Sentry.init` (another app in the same
   * process, as in the tests) starts from a clean slate.
   */
  async onApplicationShutdown(): Promise<void> {
    clients.delete(this.client);
    await this.client.close(2000);
  }
}

/**
 * Sends the error reports still queued; for the SIGTERM path. Resolves at once when Sentry is
 * not configured, and after `timeoutMs` at the latest.
 */
export async function flushErrorReports(timeoutMs = 2000): Promise<void> {
  await Promise.all(
    [...clients].map((client) => Promise.resolve(client.flush(timeoutMs)).catch(() => false)),
  );
}

/** The event as it may leave the process. */
export function scrubEvent(event: ErrorEvent, secrets: readonly string[]): ErrorEvent {
  const scrub = (text: string): string => scrubText(text, secrets);
  // Only the method and the path: no headers, cookies, query string, body or client address.
  if (event.request !== undefined) {
    const { method, url } = event.request;
    event.request = { method, url: url === undefined ? undefined : withoutQuery(url) };
  }
  if (event.message !== undefined) event.message = scrub(event.message);
  if (event.logentry !== undefined) {
    event.logentry = {
      message: event.logentry.message === undefined ? undefined : scrub(event.logentry.message),
      params: event.logentry.params?.map((param) => scrubValue(param, secrets)),
    };
  }
  for (const exception of event.exception?.values ?? []) scrubException(exception, scrub);
  if (event.breadcrumbs !== undefined) {
    event.breadcrumbs = event.breadcrumbs.map((breadcrumb) => scrubBreadcrumb(breadcrumb, secrets));
  }
  if (event.extra !== undefined)
    event.extra = scrubValue(event.extra, secrets) as typeof event.extra;
  delete event.user;
  return event;
}

function scrubException(exception: Exception, scrub: (text: string) => string): void {
  if (exception.value !== undefined) exception.value = scrub(exception.value);
  for (const frame of exception.stacktrace?.frames ?? []) delete frame.vars;
}

function scrubBreadcrumb(breadcrumb: Breadcrumb, secrets: readonly string[]): Breadcrumb {
  return {
    ...breadcrumb,
    message: breadcrumb.message === undefined ? undefined : scrubText(breadcrumb.message, secrets),
    data:
      breadcrumb.data === undefined
        ? undefined
        : (scrubValue(breadcrumb.data, secrets) as typeof breadcrumb.data),
  };
}

/** Every string inside `value`, at any depth, scrubbed; the rest unchanged. */
function scrubValue(value: unknown, secrets: readonly string[], depth = 0): unknown {
  if (typeof value === 'string') return scrubText(value, secrets);
  if (depth > 8 || typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) return value.map((item) => scrubValue(item, secrets, depth + 1));
  return Object.fromEntries(
    Object.entries(value).map(([key, item]) => [key, scrubValue(item, secrets, depth + 1)]),
  );
}
