import { type DynamicModule, Module } from '@nestjs/common';
import { DpopKey, REQUEST_OUTCOME, type RequestOutcome } from '@app/common';
import { METRICS, type Metrics, PlatformModule, UpstreamClient } from '@app/common/http';
import { AuthServerClient } from './clients/auth-server.client';
import { AUTH_SERVER } from './clients/auth-server.port';
import { AuthServerDiscovery } from './clients/discovery';
import { ResourceServerClient } from './clients/resource-server.client';
import { RESOURCE_SERVER } from './clients/resource-server.port';
import { WebappExceptionFilter } from './errors/webapp-exception.filter';
import { AuthorizationCodeFlow } from './flow/authorization-code.flow';
import { LoginController } from './login/login.controller';
import { loginProviders } from './login/login.providers';
import { TimeController } from './time/time.controller';
import { TimeService } from './time/time.service';
import { WebappConfig } from './webapp.config';
import { AUTH_UPSTREAM, RESOURCE_UPSTREAM, WebappReadiness } from './webapp.readiness';

/** The composition root of the webapp, the confidential client. */
@Module({})
export class WebappModule {
  static forRoot(config: WebappConfig): DynamicModule {
    // One DPoP key for the life of the process: every flow proves the same key, which is all a
    // confidential client needs (it is one client however many flows it runs), and generating a
    // key per flow would cost a key pair per call for no gain in what a stolen token opens.
    const dpopKey = config.dpop ? DpopKey.generate() : undefined;
    const upstream = (name: string, baseUrl: string) => ({
      inject: [METRICS],
      useFactory: (metrics: Metrics) =>
        new UpstreamClient({ name, baseUrl, timeoutMs: config.upstreamTimeoutMs, metrics }),
    });
    return {
      module: WebappModule,
      imports: [
        PlatformModule.forRoot({
          service: 'webapp',
          config,
          filter: WebappExceptionFilter,
          secrets: [config.clientSecret, config.defaultPassword, config.loginCookieSecret ?? ''],
          readiness: WebappReadiness,
        }),
      ],
      controllers: [TimeController, LoginController],
      providers: [
        { provide: AUTH_UPSTREAM, ...upstream('authorization', config.authUrl) },
        { provide: RESOURCE_UPSTREAM, ...upstream('resource', config.resourceUrl) },
        {
          provide: AuthServerDiscovery,
          inject: [AUTH_UPSTREAM, REQUEST_OUTCOME],
          useFactory: (http: UpstreamClient, outcome: RequestOutcome) =>
            new AuthServerDiscovery(http, config.issuer, outcome),
        },
        {
          provide: AUTH_SERVER,
          inject: [AUTH_UPSTREAM, AuthServerDiscovery],
          useFactory: (http: UpstreamClient, discovery: AuthServerDiscovery) =>
            new AuthServerClient(http, discovery, {
              clientId: config.clientId,
              clientSecret: config.clientSecret,
              redirectUri: config.redirectUri,
              tokenAuthMethod: config.tokenAuthMethod,
              dpopKey,
            }),
        },
        {
          provide: RESOURCE_SERVER,
          inject: [RESOURCE_UPSTREAM],
          useFactory: (http: UpstreamClient) =>
            new ResourceServerClient(http, config.resourceUrl.replace(/\/$/, ''), dpopKey),
        },
        WebappReadiness,
        AuthorizationCodeFlow,
        TimeService,
        ...loginProviders(config),
      ],
    };
  }
}
