import { Controller, Get, Header } from '@nestjs/common';
import type { AuthorizationServerMetadata } from '@app/contracts';
import { AuthConfig } from '../auth.config';
import { TokenService } from '../token/token.service';
import { buildMetadata } from './metadata';

/** RFC 8414 discovery. */
@Controller('.well-known')
export class MetadataController {
  private readonly metadata: AuthorizationServerMetadata;

  constructor(config: AuthConfig, tokens: TokenService) {
    this.metadata = buildMetadata(config.issuer, tokens.grantTypes, config.dpopAlgorithms);
  }

  @Get('oauth-authorization-server')
  @Header('cache-control', 'public, max-age=300')
  get(): AuthorizationServerMetadata {
    return this.metadata;
  }
}
