import { type CanActivate, type ExecutionContext, Injectable, SetMetadata } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import type { TimeScope } from '@app/contracts';
import { type Principal, BearerService } from './bearer.service';
import { bearerTokenOf } from './bearer-token';

const REQUIRED_SCOPE = 'requiredScope';

/** The scope an endpoint needs; the BearerGuard enforces it. */
export const RequiredScope = (scope: TimeScope): MethodDecorator & ClassDecorator =>
  SetMetadata(REQUIRED_SCOPE, scope);

export type AuthenticatedRequest = FastifyRequest & { principal?: Principal };

/** Takes the bearer token from the request and lets the BearerService decide. */
@Injectable()
export class BearerGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly bearer: BearerService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const scope = this.reflector.get<TimeScope | undefined>(REQUIRED_SCOPE, context.getHandler());
    if (scope === undefined) return true;
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const token = bearerTokenOf(
      request.headers.authorization,
      request.query as Record<string, unknown>,
    );
    request.principal = await this.bearer.authorize(token, scope, { requestId: request.id });
    return true;
  }
}
