import {
  ArrayNotEmpty,
  IsArray,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  IsUrl,
  Matches,
  Max,
  Min,
  MinLength,
} from 'class-validator';
import { ServiceConfig, Setting } from '@app/common';

const URL_OPTIONS = { require_tld: false, protocols: ['http', 'https'], require_protocol: true };

/** The authorization server's settings; every one has a default, so none is required. */
export class AuthConfig extends ServiceConfig {
  @Setting('AUTH_PORT', 'int') @IsInt() @Min(1) @Max(65535) port = 5001;

  /** The issuer identifier: the address users reach; `iss` of every token. */
  @Setting('ISSUER')
  @IsUrl(URL_OPTIONS)
  @Matches(/^[^?#]*[^/?#]$/, {
    message: 'must have no query, fragment or trailing slash',
  })
  issuer = 'http://localhost:5001';

  /** The resource server's identifier: `aud` of every token. */
  @Setting('AUDIENCE') @IsUrl(URL_OPTIONS) audience = 'http://localhost:5002';

  /** The webapp's registration. */
  @Setting('CLIENT_ID') @IsString() @MinLength(1) clientId = '1234';
  @Setting('CLIENT_SECRET') @IsString() @MinLength(1) clientSecret = 'qwerty';
  @Setting('REDIRECT_URIS', 'list')
  @IsArray()
  @ArrayNotEmpty()
  @IsUrl(URL_OPTIONS, { each: true })
  redirectUris = ['http://localhost:5003/callback'];
  @Setting('CLIENT_SCOPES', 'list')
  @IsArray()
  @ArrayNotEmpty()
  @IsIn(['current_time', 'epoch_time'], { each: true })
  clientScopes = ['current_time', 'epoch_time'];

  /** The resource server's registration, used when it introspects. */
  @Setting('RESOURCE_CLIENT_ID') @IsString() @MinLength(1) resourceClientId = 'resource-server';
  @Setting('RESOURCE_CLIENT_SECRET')
  @IsString()
  @MinLength(1)
  resourceClientSecret = 'resource-secret';

  @Setting('ACCESS_TOKEN_TTL', 'int') @IsInt() @Min(1) @Max(3600) accessTokenTtl = 5;
  @Setting('CODE_TTL', 'int') @IsInt() @Min(1) @Max(60) codeTtl = 60;
  /** Seconds of clock skew tolerated when checking `exp` at introspection. */
  @Setting('CLOCK_LEEWAY', 'int') @IsInt() @Min(0) @Max(60) clockLeeway = 0;

  /** Most authorization codes held at once (unredeemed, or used and not yet forgotten). */
  @Setting('MAX_CODES', 'int') @IsInt() @Min(100) maxCodes = 200_000;

  /** Failed client authentications allowed per client and per address in each window. */
  @Setting('AUTH_FAILURE_LIMIT', 'int') @IsInt() @Min(1) authFailureLimit = 1000;
  @Setting('AUTH_FAILURE_WINDOW_SECONDS', 'int')
  @IsInt()
  @Min(1)
  @Max(3600)
  authFailureWindowSeconds = 60;
  /** Introspection calls allowed per client and per address in each second. */
  @Setting('INTROSPECTION_LIMIT', 'int') @IsInt() @Min(1) introspectionLimit = 20000;

  /** PEM file with the EC P-256 private signing key; generated at start when unset. */
  @Setting('SIGNING_KEY_FILE') @IsOptional() @IsString() signingKeyFile?: string;
  /** PEM file with the previous key (public or private), still listed in the JWKS. */
  @Setting('PREVIOUS_KEY_FILE') @IsOptional() @IsString() previousKeyFile?: string;
}
