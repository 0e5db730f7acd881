import { type DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER, APP_PIPE } from '@nestjs/core';
import {
  createErrorReporter,
  ERROR_REPORTER,
  CLOCK,
  type Clock,
  createLoggerModule,
  createValidationPipe,
  HealthController,
  MetricsController,
  READINESS_PROBE,
  type ReadinessProbe,
  SystemClock,
  UpstreamClient,
} from '@app/common';
import {
  ACCESS_TOKEN_VERIFIER,
  type AccessTokenVerifier,
} from './bearer/access-token-verifier.port';
import { BearerGuard } from './bearer/bearer.guard';
import { BearerService } from './bearer/bearer.service';
import { IntrospectionVerifier } from './bearer/introspection.verifier';
import { JwksVerifier } from './bearer/jwks.verifier';
import { invalidRequest } from './errors/invalid-request.factory';
import { ResourceExceptionFilter } from './errors/resource-exception.filter';
import { ResourceConfig } from './resource.config';
import { TimeController } from './time/time.controller';
import { TimeService } from './time/time.service';

/** The authorization server's paths this server calls. */
const AUTH_PATHS = { introspection: '/introspect', jwks: '/jwks.json', health: '/healthz' };

export const AUTH_UPSTREAM = Symbol('AUTH_UPSTREAM');

/** The composition root of the resource server. */
@Module({})
export class ResourceModule {
  static forRoot(config: ResourceConfig): DynamicModule {
    return {
      module: ResourceModule,
      imports: [createLoggerModule('resource', config.logLevel)],
      controllers: [TimeController, HealthController, MetricsController],
      providers: [
        { provide: ResourceConfig, useValue: config },
        { provide: CLOCK, useClass: SystemClock },
        { provide: APP_PIPE, useValue: createValidationPipe(invalidRequest) },
        {
          provide: ERROR_REPORTER,
          useValue: createErrorReporter('resource', config, [config.clientSecret]),
        },
        { provide: APP_FILTER, useClass: ResourceExceptionFilter },
        {
          provide: AUTH_UPSTREAM,
          useFactory: () =>
            new UpstreamClient({
              name: 'authorization',
              baseUrl: config.authUrl,
              timeoutMs: config.upstreamTimeoutMs,
            }),
        },
        {
          provide: ACCESS_TOKEN_VERIFIER,
          inject: [AUTH_UPSTREAM, CLOCK],
          useFactory: (auth: UpstreamClient, clock: Clock): AccessTokenVerifier => {
            const now = (): number => clock.nowSeconds();
            if (config.tokenValidation === 'jwks') {
              return new JwksVerifier(
                auth,
                {
                  path: AUTH_PATHS.jwks,
                  issuer: config.issuer,
                  leewaySeconds: config.clockLeeway,
                  cacheSeconds: config.jwksCacheSeconds,
                  refetchCooldownSeconds: 10,
                },
                now,
              );
            }
            return new IntrospectionVerifier(
              auth,
              {
                path: AUTH_PATHS.introspection,
                clientId: config.clientId,
                clientSecret: config.clientSecret,
                issuer: config.issuer,
                leewaySeconds: config.clockLeeway,
              },
              now,
            );
          },
        },
        {
          provide: READINESS_PROBE,
          inject: [AUTH_UPSTREAM],
          useFactory: (auth: UpstreamClient): ReadinessProbe => ({
            check: async () => ({ auth: await auth.answers(AUTH_PATHS.health) }),
          }),
        },
        BearerService,
        BearerGuard,
        TimeService,
      ],
    };
  }
}
