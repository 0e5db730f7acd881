import { Body, Controller, Get, Header, Headers, Ip, Post, Query, Redirect } from '@nestjs/common';
import { AuthorizationRequestDto } from '@app/contracts';
import { addressKey } from '../limits/address-key';
import { type AuthorizationRequest, AuthorizationService } from './authorization.service';
import { loginOf } from './login';

interface RedirectTo {
  url: string;
  statusCode: 302;
}

/** The authorization endpoint, GET and POST. @see https://www.rfc-editor.org/rfc/rfc6749#section-3.1 */
@Controller('authorize')
export class AuthorizeController {
  constructor(private readonly authorization: AuthorizationService) {}

  @Get()
  @Redirect()
  @Header('cache-control', 'no-store')
  async viaQuery(
    @Query() query: AuthorizationRequestDto,
    @Ip() address: string,
    @Headers('authorization') authorization?: string,
  ): Promise<RedirectTo> {
    const location = await this.authorization.authorize(toRequest(query), loginOf(authorization), {
      address: addressKey(address),
    });
    return { url: location, statusCode: 302 };
  }

  @Post()
  @Redirect()
  @Header('cache-control', 'no-store')
  async viaForm(
    @Body() form: AuthorizationRequestDto,
    @Ip() address: string,
    @Headers('authorization') authorization?: string,
  ): Promise<RedirectTo> {
    const location = await this.authorization.authorize(
      toRequest(form),
      loginOf(authorization, form),
      { address: addressKey(address) },
    );
    return { url: location, statusCode: 302 };
  }
}

function toRequest(dto: AuthorizationRequestDto): AuthorizationRequest {
  const { client_id, redirect_uri, response_type, scope, state, code_challenge } = dto;
  return {
    clientId: client_id,
    redirectUri: redirect_uri,
    parameters: {
      response_type,
      scope,
      state,
      code_challenge,
      code_challenge_method: dto.code_challenge_method,
      dpop_jkt: dto.dpop_jkt,
    },
  };
}
