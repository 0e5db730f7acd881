import type { IncomingMessage } from 'node:http';
import type { DynamicModule, INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Logger } from 'nestjs-pino';
import { ConfigError, loadConfig } from '../config/load-config';
import type { ServiceConfig } from '../config/service.config';
import { bindRequestLogging, flushLogs } from '../logging/logging.module';
import { requestIdOf } from '../logging/request-id';
import { sendErrorReply } from '../http/transport-errors';
import { processMetrics } from '../metrics/metrics';

export interface ServiceDefinition<C extends ServiceConfig> {
  service: string;
  config: new () => C;
  module: (config: C) => DynamicModule;
  port: (config: C) => number;
  /** Body parsers and other per-service Fastify setup. */
  configure?: (instance: FastifyInstance, config: C) => void;
}

/** The Fastify adapter every service and every transport test uses. */
export function createFastifyAdapter(config: ServiceConfig): FastifyAdapter {
  return new FastifyAdapter({
    bodyLimit: config.bodyLimit,
    genReqId: (req: IncomingMessage) => requestIdOf(req),
    // A request that reached us during a stop is served, not refused: the stop is graceful.
    return503OnClosing: false,
    forceCloseConnections: 'idle',
    routerOptions: { ignoreTrailingSlash: false, maxParamLength: 256 },
    // Fastify refuses a path that does not percent-decode before any hook or filter runs; its
    // answer is still the contract's JSON and carries the request id.
    frameworkErrors: (_error: Error, request: FastifyRequest, reply: FastifyReply) => {
      void reply.header('x-request-id', request.id);
      sendErrorReply(reply, {
        status: 400,
        body: { error: 'invalid_request', error_description: 'the request path cannot be decoded' },
      });
    },
  });
}

/** Per-request plumbing shared by all services: the X-Request-ID echo and request metrics. */
export function configureFastify(instance: FastifyInstance): void {
  const metrics = processMetrics();
  instance.addHook('onRequest', (request, reply, done) => {
    void reply.header('x-request-id', request.id);
    done();
  });
  bindRequestLogging(instance);
  instance.addHook('onResponse', (request, reply, done) => {
    const route = request.routeOptions.url ?? 'unmatched';
    metrics.observeRequest(request.method, route, reply.statusCode, reply.elapsedTime / 1000);
    done();
  });
}

/**
 * Loads and validates the settings, builds the app, listens, and stops gracefully on SIGTERM or
 * SIGINT: no new connections, in-flight requests finished, exit 0 (or 1 past the time limit).
 */
export async function runService<C extends ServiceConfig>(
  definition: ServiceDefinition<C>,
): Promise<void> {
  processMetrics(definition.service);
  let config: C;
  try {
    config = loadConfig(definition.config, { env: process.env });
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    fatal(definition.service, 'config_invalid', err.message);
    process.exit(1);
  }
  const app = await NestFactory.create<NestFastifyApplication>(
    definition.module(config),
    createFastifyAdapter(config),
    { bufferLogs: true, bodyParser: false },
  );
  app.useLogger(app.get(Logger));
  const instance = app.getHttpAdapter().getInstance();
  configureFastify(instance);
  definition.configure?.(instance, config);
  stopOnSignals(app, definition.service, config.shutdownTimeoutMs);
  await app.listen({ port: definition.port(config), host: config.host });
}

function stopOnSignals(app: INestApplication, service: string, timeoutMs: number): void {
  let stopping = false;
  const stop = (signal: NodeJS.Signals): void => {
    if (stopping) return;
    stopping = true;
    app.get(Logger).log({ event: 'shutdown_started', signal, message: 'stopping gracefully' });
    setTimeout(() => {
      flushLogs();
      fatal(service, 'shutdown_timeout', `still busy after ${timeoutMs} ms`);
      process.exit(1);
    }, timeoutMs).unref();
    app.close().then(
      () => {
        flushLogs();
        process.exit(0);
      },
      (err: unknown) => {
        flushLogs();
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
