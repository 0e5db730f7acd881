import { type DynamicModule, type ExceptionFilter, Module, type Type } from '@nestjs/common';
import { APP_FILTER, APP_PIPE } from '@nestjs/core';
import { LoggerModule } from 'nestjs-pino';
import type { DestinationStream, Logger } from 'pino';
import { CLOCK, SystemClock } from '../clock/clock.port';
import type { ServiceConfig } from '../config/service.config';
import { createErrorReporter, ERROR_REPORTER } from '../errors/error-reporter';
import { InvalidInputError } from '../errors/invalid-input.error';
import type { ReadinessProbe } from '../health/readiness.port';
import { RequestScope } from '../logging/request-scope';
import { createRootLogger } from '../logging/root-logger';
import { bufferedStdout } from '../logging/stdout';
import { METRICS, Metrics } from '../metrics/metrics';
import { REQUEST_OUTCOME } from '../outcome/request-outcome.port';
import { createValidationPipe } from '../validation/validation.pipe';
import { HealthController, READINESS_PROBE_TYPE } from './health.controller';
import { MetricsController } from './metrics.controller';

export const ROOT_LOGGER = Symbol('ROOT_LOGGER');
export const REQUEST_SCOPE = Symbol('REQUEST_SCOPE');

export interface PlatformOptions<C extends ServiceConfig> {
  /** The service's name in logs and metrics: `auth`, `resource`, `webapp`. */
  service: string;
  /** The loaded settings, provided under their own class. */
  config: C;
  /** The app's one exception filter: where its errors become HTTP. */
  filter: Type<ExceptionFilter>;
  /** Values scrubbed from error reports (the service's secrets). */
  secrets: readonly string[];
  /** What GET /readyz asks; a provider of the app's module. */
  readiness: Type<ReadinessProbe>;
  /** Where log lines go; buffered standard output unless a test reads them itself. */
  destination?: DestinationStream;
}

/**
 * What every service has, once: its settings, the clock, validation (one pipe), the exception
 * filter, error reporting, logging (nestjs-pino's module over the root logger, the request
 * scope and the RequestOutcome port), metrics, and the health and metrics endpoints. Global, so
 * the app's own providers inject these tokens without importing anything.
 */
@Module({})
export class PlatformModule {
  static forRoot<C extends ServiceConfig>(options: PlatformOptions<C>): DynamicModule {
    const { service, config } = options;
    const scope = new RequestScope();
    const metrics = new Metrics(service);
    const logger: Logger = createRootLogger({
      service,
      level: config.logLevel,
      destination: options.destination ?? bufferedStdout(),
      requestFields: () => scope.currentFields(),
    });
    scope.attach(logger, metrics);
    const providers = [
      { provide: config.constructor, useValue: config },
      { provide: CLOCK, useClass: SystemClock },
      {
        provide: APP_PIPE,
        useValue: createValidationPipe((description) => new InvalidInputError(description)),
      },
      {
        provide: ERROR_REPORTER,
        useValue: createErrorReporter(service, config, options.secrets),
      },
      { provide: APP_FILTER, useClass: options.filter },
      { provide: READINESS_PROBE_TYPE, useValue: options.readiness },
      { provide: METRICS, useValue: metrics },
      { provide: ROOT_LOGGER, useValue: logger },
      { provide: REQUEST_SCOPE, useValue: scope },
      { provide: REQUEST_OUTCOME, useValue: scope },
    ];
    return {
      module: PlatformModule,
      global: true,
      // nestjs-pino's own per-request middleware (pino-http behind Nest's middleware layer) is
      // not mounted: installRequestHooks binds each request in a Fastify hook for a fifth of the
      // CPU (it measured 120 µs a request).
      imports: [LoggerModule.forRoot({ pinoHttp: { logger }, forRoutes: [] })],
      // With a management port, /metrics is served there instead (buildApp starts it).
      controllers:
        config.metricsPort === undefined
          ? [HealthController, MetricsController]
          : [HealthController],
      providers,
      exports: providers
        .filter((p) => p.provide !== APP_PIPE && p.provide !== APP_FILTER)
        .map((p) => p.provide),
    };
  }
}
