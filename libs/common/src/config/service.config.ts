import { IsIn, IsInt, IsString, Max, Min, MinLength } from 'class-validator';
import { Setting } from './setting.decorator';

/** Settings every service has. */
export class ServiceConfig {
  @Setting('HOST') @IsString() @MinLength(1) host = '0.0.0.0';

  @Setting('LOG_LEVEL')
  @IsIn(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
  logLevel = 'info';

  /** Largest request body accepted, in bytes; larger ones get 413. */
  @Setting('BODY_LIMIT', 'int') @IsInt() @Min(1024) @Max(1048576) bodyLimit = 16384;

  /** How long a graceful stop may take before the process exits anyway, in milliseconds. */
  @Setting('SHUTDOWN_TIMEOUT_MS', 'int') @IsInt() @Min(0) @Max(60000) shutdownTimeoutMs = 10000;
}
