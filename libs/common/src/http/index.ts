/**
 * The HTTP entry of the common library (`@app/common/http`): the platform module, the app
 * builder, Fastify hooks and parsers, exception filtering, outbound HTTP, health and metrics.
 * Transport code (controllers, guards, filters, adapters) imports it; domain code never does.
 */
export * from './platform.module';
export * from './build-app';
export * from './json-exception.filter';
export * from './transport-errors';
export * from './form-parser';
export * from './upstream-client';
export * from './health.controller';
export * from './metrics.controller';
export * from './request-id';
export * from '../errors/error-reporter';
export * from '../metrics/metrics';
export * from '../logging/request-scope';
export * from '../logging/root-logger';
export * from '../logging/stdout';
export * from './define-route';
