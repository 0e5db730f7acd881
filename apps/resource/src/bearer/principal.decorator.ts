import {
  createParamDecorator,
  type ExecutionContext,
  Injectable,
  type PipeTransform,
} from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import type { Scope } from '@app/contracts';
import type { AccessRequest } from './access-token-verifier.port';
import { type Principal as Caller, BearerService } from './bearer.service';
import { type Credential, credentialOf } from './credential';

/** What the decorator reads off the request, for the pipe to judge. */
interface AccessAttempt {
  scope: Scope;
  credential: Credential;
  request: AccessRequest;
}

const attemptOf = createParamDecorator((scope: Scope, context: ExecutionContext): AccessAttempt => {
  const request = context.switchToHttp().getRequest<FastifyRequest>();
  return {
    scope,
    credential: credentialOf(
      request.headers.authorization,
      request.query as Record<string, unknown> | undefined,
    ),
    request: {
      method: request.method,
      url: `${request.protocol}://${request.host}${request.url}`,
      dpop: request.headers.dpop,
      requestId: request.id,
    },
  };
});

/** Turns an access attempt into the caller it proves, or throws the refusal. */
@Injectable()
export class AuthorizeAccessPipe implements PipeTransform<AccessAttempt, Promise<Caller>> {
  constructor(private readonly bearer: BearerService) {}

  transform(attempt: AccessAttempt): Promise<Caller> {
    return this.bearer.authorize(attempt.credential, attempt.scope, attempt.request);
  }
}

/**
 * The caller whose access token opens `scope`: a handler parameter that exists only once the
 * token was judged (the BearerService through AuthorizeAccessPipe), so no handler can forget the
 * check, and nothing is stored on the request.
 */
export const Principal = (scope: Scope): ParameterDecorator =>
  attemptOf(scope, AuthorizeAccessPipe);
