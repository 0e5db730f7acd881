import { Body, Controller, Header, Headers, HttpCode, Post, UseGuards } from '@nestjs/common';
import { TokenRequestDto } from '@app/contracts';
import {
  AuthenticatedClient,
  ClientAuthenticationGuard,
} from '../clients/client-authentication.guard';
import type { RegisteredClient } from '../clients/client-store.port';
import { type IssuedToken, TokenService } from './token.service';

interface TokenResponseBody {
  access_token: string;
  token_type: 'Bearer' | 'DPoP';
  expires_in: number;
  scope: string;
}

/** The token endpoint. @see https://www.rfc-editor.org/rfc/rfc6749#section-5.1 */
@Controller('token')
@UseGuards(ClientAuthenticationGuard)
export class TokenController {
  constructor(private readonly tokens: TokenService) {}

  @Post()
  @HttpCode(200)
  @Header('cache-control', 'no-store')
  @Header('pragma', 'no-cache')
  async token(
    @Body() body: TokenRequestDto,
    @AuthenticatedClient() client: RegisteredClient,
    @Headers('dpop') dpopProof?: string | string[],
  ): Promise<TokenResponseBody> {
    const { grant_type, ...parameters } = body;
    const issued = await this.tokens.issue(client, {
      grantType: grant_type,
      parameters,
      dpopProof,
    });
    return toTokenResponse(issued);
  }
}

function toTokenResponse(issued: IssuedToken): TokenResponseBody {
  return {
    access_token: issued.accessToken,
    token_type: issued.tokenType,
    expires_in: issued.expiresIn,
    scope: issued.scope,
  };
}
