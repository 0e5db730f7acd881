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
} from '@app/common';
import { AuthConfig } from './auth.config';
import { AuthorizationService } from './authorize/authorization.service';
import { AuthorizeController } from './authorize/authorize.controller';
import { ClientAuthenticationService } from './clients/client-authentication.service';
import { CLIENT_STORE } from './clients/client-store.port';
import { InMemoryClientStore } from './clients/in-memory-client.store';
import { CODE_STORE } from './codes/code-store.port';
import { InMemoryCodeStore } from './codes/in-memory-code.store';
import { invalidRequest } from './errors/invalid-request.factory';
import { OAuthExceptionFilter } from './errors/oauth-exception.filter';
import { IntrospectionController } from './introspection/introspection.controller';
import { IntrospectionService } from './introspection/introspection.service';
import { AbuseLimits } from './limits/abuse-limits.service';
import { JwksController } from './jwks/jwks.controller';
import { MetadataController } from './metadata/metadata.controller';
import { InMemoryRevocationStore } from './revocation/in-memory-revocation.store';
import { RevocationController } from './revocation/revocation.controller';
import { REVOCATION_STORE } from './revocation/revocation-store.port';
import { RevocationService } from './revocation/revocation.service';
import { JwtAccessTokens } from './signing/jwt-access-tokens';
import { loadKeySet } from './signing/key-set';
import { TOKEN_SIGNER, TOKEN_VERIFIER } from './signing/token-signer.port';
import { AuthorizationCodeGrant } from './token/grants/authorization-code.grant';
import { GRANT_HANDLERS } from './token/grants/grant-handler';
import { TokenController } from './token/token.controller';
import { TokenService } from './token/token.service';

/** The composition root of the authorization server. */
@Module({})
export class AuthModule {
  static forRoot(config: AuthConfig): DynamicModule {
    const keys = loadKeySet(config.signingKeyFile, config.previousKeyFile);
    const tokens = new JwtAccessTokens(keys, config.issuer, config.clockLeeway);
    const readiness: ReadinessProbe = { check: () => Promise.resolve({ signing_key: true }) };
    return {
      module: AuthModule,
      imports: [createLoggerModule('auth', config.logLevel)],
      controllers: [
        MetadataController,
        AuthorizeController,
        TokenController,
        IntrospectionController,
        RevocationController,
        JwksController,
        HealthController,
        MetricsController,
      ],
      providers: [
        { provide: AuthConfig, useValue: config },
        { provide: CLOCK, useClass: SystemClock },
        { provide: APP_PIPE, useValue: createValidationPipe(invalidRequest) },
        {
          provide: ERROR_REPORTER,
          useValue: createErrorReporter('auth', config, [
            config.clientSecret,
            config.resourceClientSecret,
          ]),
        },
        { provide: APP_FILTER, useClass: OAuthExceptionFilter },
        { provide: READINESS_PROBE, useValue: readiness },
        { provide: TOKEN_SIGNER, useValue: tokens },
        { provide: TOKEN_VERIFIER, useValue: tokens },
        {
          provide: CLIENT_STORE,
          useValue: new InMemoryClientStore([
            {
              id: config.clientId,
              secret: config.clientSecret,
              redirectUris: config.redirectUris,
              scopes: config.clientScopes as ('current_time' | 'epoch_time')[],
              grantTypes: ['authorization_code'],
            },
            {
              id: config.resourceClientId,
              secret: config.resourceClientSecret,
              redirectUris: [],
              scopes: [],
              grantTypes: [],
              audience: config.audience,
            },
          ]),
        },
        {
          provide: CODE_STORE,
          useFactory: (clock: Clock) =>
            new InMemoryCodeStore(
              () => clock.nowSeconds(),
              1_000,
              // The token of a used code lives ACCESS_TOKEN_TTL (+ leeway); one second of margin.
              config.accessTokenTtl + config.clockLeeway + 1,
              config.maxCodes,
            ),
          inject: [CLOCK],
        },
        {
          provide: REVOCATION_STORE,
          useFactory: (clock: Clock) => new InMemoryRevocationStore(() => clock.nowSeconds()),
          inject: [CLOCK],
        },
        AuthorizationCodeGrant,
        {
          provide: GRANT_HANDLERS,
          useFactory: (...grants: AuthorizationCodeGrant[]) => grants,
          inject: [AuthorizationCodeGrant],
        },
        AbuseLimits,
        ClientAuthenticationService,
        AuthorizationService,
        TokenService,
        IntrospectionService,
        RevocationService,
      ],
    };
  }
}
