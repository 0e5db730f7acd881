import { IsIn, IsInt, IsOptional, IsString, Matches, Max, Min, MinLength } from 'class-validator';
import { Setting } from './setting.decorator';

/** Settings every service has. */
export class ServiceConfig {
  @Setting('HOST') @IsString() @MinLength(1) host = '0.0.0.0';

  @Setting('LOG_LEVEL')
  @IsIn(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
  logLevel = 'info';

  /** Largest request body accepted, in bytes; larger ones get 413. */
  @Setting('BODY_LIMIT', 'int') @IsInt() @Min(1024) @Max(1048576) bodyLimit = 16384;

  /** Sentry DSN, `https://<key>@<host>/<project>`; unexpected errors are reported when set. */
  @Setting('SENTRY_DSN')
  @IsOptional()
  @Matches(/^https?:\/\/[^@/\s]+@[^/\s]+\/(.+\/)?\w+$/, { message: 'must be a Sentry DSN' })
  sentryDsn?: string;

  /** Sentry release the errors are filed under; the package's name and version when unset. */
  @Setting('SENTRY_RELEASE') @IsOptional() @IsString() @MinLength(1) sentryRelease?: string;

  @Setting('APP_ENV')
  @IsIn(['production', 'stage', 'development', 'testing'])
  environment = 'production';

  /**
   * Proxies in front of the service whose X-Forwarded-For entries are trusted, counted from the
   * right: 1 behind one load balancer that appends the client's address (HAProxy's
   * `option forwardfor`). 0, the default, trusts none: the address is the connection's, and a
   * client cannot choose the address its limits are counted under.
   */
  @Setting('TRUST_PROXY_HOPS', 'int') @IsInt() @Min(0) @Max(10) trustProxyHops = 0;

  /**
   * Serves GET /metrics on this port only (a management port, as Keycloak's management
   * interface), so that the public port does not expose it; unset, the default, /metrics is on
   * the service's own port.
   */
  @Setting('METRICS_PORT', 'int') @IsOptional() @IsInt() @Min(1) @Max(65535) metricsPort?: number;

  /** How long a graceful stop may take before the process exits anyway, in milliseconds. */
  @Setting('SHUTDOWN_TIMEOUT_MS', 'int') @IsInt() @Min(0) @Max(60000) shutdownTimeoutMs = 10000;
}
