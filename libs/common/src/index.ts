/**
 * The domain-safe entry of the common library (`@app/common`): nothing here loads Fastify, Nest's
 * HTTP layer or an HTTP client, so domain code may import it. Transport code also imports
 * `@app/common/http`.
 */
export * from './clock/clock.port';
export * from './clock/expiry-queue';
export * from './config/setting.decorator';
export * from './config/load-config';
export * from './config/service.config';
export * from './config/stateful-service.config';
export * from './credentials/basic-credentials';
export * from './credentials/constant-time';
export * from './errors/assert-never';
export * from './errors/invalid-input.error';
export * from './health/readiness.port';
export * from './jws/access-token-header';
export * from './outcome/request-outcome.port';
export * from './upstream/deadline';
export * from './upstream/upstream.errors';
export * from './validation/validate-input';
export * from './dpop';
export * from './errors/store-unavailable.error';
