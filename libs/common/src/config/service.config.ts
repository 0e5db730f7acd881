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

  @Setting('APP_ENV')
  @IsIn(['production', 'stage', 'development', 'testing'])
  environment = 'production';

  /** How long a graceful stop may take before the process exits anyway, in milliseconds. */
  @Setting('SHUTDOWN_TIMEOUT_MS', 'int') @IsInt() @Min(0) @Max(60000) shutdownTimeoutMs = 10000;
}
