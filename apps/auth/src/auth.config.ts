import {
  ArrayNotEmpty,
  IsArray,
  IsBoolean,
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
import { Setting, StatefulServiceConfig } from '@app/common';
import { HTTP_URL_OPTIONS, SCOPES } from '@app/contracts';

/**
 * A redirect URI that may be registered: absolute http(s), no fragment (RFC 6749 3.1.2), no
 * userinfo (a URI with credentials in it is a phishing device, RFC 9700 4.1).
 */
const REDIRECT_URI = /^https?:\/\/[^/?#@\s]+(\/[^#\s]*)?$/;

/** The authorization server's settings; every one has a default, so none is required. */
export class AuthConfig extends StatefulServiceConfig {
  @Setting('AUTH_PORT', 'int') @IsInt() @Min(1) @Max(65535) port = 5001;

  /** The issuer identifier: the address users reach; `iss` of every token. */
  @Setting('ISSUER')
  @IsUrl(HTTP_URL_OPTIONS)
  @Matches(/^[^?#]*[^/?#]$/, {
    message: 'must have no query, fragment or trailing slash',
  })
  issuer = 'http://localhost:5001';

  /** The resource server's identifier: `aud` of every token. */
  @Setting('AUDIENCE') @IsUrl(HTTP_URL_OPTIONS) audience = 'http://localhost:5002';

  /** The webapp's registration. */
  @Setting('CLIENT_ID') @IsString() @MinLength(1) clientId = '1234';
  @Setting('CLIENT_SECRET') @IsString() @MinLength(1) clientSecret = 'qwerty';
  @Setting('REDIRECT_URIS', 'list')
  @IsArray()
  @ArrayNotEmpty()
  @IsUrl(HTTP_URL_OPTIONS, { each: true })
  @Matches(REDIRECT_URI, {
    each: true,
    message: 'each must be an http(s) URI without fragment or userinfo',
  })
  redirectUris = ['http://localhost:5003/callback'];
  @Setting('CLIENT_SCOPES', 'list')
  @IsArray()
  @ArrayNotEmpty()
  @IsIn(SCOPES, { each: true })
  clientScopes: string[] = [...SCOPES];
  /** RFC 9449 5.2: the webapp's tokens must be DPoP-bound; its token requests need a proof. */
  @Setting('CLIENT_REQUIRES_DPOP', 'boolean') @IsBoolean() clientRequiresDpop = false;

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

  /**
   * Unredeemed codes one address may hold at once: nobody can fill the code store for everyone
   * else. The webapp, which redeems each code within milliseconds, holds a handful.
   */
  @Setting('CODE_QUOTA_PER_ADDRESS', 'int') @IsInt() @Min(1) codeQuotaPerAddress = 1000;
  /** Most codes held at once in memory, whoever holds them: a backstop for memory. */
  @Setting('MAX_CODES', 'int') @IsInt() @Min(100) maxCodes = 200_000;

  /** Failed client authentications allowed per (client, address) and per address in each window. */
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
  /** Seconds between rotations of a generated signing key; 0: keep it for the process's life. */
  @Setting('KEY_ROTATION_SECONDS', 'int')
  @IsInt()
  @Min(0)
  @Max(31_536_000)
  keyRotationSeconds = 0;

  /**
   * How long after its issue a token can still pass a check: its lifetime, the leeway, and one
   * second of margin. What must be remembered about a token (a used code, a revocation, the key
   * that signed it) is kept that long.
   */
  tokenAcceptanceSeconds(): number {
    return this.accessTokenTtl + this.clockLeeway + 1;
  }
}
