import { Catch, Inject } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { InjectPinoLogger, PinoLogger } from 'nestjs-pino';
import {
  ERROR_REPORTER,
  type ErrorReply,
  type ErrorReporter,
  JsonExceptionFilter,
  upstreamErrorReply,
  UpstreamError,
} from '@app/common';
import { ResourceConfig } from '../resource.config';
import { BearerError, InsufficientScopeError } from './resource.errors';

/**
 * The only place where the resource server's errors become HTTP: RFC 6750 statuses and
 * `WWW-Authenticate` challenges, upstream failures as 502/503/504, anything else 500.
 */
@Catch()
export class ResourceExceptionFilter extends JsonExceptionFilter {
  private readonly realm: string;

  constructor(
    adapterHost: HttpAdapterHost,
    config: ResourceConfig,
    @Inject(ERROR_REPORTER) reporter: ErrorReporter,
    @InjectPinoLogger('ResourceExceptionFilter') logger: PinoLogger,
  ) {
    super(adapterHost, reporter, logger);
    this.realm = quoted(config.realm);
  }

  protected domainReply(exception: unknown): ErrorReply | undefined {
    if (exception instanceof BearerError) {
      this.logger.info(
        {
          event: 'access_refused',
          error: exception.code,
          detail: exception.detail ?? exception.description,
        },
        'access refused',
      );
      return this.bearerReply(exception);
    }
    if (exception instanceof UpstreamError) {
      this.logger.warn(
        {
          event: 'upstream_failed',
          upstream: exception.upstream,
          failure: exception.failure,
          detail: exception.detail,
        },
        'token validation failed upstream',
      );
      // With the authorization server gone, no token can be judged: the service is unavailable.
      return upstreamErrorReply(exception, 'temporarily_unavailable');
    }
    return undefined;
  }

  /** @see https://www.rfc-editor.org/rfc/rfc6750#section-3 */
  private bearerReply(err: BearerError): ErrorReply {
    const challenge = (code: string): string =>
      `Bearer realm=${this.realm}, error="${code}", error_description=${quoted(err.description)}`;
    switch (err.code) {
      case 'missing_token':
        return {
          status: 401,
          body: { error: 'invalid_request', error_description: err.description },
          headers: { 'www-authenticate': `Bearer realm=${this.realm}` },
        };
      case 'invalid_request':
        // RFC 6750 3.1: a malformed request SHOULD get 400, not 401.
        return {
          status: 400,
          body: { error: err.code, error_description: err.description },
          headers: { 'www-authenticate': challenge(err.code) },
        };
      case 'invalid_token':
        return {
          status: 401,
          body: { error: err.code, error_description: err.description },
          headers: { 'www-authenticate': challenge(err.code) },
        };
      case 'insufficient_scope':
        return {
          status: 403,
          body: { error: err.code, error_description: err.description },
          headers: {
            'www-authenticate': `${challenge(err.code)}, scope=${quoted(err instanceof InsufficientScopeError ? err.scope : '')}`,
          },
        };
      default:
        return assertNever(err.code);
    }
  }
}

function assertNever(code: never): never {
  throw new Error(`unmapped error code ${String(code)}`);
}

/** An RFC 7230 quoted-string of printable ASCII. */
function quoted(value: string): string {
  return `"${value.replace(/[^\x20-\x7e]/g, '').replace(/["\\]/g, '\\$&')}"`;
}
