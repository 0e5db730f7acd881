import {
  type CanActivate,
  createParamDecorator,
  type ExecutionContext,
  Injectable,
} from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { validateInput } from '@app/common';
import { ClientAuthenticationDto } from '@app/contracts';
import { addressKey } from '../limits/address-key';
import { ClientAuthenticationService } from './client-authentication.service';
import { clientCredentialsOf } from './client-credentials';
import type { RegisteredClient } from './client-store.port';

type ClientRequest = FastifyRequest & { client?: RegisteredClient };

/**
 * Client authentication for every endpoint that needs it (token, introspection, revocation), as
 * one guard: it reads the Basic header and the body's client fields (checked against their
 * schema), lets the ClientAuthenticationService decide, and hands the client to the handler.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-2.3
 */
@Injectable()
export class ClientAuthenticationGuard implements CanActivate {
  constructor(private readonly clientAuthentication: ClientAuthenticationService) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<ClientRequest>();
    const body = validateInput(ClientAuthenticationDto, request.body);
    request.client = await this.clientAuthentication.authenticate(
      clientCredentialsOf(request.headers.authorization, body, addressKey(request.ip)),
    );
    return true;
  }
}

/** The client the ClientAuthenticationGuard authenticated. */
export const AuthenticatedClient = createParamDecorator(
  (_data: unknown, context: ExecutionContext): RegisteredClient => {
    const client = context.switchToHttp().getRequest<ClientRequest>().client;
    // Only reachable by a route that forgot the guard: a bug, not a request to refuse.
    if (client === undefined) throw new Error('ClientAuthenticationGuard did not run');
    return client;
  },
);
