import { type DynamicModule, Module, type Provider } from '@nestjs/common';
import {
  CLOCK,
  type Clock,
  DPOP_REPLAY_CACHE,
  InMemoryDpopReplayCache,
  REQUEST_OUTCOME,
  type RequestOutcome,
} from '@app/common';
import type { RedisConnection } from '@app/common/redis';
import { METRICS, type Metrics, PlatformModule, UpstreamClient } from '@app/common/http';
import {
  ACCESS_TOKEN_VERIFIER,
  type AccessTokenVerifier,
} from './bearer/access-token-verifier.port';
import { BearerService } from './bearer/bearer.service';
import { IntrospectionVerifier } from './bearer/introspection.verifier';
import { JwksVerifier } from './bearer/jwks.verifier';
import { AuthorizeAccessPipe } from './bearer/principal.decorator';
import { ResourceExceptionFilter } from './errors/resource-exception.filter';
import { ResourceConfig } from './resource.config';
import { AUTH_PATHS, AUTH_UPSTREAM, REPLAY_STORE, ResourceReadiness } from './resource.readiness';
import { TimeController } from './time/time.controller';
import { TimeService } from './time/time.service';

/**
 * The DPoP replay cache: in memory, or in Redis with REDIS_URL, shared by every replica. A Redis
 * that cannot answer refuses the proof (fail closed), and /readyz says so.
 */
function replayCacheProviders(config: ResourceConfig): Provider[] {
  if (config.redisUrl === undefined) {
    return [
      {
        provide: DPOP_REPLAY_CACHE,
        inject: [CLOCK],
        useFactory: (clock: Clock) => new InMemoryDpopReplayCache(clock),
      },
      { provide: REPLAY_STORE, useValue: undefined },
    ];
  }
  const url = config.redisUrl;
  return [
    {
      provide: REPLAY_STORE,
      inject: [REQUEST_OUTCOME],
      // node-redis is loaded only when it is used (some 580 modules).
      useFactory: async (outcome: RequestOutcome) => {
        const { RedisConnection } = await import('@app/common/redis');
        return RedisConnection.open(
          { url, keyPrefix: config.redisKeyPrefix, commandTimeoutMs: config.redisTimeoutMs },
          outcome,
        );
      },
    },
    {
      provide: DPOP_REPLAY_CACHE,
      inject: [REPLAY_STORE],
      useFactory: (redis: RedisConnection) => redis.dpopReplayCache(),
    },
  ];
}

/** The composition root of the resource server. */
@Module({})
export class ResourceModule {
  static forRoot(config: ResourceConfig): DynamicModule {
    return {
      module: ResourceModule,
      imports: [
        PlatformModule.forRoot({
          service: 'resource',
          config,
          filter: ResourceExceptionFilter,
          secrets: [config.clientSecret],
          readiness: ResourceReadiness,
        }),
      ],
      controllers: [TimeController],
      providers: [
        {
          provide: AUTH_UPSTREAM,
          inject: [METRICS],
          useFactory: (metrics: Metrics) =>
            new UpstreamClient({
              name: 'authorization',
              baseUrl: config.authUrl,
              timeoutMs: config.upstreamTimeoutMs,
              metrics,
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
                  refetchCooldownSeconds: 1,
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
        ...replayCacheProviders(config),
        ResourceReadiness,
        BearerService,
        AuthorizeAccessPipe,
        TimeService,
      ],
    };
  }
}
