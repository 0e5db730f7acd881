import {
  IsBoolean,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  IsUrl,
  Max,
  Min,
  MinLength,
} from 'class-validator';
import { ServiceConfig, Setting } from '@app/common';
import { HTTP_URL_OPTIONS } from '@app/contracts';

/** The webapp's settings; every one has a default. */
export class WebappConfig extends ServiceConfig {
  @Setting('WEBAPP_PORT', 'int') @IsInt() @Min(1) @Max(65535) port = 5003;

  /** Where the webapp reaches the authorization and resource servers. */
  @Setting('AUTH_URL') @IsUrl(HTTP_URL_OPTIONS) authUrl = 'http://localhost:5001';
  @Setting('RESOURCE_URL') @IsUrl(HTTP_URL_OPTIONS) resourceUrl = 'http://localhost:5002';
  /** The issuer identifier the `iss` of every authorization response must equal (RFC 9207). */
  @Setting('ISSUER') @IsUrl(HTTP_URL_OPTIONS) issuer = 'http://localhost:5001';

  /** This client's registration at the authorization server. */
  @Setting('CLIENT_ID') @IsString() @MinLength(1) clientId = '1234';
  @Setting('CLIENT_SECRET') @IsString() @MinLength(1) clientSecret = 'qwerty';
  @Setting('REDIRECT_URI') @IsUrl(HTTP_URL_OPTIONS) redirectUri = 'http://localhost:5003/callback';
  @Setting('TOKEN_AUTH_METHOD')
  @IsIn(['client_secret_basic', 'client_secret_post'])
  tokenAuthMethod: 'client_secret_basic' | 'client_secret_post' = 'client_secret_basic';

  /** Who the flow runs for when the caller sends no credentials. */
  @Setting('DEFAULT_USER') @IsString() @MinLength(1) defaultUser = 'demo';
  @Setting('DEFAULT_PASSWORD') @IsString() @MinLength(1) defaultPassword = 'demo';

  /**
   * Sender-constrained tokens (RFC 9449): the webapp proves possession of its DPoP key at the
   * token endpoint and at the resource server, so a copied token is worthless. One key per
   * process. false: Bearer tokens, as the contract's plain clients use.
   */
  @Setting('DPOP', 'boolean') @IsBoolean() dpop = true;

  /**
   * The key that signs browser login bindings (HMAC-SHA256), at least 32 characters. Unset: a
   * random key per process, so a restart refuses the logins then in progress (their cookies no
   * longer verify); replicas behind one address need the same key.
   */
  @Setting('LOGIN_COOKIE_SECRET')
  @IsOptional()
  @IsString()
  @MinLength(32)
  loginCookieSecret?: string;

  /** The whole flow (authorize, token, API call) must finish within this many milliseconds. */
  @Setting('UPSTREAM_TIMEOUT_MS', 'int') @IsInt() @Min(50) @Max(60000) upstreamTimeoutMs = 3000;
}
