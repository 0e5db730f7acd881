import { Controller, Get, Header, Inject } from '@nestjs/common';
import type { PublicJwk } from '@app/contracts';
import { TOKEN_SIGNER, type TokenSigner } from '../signing/token-signer.port';

/** The public keys that verify every live token. @see https://www.rfc-editor.org/rfc/rfc7517#section-5 */
@Controller('jwks.json')
export class JwksController {
  private readonly document: { keys: PublicJwk[] };

  constructor(@Inject(TOKEN_SIGNER) signer: TokenSigner) {
    this.document = { keys: signer.publicJwks() };
  }

  @Get()
  @Header('cache-control', 'public, max-age=60')
  @Header('content-type', 'application/jwk-set+json')
  get(): { keys: PublicJwk[] } {
    return this.document;
  }
}
