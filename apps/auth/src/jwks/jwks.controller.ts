import { Controller, Get, Header, Inject } from '@nestjs/common';
import type { PublicJwk } from '@app/contracts';
import { SigningKeys } from '../signing/signing-keys';

/**
 * The public keys that verify every live token of every replica, as the key directory lists
 * them. @see https://www.rfc-editor.org/rfc/rfc7517#section-5
 */
@Controller('jwks.json')
export class JwksController {
  constructor(@Inject(SigningKeys) private readonly keys: SigningKeys) {}

  @Get()
  @Header('cache-control', 'public, max-age=10')
  @Header('content-type', 'application/jwk-set+json')
  async get(): Promise<{ keys: PublicJwk[] }> {
    return { keys: await this.keys.publicJwks() };
  }
}
