import { Body, Controller, Get, Headers, Post, Query, Redirect } from '@nestjs/common';
import { AuthorizationRequestDto } from '@app/contracts';
import { type AuthorizationRequest, AuthorizationService } from './authorization.service';
import { resourceOwnerOf } from './login';

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
  async viaQuery(
    @Query() query: AuthorizationRequestDto,
    @Headers('authorization') authorization?: string,
  ): Promise<RedirectTo> {
    const location = await this.authorization.authorize(
      toRequest(query),
      resourceOwnerOf(authorization),
    );
    return { url: location, statusCode: 302 };
  }

  @Post()
  @Redirect()
  async viaForm(
    @Body() form: AuthorizationRequestDto,
    @Headers('authorization') authorization?: string,
  ): Promise<RedirectTo> {
    const location = await this.authorization.authorize(
      toRequest(form),
      resourceOwnerOf(authorization, form),
    );
    return { url: location, statusCode: 302 };
  }
}

function toRequest(dto: AuthorizationRequestDto): AuthorizationRequest {
  return {
    responseType: dto.response_type,
    clientId: dto.client_id,
    redirectUri: dto.redirect_uri,
    scope: dto.scope,
    state: dto.state,
    codeChallenge: dto.code_challenge,
    codeChallengeMethod: dto.code_challenge_method,
  };
}
