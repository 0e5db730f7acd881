import { Body, Controller, Header, Headers, HttpCode, Ip, Post } from '@nestjs/common';
import { RevocationRequestDto } from '@app/contracts';
import { clientCredentialsOf } from '../token/client-credentials';
import { RevocationService } from './revocation.service';

/** The revocation endpoint: 200 with an empty JSON object whatever became of the token. @see https://www.rfc-editor.org/rfc/rfc7009#section-2.2 */
@Controller('revoke')
export class RevocationController {
  constructor(private readonly revocation: RevocationService) {}

  @Post()
  @HttpCode(200)
  @Header('cache-control', 'no-store')
  async revoke(
    @Body() body: RevocationRequestDto,
    @Ip() address: string,
    @Headers('authorization') authorization?: string,
  ): Promise<Record<string, never>> {
    await this.revocation.revoke({
      token: body.token,
      credentials: clientCredentialsOf(authorization, body, address),
    });
    return {};
  }
}
