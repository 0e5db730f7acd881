import type { IncomingMessage } from 'node:http';
import type { DynamicModule, INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Logger } from 'nestjs-pino';
import { ConfigError, loadConfig } from '../config/load-config';
import type { ServiceConfig } from '../config/service.config';
import type { RequestScope } from '../logging/request-scope';
import { flushErrorReports } from '../errors/error-reporter';
import { flushStdout } from '../logging/stdout';
import { METRICS, type Metrics } from '../metrics/metrics';
import { currentTraceFields, shutdownTracing } from '../observability/tracing';
import { REQUEST_SCOPE, ROOT_LOGGER } from './platform.module';
import { startManagementServer } from './management-server';
import { answerHeaders, installRequestHooks } from './request-hooks';
import { requestIdOf } from './request-id';
import { clientErrorHandler } from './client-errors';
import { parseForm } from './form-parser';
import { sendErrorReply } from './transport-errors';

/** One service: its settings, its composition root, its port and its own Fastify set-up. */
export interface ServiceDefinition<C extends ServiceConfig> {
  service: string;
  config: new () => C;
  module: (config: C) => DynamicModule;
  port: (config: C) => number;
  /** Body parsers and other per-service Fastify set-up. */
  configure?: (instance: FastifyInstance, config: C) => void;
  /** Headers of the service's own on every answer, at every layer (see `answerHeaders`). */
  headers?: Readonly<Record<string, string>>;
}

/** Makes the Nest application over an adapter; tests pass one that compiles a TestingModule. */
export type NestAppFactory = (adapter: FastifyAdapter) => Promise<NestFastifyApplication>;

/**
 * Builds a service exactly as it runs: the Fastify adapter, the app's module, the request hooks
 * (request id, logging, metrics) and the service's own set-up, then initialises it. The runtime
 * (`runService`) and every transport test go through here, so tests see what production runs.
 */
export async function buildApp<C extends ServiceConfig>(
  definition: ServiceDefinition<C>,
  config: C,
  create: NestAppFactory = (adapter) =>
    NestFactory.create<NestFastifyApplication>(definition.module(config), adapter, {
      bufferLogs: true,
      bodyParser: false,
    }),
): Promise<NestFastifyApplication> {
  const headers = answerHeaders(definition.service, definition.headers);
  const app = await create(createFastifyAdapter(config, headers));
  app.useLogger(app.get(Logger));
  const instance = app.getHttpAdapter().getInstance();
  installRequestHooks(instance, {
    headers,
    scope: app.get<RequestScope>(REQUEST_SCOPE),
    logger: app.get(ROOT_LOGGER),
    metrics: app.get<Metrics>(METRICS),
    // The trace and span ids of the request's server span, when tracing is on.
    startFields: currentTraceFields,
  });
  definition.configure?.(instance, config);
  await app.init();
  await instance.ready();
  return app;
}

/** The Fastify adapter of every service. */
function createFastifyAdapter(
  config: ServiceConfig,
  headers: Readonly<Record<string, string>>,
): FastifyAdapter {
  return new FastifyAdapter({
    bodyLimit: config.bodyLimit,
    genReqId: (req: IncomingMessage) => requestIdOf(req),
    // A request that reached us during a stop is served, not refused: the stop is graceful.
    return503OnClosing: false,
    forceCloseConnections: 'idle',
    routerOptions: {
      ignoreTrailingSlash: false,
      maxParamLength: 256,
      querystringParser: parseForm,
    },
    trustProxy: config.trustProxyHops > 0 ? config.trustProxyHops : false,
    clientErrorHandler: clientErrorHandler(headers),
    // Node would answer a request without Host itself, with an empty 400; the request hooks
    // answer it in the contract's shape instead (RFC 9112 3.2: a server MUST refuse it).
    http: { requireHostHeader: false },
    // Fastify refuses a path that does not percent-decode before any hook or filter runs; its
    // answer is still the contract's JSON and carries the request id.
    frameworkErrors: (_error: Error, request: FastifyRequest, reply: FastifyReply) => {
      void reply.header('x-request-id', request.id).headers(headers);
      sendErrorReply(reply, {
        status: 400,
        body: { error: 'invalid_request', error_description: 'the request path cannot be decoded' },
      });
    },
  });
}

/**
 * Loads and validates the settings, builds the app, listens, and stops gracefully on SIGTERM or
 * SIGINT: no new connections, in-flight requests finished, exit 0 (or 1 past the time limit).
 */
export async function runService<C extends ServiceConfig>(
  definition: ServiceDefinition<C>,
): Promise<void> {
  let config: C;
  try {
    config = loadConfig(definition.config, { env: process.env });
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    fatal(definition.service, 'config_invalid', err.message);
    process.exit(1);
  }
  const app = await buildApp(definition, config);
  const management =
    config.metricsPort === undefined
      ? undefined
      : await startManagementServer(config.metricsPort, config.host, app.get<Metrics>(METRICS));
  stopOnSignals(app, definition.service, config.shutdownTimeoutMs, () => management?.close());
  await app.listen({ port: definition.port(config), host: config.host });
}

function stopOnSignals(
  app: INestApplication,
  service: string,
  timeoutMs: number,
  closeOthers: () => void,
): void {
  let stopping = false;
  const stop = (signal: NodeJS.Signals): void => {
    if (stopping) return;
    stopping = true;
    app.get(Logger).log({ event: 'shutdown_started', signal, message: 'stopping gracefully' });
    setTimeout(() => {
      flushStdout();
      fatal(service, 'shutdown_timeout', `still busy after ${timeoutMs} ms`);
      process.exit(1);
    }, timeoutMs).unref();
    closeOthers();
    // Queued spans and error reports go out before the exit (each wait is bounded).
    const closed = app.close().then(() => Promise.all([shutdownTracing(), flushErrorReports()]));
    closed.then(
      () => {
        flushStdout();
        process.exit(0);
      },
      (err: unknown) => {
        flushStdout();
        fatal(service, 'shutdown_failed', err instanceof Error ? err.message : String(err));
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

/** A log line for when there is no logger yet, or none any more. */
function fatal(service: string, event: string, message: string): void {
  process.stdout.write(
    `${JSON.stringify({ level: 'fatal', time: new Date().toISOString(), service, event, message })}\n`,
  );
}
