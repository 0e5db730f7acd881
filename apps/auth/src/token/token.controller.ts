import { Body, Controller, Header, Headers, HttpCode, Ip, Post } from '@nestjs/common';
import { TokenRequestDto } from '@app/contracts';
import { clientCredentialsOf } from './client-credentials';
import { type IssuedToken, TokenService } from './token.service';

interface TokenResponseBody {
  access_token: string;
  token_type: 'Bearer';
  expires_in: number;
  scope: string;
}

/** The token endpoint. @see https://www.rfc-editor.org/rfc/rfc6749#section-5.1 */
@Controller('token')
export class TokenController {
  constructor(private readonly tokens: TokenService) {}

  @Post()
  @HttpCode(200)
  @Header('cache-control', 'no-store')
  @Header('pragma', 'no-cache')
  async token(
    @Body() body: TokenRequestDto,
    @Ip() address: string,
    @Headers('authorization') authorization?: string,
  ): Promise<TokenResponseBody> {
    const issued = await this.tokens.issue({
      grantType: body.grant_type,
      code: body.code,
      redirectUri: body.redirect_uri,
      codeVerifier: body.code_verifier,
      credentials: clientCredentialsOf(authorization, body, address),
    });
    return toTokenResponse(issued);
  }
}

function toTokenResponse(issued: IssuedToken): TokenResponseBody {
  return {
    access_token: issued.accessToken,
    token_type: 'Bearer',
    expires_in: issued.expiresIn,
    scope: issued.scope,
  };
}
