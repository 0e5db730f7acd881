/**
 * OpenTelemetry tracing, opt-in and free when off.
 *
 * `startTracing(service)` is the first statement of each app's `main.ts`. Unless an OTLP endpoint
 * is configured (`OTEL_EXPORTER_OTLP_ENDPOINT` or `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`) it returns
 * at once and no OpenTelemetry module is ever loaded: this file imports their types only, and
 * `require`s the packages inside `startTracing` (webpack keeps node_modules external, so such a
 * `require` stays lazy in the bundle too). When on: W3C `traceparent` in and out, server spans
 * from the `http` instrumentation named after the Fastify route, client spans from the undici
 * instrumentation (every outbound call goes through an undici Pool), a batch span processor
 * behind a redactor, and the OTLP/HTTP (JSON) exporter.
 */
import type * as OtelApi from '@opentelemetry/api';
import type * as OtelContext from '@opentelemetry/context-async-hooks';
import type * as OtelCore from '@opentelemetry/core';
import type * as OtelExporter from '@opentelemetry/exporter-trace-otlp-http';
import type * as OtelHttp from '@opentelemetry/instrumentation-http';
import type * as OtelUndici from '@opentelemetry/instrumentation-undici';
import type * as OtelResources from '@opentelemetry/resources';
import type * as OtelSdk from '@opentelemetry/sdk-trace';
import { subscribe } from 'node:diagnostics_channel';
import type { IncomingMessage } from 'node:http';
import { createRequire } from 'node:module';
import { PROBE_PATHS } from './probe-paths';
import { RedactingSpanProcessor } from './redacting-span-processor';
import { scrubText, withoutQuery } from './scrub';
import { readTracingSettings, type SamplerSetting, tracingRequested } from './tracing-settings';

/** The trace and span of the current request, for its log line. */
export interface TraceFields {
  trace_id: string;
  span_id: string;
}

/** Set once tracing runs; `currentTraceFields` reads nothing else when it is off. */
let api: typeof OtelApi | undefined;
let provider: OtelSdk.TracerProvider | undefined;

/**
 * Starts tracing for `service` when an OTLP endpoint is configured; returns whether it did. Must
 * run before Fastify (and with it `http`) is loaded, so that the http instrumentation's hook on
 * `require` sees `http` load. Standard variables: `OTEL_SERVICE_NAME` (default: `service`),
 * `OTEL_RESOURCE_ATTRIBUTES`, `OTEL_TRACES_SAMPLER` / `_ARG` (default parent-based always-on),
 * `OTEL_BSP_*`, and the exporter's own `OTEL_EXPORTER_OTLP_*` (endpoint, headers, timeout).
 */
export function startTracing(service: string): boolean {
  if (api !== undefined || !tracingRequested(process.env)) return false;
  const settings = readTracingSettings(service, process.env);
  for (const { setting, reason } of settings.ignored) {
    writeLine('warn', settings.serviceName, 'tracing_setting_ignored', `${setting}: ${reason}`);
  }
  if (fastifyLoaded()) {
    writeLine(
      'warn',
      settings.serviceName,
      'tracing_started_late',
      'Fastify was loaded before tracing started: server spans may be missing',
    );
  }

  /* eslint-disable @typescript-eslint/no-require-imports -- loaded only when tracing is on */
  const otel = require('@opentelemetry/api') as typeof OtelApi;
  const sdk = require('@opentelemetry/sdk-trace') as typeof OtelSdk;
  const core = require('@opentelemetry/core') as typeof OtelCore;
  const resources = require('@opentelemetry/resources') as typeof OtelResources;
  const { AsyncLocalStorageContextManager } =
    require('@opentelemetry/context-async-hooks') as typeof OtelContext;
  const { OTLPTraceExporter } =
    require('@opentelemetry/exporter-trace-otlp-http') as typeof OtelExporter;
  /* eslint-enable @typescript-eslint/no-require-imports */

  // The SDK reports its own trouble (an unreachable collector, a dropped batch) through `diag`,
  // which is silent unless given a logger: these become JSON log lines like every other.
  otel.diag.setLogger(diagLogger(settings.serviceName), otel.DiagLogLevel.WARN);

  const resource = resources
    .defaultResource()
    .merge(
      resources.resourceFromAttributes({
        'service.name': service,
        'service.version': packageVersion(),
      }),
    )
    .merge(resources.detectResources({ detectors: [resources.envDetector] }));
  const exporter = new OTLPTraceExporter();
  const batch = new sdk.BatchSpanProcessor({ exporter, ...definedOnly(settings.batch) });
  const tracerProvider = new sdk.TracerProvider({
    resource,
    sampler: samplerOf(sdk, settings.sampler),
    spanProcessors: [new RedactingSpanProcessor(batch)],
  });
  otel.context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  otel.propagation.setGlobalPropagator(new core.W3CTraceContextPropagator());
  otel.trace.setGlobalTracerProvider(tracerProvider);

  // Instrumentations enable themselves when constructed, so they come after the provider.
  /* eslint-disable @typescript-eslint/no-require-imports -- as above */
  const { HttpInstrumentation } = require('@opentelemetry/instrumentation-http') as typeof OtelHttp;
  const { UndiciInstrumentation } =
    require('@opentelemetry/instrumentation-undici') as typeof OtelUndici;
  /* eslint-enable @typescript-eslint/no-require-imports */
  new HttpInstrumentation({
    ignoreIncomingRequestHook: (request: IncomingMessage) =>
      PROBE_PATHS.has(withoutQuery(request.url ?? '')),
    // Every outbound call of this project goes through undici; the `http` client is used only by
    // the Sentry transport, whose calls are not part of any user's trace.
    disableOutgoingRequestInstrumentation: true,
  });
  new UndiciInstrumentation();
  nameServerSpansAfterRoutes(otel, core);

  api = otel;
  provider = tracerProvider;
  return true;
}

/**
 * Sends the spans still queued and stops the exporter; for the SIGTERM path, after the server has
 * answered its last request. Bounded: a collector that does not answer must not hold up the exit.
 */
export async function shutdownTracing(timeoutMs = 3000): Promise<void> {
  const running = provider;
  if (running === undefined) return;
  provider = undefined;
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    running.shutdown().catch(() => undefined),
    new Promise<void>((resolve) => {
      timer = setTimeout(resolve, timeoutMs);
      timer.unref();
    }),
  ]);
  clearTimeout(timer);
}

/**
 * The current trace and span ids, for a log line; undefined when tracing is off (one comparison),
 * outside a span, or when the trace is not sampled: an id that leads to no stored trace only
 * misleads, and the request id already ties one call's lines together across the services.
 */
export function currentTraceFields(): TraceFields | undefined {
  if (api === undefined) return undefined;
  const span = api.trace.getActiveSpan();
  if (span === undefined) return undefined;
  const context = span.spanContext();
  if ((context.traceFlags & api.TraceFlags.SAMPLED) === 0 || !api.isSpanContextValid(context)) {
    return undefined;
  }
  return { trace_id: context.traceId, span_id: context.spanId };
}

/**
 * Gives each server span its route (`GET /current_time`, attribute `http.route`), as
 * `@fastify/otel` does, without its per-hook spans or its second copy of the OpenTelemetry core:
 * every Fastify instance announces itself on the `fastify.initialization` channel, and an
 * `onRequest` hook sets the route on the metadata the http instrumentation left in the context,
 * which it reads when the span ends.
 */
function nameServerSpansAfterRoutes(otel: typeof OtelApi, core: typeof OtelCore): void {
  subscribe('fastify.initialization', (message) => {
    const { fastify } = message as { fastify: FastifyLike };
    fastify.addHook('onRequest', (request, _reply, done) => {
      const metadata = core.getRPCMetadata(otel.context.active());
      const route = request.routeOptions.url;
      if (metadata?.type === core.RPCType.HTTP && route !== undefined) metadata.route = route;
      done();
    });
  });
}

/** Whether Fastify is in Node's module cache (the real one: webpack rewrites `require.cache`). */
function fastifyLoaded(): boolean {
  return Object.keys(createRequire(__filename).cache).some((path) =>
    /[\\/]node_modules[\\/]fastify[\\/]/.test(path),
  );
}

/** The part of a Fastify instance used here; `fastify` itself is not imported before tracing. */
interface FastifyLike {
  addHook(
    name: 'onRequest',
    hook: (request: { routeOptions: { url?: string } }, reply: unknown, done: () => void) => void,
  ): void;
}

function samplerOf(sdk: typeof OtelSdk, setting: SamplerSetting): OtelSdk.Sampler {
  let root: OtelSdk.Sampler;
  if (setting.kind === 'traceidratio') root = new sdk.TraceIdRatioBasedSampler(setting.ratio);
  else root = setting.kind === 'always_on' ? new sdk.AlwaysOnSampler() : new sdk.AlwaysOffSampler();
  return setting.parentBased ? new sdk.ParentBasedSampler({ root }) : root;
}

function definedOnly<T extends object>(options: T): Partial<T> {
  return Object.fromEntries(
    Object.entries(options).filter(([, value]) => value !== undefined),
  ) as Partial<T>;
}

/** The project's version, also Sentry's release; webpack inlines the file into the bundle. */
export function packageVersion(): string {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- a JSON file, inlined by webpack
  return (require('../../../../package.json') as { version: string }).version;
}

function diagLogger(service: string): OtelApi.DiagLogger {
  const log =
    (level: 'warn' | 'error') =>
    (message: string, ...args: unknown[]): void =>
      writeLine(level, service, 'tracing_diagnostic', [message, ...args.map(describe)].join(' '));
  const ignore = (): void => undefined;
  return { error: log('error'), warn: log('warn'), info: ignore, debug: ignore, verbose: ignore };
}

function describe(arg: unknown): string {
  if (arg instanceof Error) return arg.message;
  if (typeof arg === 'string') return arg;
  try {
    return JSON.stringify(arg);
  } catch {
    return String(arg);
  }
}

/**
 * One JSON log line, in the shape of the service's logger, which does not exist yet when tracing
 * starts (and may not any more when the last export fails). Scrubbed: an exporter's error can
 * echo what it was sending.
 */
function writeLine(level: 'warn' | 'error', service: string, event: string, message: string): void {
  process.stdout.write(
    `${JSON.stringify({ level, time: new Date().toISOString(), service, event, message: scrubText(message) })}\n`,
  );
}
