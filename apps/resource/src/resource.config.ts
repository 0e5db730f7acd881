import {
  IsArray,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  IsUrl,
  Max,
  Min,
  MinLength,
} from 'class-validator';
import { Setting, StatefulServiceConfig } from '@app/common';
import { HTTP_URL_OPTIONS } from '@app/contracts';

/** The resource server's settings; every one has a default. */
export class ResourceConfig extends StatefulServiceConfig {
  @Setting('RESOURCE_PORT', 'int') @IsInt() @Min(1) @Max(65535) port = 5002;

  /** Where this server reaches the authorization server (inside compose: http://auth:5001). */
  @Setting('AUTH_URL') @IsUrl(HTTP_URL_OPTIONS) authUrl = 'http://localhost:5001';
  /** The issuer identifier that `iss` must equal, whatever address the server is reached at. */
  @Setting('ISSUER') @IsUrl(HTTP_URL_OPTIONS) issuer = 'http://localhost:5001';
  /** This server's identifier, which `aud` must equal. */
  @Setting('AUDIENCE') @IsUrl(HTTP_URL_OPTIONS) audience = 'http://localhost:5002';

  /** `introspection` (the default: asks the authorization server) or `jwks` (verifies locally). */
  @Setting('TOKEN_VALIDATION') @IsIn(['introspection', 'jwks']) tokenValidation:
    'introspection' | 'jwks' = 'introspection';

  /** This server's own credentials at the introspection endpoint. */
  @Setting('RESOURCE_CLIENT_ID') @IsString() @MinLength(1) clientId = 'resource-server';
  @Setting('RESOURCE_CLIENT_SECRET') @IsString() @MinLength(1) clientSecret = 'resource-secret';

  /** Clients whose tokens are accepted; by default the webapp's CLIENT_ID. */
  @Setting('ALLOWED_CLIENT_IDS', 'list')
  @IsOptional()
  @IsArray()
  @IsString({ each: true })
  allowedClientIds?: string[];
  @Setting('CLIENT_ID') @IsString() @MinLength(1) webappClientId = '1234';

  @Setting('CLOCK_LEEWAY', 'int') @IsInt() @Min(0) @Max(60) clockLeeway = 0;
  @Setting('UPSTREAM_TIMEOUT_MS', 'int') @IsInt() @Min(50) @Max(60000) upstreamTimeoutMs = 2000;
  @Setting('JWKS_CACHE_SECONDS', 'int') @IsInt() @Min(0) @Max(86400) jwksCacheSeconds = 300;
  @Setting('REALM') @IsString() @MinLength(1) realm = 'time';

  acceptedClientIds(): string[] {
    return this.allowedClientIds ?? [this.webappClientId];
  }
}
