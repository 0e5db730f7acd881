import { Catch, Inject } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import { InjectPinoLogger, PinoLogger } from 'nestjs-pino';
import {
  assertNever,
  InvalidDpopProofError,
  REQUEST_OUTCOME,
  type RequestOutcome,
} from '@app/common';
import {
  ERROR_REPORTER,
  type ErrorReply,
  type ErrorReporter,
  JsonExceptionFilter,
} from '@app/common/http';
import { ResourceConfig } from '../resource.config';
import { BearerError, InsufficientScopeError } from './resource.errors';

/**
 * The only place where the resource server's errors become HTTP: RFC 6750 statuses and
 * `WWW-Authenticate` challenges (RFC 9449 7.1 for DPoP); the base maps upstream and store
 * failures (502/503/504) and anything else (500).
 */
@Catch()
export class ResourceExceptionFilter extends JsonExceptionFilter {
  /** The challenges' fixed parts (RFC 6750 3, RFC 9449 7.1), the same for every refusal. */
  private readonly bearer: string;
  private readonly dpop: string;

  constructor(
    adapterHost: HttpAdapterHost,
    config: ResourceConfig,
    @Inject(ERROR_REPORTER) reporter: ErrorReporter,
    @InjectPinoLogger('ResourceExceptionFilter') logger: PinoLogger,
    @Inject(REQUEST_OUTCOME) outcome: RequestOutcome,
  ) {
    // With the authorization server gone, no token can be judged: temporarily_unavailable.
    super(adapterHost, reporter, logger, outcome, 'temporarily_unavailable');
    const realm = quoted(config.realm);
    this.bearer = `Bearer realm=${realm}`;
    this.dpop = `DPoP realm=${realm}, algs=${quoted(config.dpopAlgorithms.join(' '))}`;
  }

  protected domainReply(exception: unknown, request: FastifyRequest): ErrorReply | undefined {
    if (exception instanceof BearerError) {
      this.outcome.record(
        'access_refused',
        { error: exception.code, detail: exception.detail ?? exception.description },
        'access refused',
      );
      return this.bearerReply(exception, schemeOf(request));
    }
    if (exception instanceof InvalidDpopProofError) {
      this.outcome.record(
        'access_refused',
        { error: exception.code, detail: exception.detail },
        'access refused',
      );
      // RFC 9449 7.1: 401 with a DPoP challenge that names the error and the algorithms.
      return {
        status: 401,
        body: { error: exception.code, error_description: exception.description },
        headers: {
          'www-authenticate': `${this.dpop}, error="${exception.code}", error_description=${quoted(exception.description)}`,
        },
      };
    }
    return undefined;
  }

  /**
   * Each refusal with its challenge, in the scheme the client used: Bearer (RFC 6750 3), or
   * DPoP (RFC 9449 7.1) for a request under the DPoP scheme and for a refusal that concerns
   * DPoP itself (a bound token sent as Bearer). A request without a token gets the bare Bearer
   * challenge the contract names; the DPoP scheme is advertised in the metadata.
   */
  private bearerReply(err: BearerError, used: 'Bearer' | 'DPoP'): ErrorReply {
    const body = { error: err.code as 'invalid_token', error_description: err.description };
    const scheme = err.scheme === 'DPoP' || used === 'DPoP' ? this.dpop : this.bearer;
    const challenge = (code: string, extra = ''): string =>
      `${scheme}, error="${code}", error_description=${quoted(err.description)}${extra}`;
    switch (err.code) {
      case 'missing_token':
        return {
          status: 401,
          body: { ...body, error: 'invalid_request' },
          headers: { 'www-authenticate': this.bearer },
        };
      case 'invalid_request':
        // RFC 6750 3.1: a malformed request SHOULD get 400, not 401.
        return { status: 400, body, headers: { 'www-authenticate': challenge(err.code) } };
      case 'invalid_token':
        return { status: 401, body, headers: { 'www-authenticate': challenge(err.code) } };
      case 'insufficient_scope': {
        const scope = err instanceof InsufficientScopeError ? err.scope : '';
        return {
          status: 403,
          body,
          headers: { 'www-authenticate': challenge(err.code, `, scope=${quoted(scope)}`) },
        };
      }
      default:
        return assertNever(err.code);
    }
  }
}

/** The scheme of the request's Authorization header, as far as the challenge cares. */
function schemeOf(request: FastifyRequest): 'Bearer' | 'DPoP' {
  const authorization = request.headers.authorization;
  return typeof authorization === 'string' && /^dpop(\s|$)/i.test(authorization)
    ? 'DPoP'
    : 'Bearer';
}

/** An RFC 9110 quoted-string of printable ASCII. */
function quoted(value: string): string {
  return `"${value.replace(/[^\x20-\x7e]/g, '').replace(/["\\]/g, '\\$&')}"`;
}
