import { Body, Controller, Header, Headers, HttpCode, Ip, Post } from '@nestjs/common';
import { IntrospectionRequestDto } from '@app/contracts';
import { clientCredentialsOf } from '../token/client-credentials';
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
      token_type: 'Bearer';
    };

/** The introspection endpoint. @see https://www.rfc-editor.org/rfc/rfc7662#section-2.2 */
@Controller('introspect')
export class IntrospectionController {
  constructor(private readonly introspection: IntrospectionService) {}

  @Post()
  @HttpCode(200)
  @Header('cache-control', 'no-store')
  async introspect(
    @Body() body: IntrospectionRequestDto,
    @Ip() address: string,
    @Headers('authorization') authorization?: string,
  ): Promise<IntrospectionResponseBody> {
    const result = await this.introspection.introspect({
      token: body.token,
      credentials: clientCredentialsOf(authorization, body, address),
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
    token_type: 'Bearer',
  };
}
