import { type DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER, APP_PIPE } from '@nestjs/core';
import {
  createErrorReporter,
  ERROR_REPORTER,
  createLoggerModule,
  createValidationPipe,
  HealthController,
  MetricsController,
  READINESS_PROBE,
  type ReadinessProbe,
  UpstreamClient,
} from '@app/common';
import { AuthServerClient } from './clients/auth-server.client';
import { AUTH_SERVER } from './clients/auth-server.port';
import { ResourceServerClient } from './clients/resource-server.client';
import { RESOURCE_SERVER } from './clients/resource-server.port';
import { invalidRequest } from './errors/invalid-request.factory';
import { WebappExceptionFilter } from './errors/webapp-exception.filter';
import { AuthorizationCodeFlow } from './flow/authorization-code.flow';
import { TimeController } from './time/time.controller';
import { TimeService } from './time/time.service';
import { WebappConfig } from './webapp.config';

const AUTH_UPSTREAM = Symbol('AUTH_UPSTREAM');
const RESOURCE_UPSTREAM = Symbol('RESOURCE_UPSTREAM');

/** The composition root of the webapp, the confidential client. */
@Module({})
export class WebappModule {
  static forRoot(config: WebappConfig): DynamicModule {
    return {
      module: WebappModule,
      imports: [createLoggerModule('webapp', config.logLevel)],
      controllers: [TimeController, HealthController, MetricsController],
      providers: [
        { provide: WebappConfig, useValue: config },
        { provide: APP_PIPE, useValue: createValidationPipe(invalidRequest) },
        {
          provide: ERROR_REPORTER,
          useValue: createErrorReporter('webapp', config, [
            config.clientSecret,
            config.defaultPassword,
          ]),
        },
        { provide: APP_FILTER, useClass: WebappExceptionFilter },
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
          provide: RESOURCE_UPSTREAM,
          useFactory: () =>
            new UpstreamClient({
              name: 'resource',
              baseUrl: config.resourceUrl,
              timeoutMs: config.upstreamTimeoutMs,
            }),
        },
        {
          provide: AUTH_SERVER,
          inject: [AUTH_UPSTREAM],
          useFactory: (http: UpstreamClient) =>
            new AuthServerClient(http, {
              clientId: config.clientId,
              clientSecret: config.clientSecret,
              redirectUri: config.redirectUri,
              tokenAuthMethod: config.tokenAuthMethod,
              paths: { authorization: '/authorize', token: '/token' },
            }),
        },
        {
          provide: RESOURCE_SERVER,
          inject: [RESOURCE_UPSTREAM],
          useFactory: (http: UpstreamClient) => new ResourceServerClient(http),
        },
        {
          provide: READINESS_PROBE,
          inject: [AUTH_UPSTREAM, RESOURCE_UPSTREAM],
          useFactory: (auth: UpstreamClient, resource: UpstreamClient): ReadinessProbe => ({
            check: async () => {
              const [authUp, resourceUp] = await Promise.all([
                auth.answers('/healthz'),
                resource.answers('/healthz'),
              ]);
              return { authorization: authUp, resource: resourceUp };
            },
          }),
        },
        AuthorizationCodeFlow,
        TimeService,
      ],
    };
  }
}
