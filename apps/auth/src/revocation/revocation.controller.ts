import { Body, Controller, Header, HttpCode, Post, UseGuards } from '@nestjs/common';
import { RevocationRequestDto } from '@app/contracts';
import {
  AuthenticatedClient,
  ClientAuthenticationGuard,
} from '../clients/client-authentication.guard';
import type { RegisteredClient } from '../clients/client-store.port';
import { RevocationService } from './revocation.service';

/** The revocation endpoint: 200 with an empty JSON object once the token is gone. @see https://www.rfc-editor.org/rfc/rfc7009#section-2.2 */
@Controller('revoke')
@UseGuards(ClientAuthenticationGuard)
export class RevocationController {
  constructor(private readonly revocation: RevocationService) {}

  @Post()
  @HttpCode(200)
  @Header('cache-control', 'no-store')
  async revoke(
    @Body() body: RevocationRequestDto,
    @AuthenticatedClient() client: RegisteredClient,
  ): Promise<Record<string, never>> {
    await this.revocation.revoke(client, body.token);
    return {};
  }
}
