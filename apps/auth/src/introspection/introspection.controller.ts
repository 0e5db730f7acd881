import { Body, Controller, Header, HttpCode, Ip, Post, UseGuards } from '@nestjs/common';
import { IntrospectionRequestDto } from '@app/contracts';
import {
  AuthenticatedClient,
  ClientAuthenticationGuard,
} from '../clients/client-authentication.guard';
import type { RegisteredClient } from '../clients/client-store.port';
import { addressKey } from '../limits/address-key';
import { type Introspection, IntrospectionService } from './introspection.service';

type IntrospectionResponseBody =
  | { active: false }
  | {
      active: true;
      scope: string;
      client_id: string;
      username: string;
      sub: string;
      aud: string;
      iss: string;
      exp: number;
      iat: number;
      jti: string;
      token_type: 'Bearer' | 'DPoP';
      cnf?: { jkt: string };
    };

/** The introspection endpoint. @see https://www.rfc-editor.org/rfc/rfc7662#section-2.2 */
@Controller('introspect')
@UseGuards(ClientAuthenticationGuard)
export class IntrospectionController {
  constructor(private readonly introspection: IntrospectionService) {}

  @Post()
  @HttpCode(200)
  @Header('cache-control', 'no-store')
  async introspect(
    @Body() body: IntrospectionRequestDto,
    @AuthenticatedClient() client: RegisteredClient,
    @Ip() address: string,
  ): Promise<IntrospectionResponseBody> {
    const result = await this.introspection.introspect(client, {
      token: body.token,
      address: addressKey(address),
    });
    return toIntrospectionResponse(result);
  }
}

function toIntrospectionResponse(result: Introspection): IntrospectionResponseBody {
  if (!result.active) return { active: false };
  const { claims } = result;
  return {
    active: true,
    scope: claims.scope,
    client_id: claims.client_id,
    username: claims.sub,
    sub: claims.sub,
    aud: claims.aud,
    iss: claims.iss,
    exp: claims.exp,
    iat: claims.iat,
    jti: claims.jti,
    // RFC 9449 6.2: a bound token introspects with its confirmation.
    ...(claims.cnf === undefined
      ? { token_type: 'Bearer' as const }
      : { token_type: 'DPoP' as const, cnf: { jkt: claims.cnf.jkt } }),
  };
}
