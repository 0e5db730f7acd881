import { type DynamicModule, Module } from '@nestjs/common';
import { CLOCK, type Clock, REQUEST_OUTCOME, type RequestOutcome } from '@app/common';
import { isScope } from '@app/contracts';
import { PlatformModule } from '@app/common/http';
import { AuthConfig } from './auth.config';
import { AuthReadiness } from './auth.readiness';
import { AuthorizationService } from './authorize/authorization.service';
import { AuthorizeController } from './authorize/authorize.controller';
import { ClientAuthenticationGuard } from './clients/client-authentication.guard';
import { ClientAuthenticationService } from './clients/client-authentication.service';
import { CLIENT_STORE } from './clients/client-store.port';
import { InMemoryClientStore } from './clients/in-memory-client.store';
import { TokenEndpointProofs } from './dpop/token-endpoint-proofs.service';
import { OAuthExceptionFilter } from './errors/oauth-exception.filter';
import { IntrospectionController } from './introspection/introspection.controller';
import { IntrospectionService } from './introspection/introspection.service';
import { JwksController } from './jwks/jwks.controller';
import { AbuseLimits } from './limits/abuse-limits.service';
import { MetadataController } from './metadata/metadata.controller';
import { RevocationController } from './revocation/revocation.controller';
import { RevocationService } from './revocation/revocation.service';
import { IssuedTokens } from './signing/issued-tokens.service';
import { JwtAccessTokens } from './signing/jwt-access-tokens';
import { loadKeySet } from './signing/key-set';
import { SigningKeys } from './signing/signing-keys';
import { TOKEN_SIGNER } from './signing/token-signer.port';
import { TOKEN_VERIFIER } from './signing/token-verifier.port';
import { KEY_DIRECTORY, type KeyDirectory } from './stores/key-directory.port';
import { storeProviders } from './stores/store.providers';
import { AuthorizationCodeGrant } from './token/grants/authorization-code.grant';
import { GRANT_HANDLERS } from './token/grants/grant-handler';
import { TokenController } from './token/token.controller';
import { TokenService } from './token/token.service';

/** The composition root of the authorization server. */
@Module({})
export class AuthModule {
  static forRoot(config: AuthConfig): DynamicModule {
    const keySet = loadKeySet(config.signingKeyFile, config.previousKeyFile);
    return {
      module: AuthModule,
      imports: [
        PlatformModule.forRoot({
          service: 'auth',
          config,
          filter: OAuthExceptionFilter,
          secrets: [config.clientSecret, config.resourceClientSecret],
          readiness: AuthReadiness,
        }),
      ],
      controllers: [
        MetadataController,
        AuthorizeController,
        TokenController,
        IntrospectionController,
        RevocationController,
        JwksController,
      ],
      providers: [
        ...storeProviders(config),
        {
          provide: CLIENT_STORE,
          useValue: new InMemoryClientStore([
            {
              id: config.clientId,
              secret: config.clientSecret,
              redirectUris: config.redirectUris,
              scopes: config.clientScopes.filter(isScope),
              grantTypes: ['authorization_code'],
              requiresDpop: config.clientRequiresDpop,
            },
            {
              id: config.resourceClientId,
              secret: config.resourceClientSecret,
              redirectUris: [],
              scopes: [],
              grantTypes: [],
              requiresDpop: false,
            },
          ]),
        },
        {
          provide: SigningKeys,
          inject: [KEY_DIRECTORY, CLOCK, REQUEST_OUTCOME],
          useFactory: (directory: KeyDirectory, clock: Clock, outcome: RequestOutcome) =>
            new SigningKeys(keySet, directory, clock, outcome, {
              tokenLifetimeSeconds: config.tokenAcceptanceSeconds(),
              rotationSeconds: config.keyRotationSeconds,
              heartbeatSeconds: 10,
            }),
        },
        {
          provide: JwtAccessTokens,
          inject: [SigningKeys],
          useFactory: (keys: SigningKeys) =>
            new JwtAccessTokens(keys, config.issuer, config.clockLeeway),
        },
        { provide: TOKEN_SIGNER, useExisting: JwtAccessTokens },
        { provide: TOKEN_VERIFIER, useExisting: JwtAccessTokens },
        AuthorizationCodeGrant,
        {
          provide: GRANT_HANDLERS,
          inject: [AuthorizationCodeGrant],
          useFactory: (...grants: AuthorizationCodeGrant[]) => grants,
        },
        TokenEndpointProofs,
        AbuseLimits,
        ClientAuthenticationService,
        ClientAuthenticationGuard,
        IssuedTokens,
        AuthorizationService,
        TokenService,
        IntrospectionService,
        RevocationService,
        AuthReadiness,
      ],
    };
  }
}
