// libs/contracts' DTOs (class-transformer's @Type) need the metadata polyfill Nest loads.
import 'reflect-metadata';
import type { GrantType } from '@app/contracts';
import { buildMetadata } from './metadata';

describe('buildMetadata', () => {
  it('publishes every endpoint under the issuer', () => {
    const metadata = buildMetadata('https://as.example:8443', ['authorization_code'], ['ES256']);
    expect(metadata).toMatchObject({
      issuer: 'https://as.example:8443',
      authorization_endpoint: 'https://as.example:8443/authorize',
      token_endpoint: 'https://as.example:8443/token',
      introspection_endpoint: 'https://as.example:8443/introspect',
      revocation_endpoint: 'https://as.example:8443/revoke',
      jwks_uri: 'https://as.example:8443/jwks.json',
    });
  });

  it('lists the grant types of the registered handlers and the DPoP algorithms it verifies', () => {
    const metadata = buildMetadata(
      'https://as.example',
      ['authorization_code'],
      ['ES256', 'EdDSA'],
    );
    expect(metadata.grant_types_supported).toEqual(['authorization_code']);
    expect(metadata.dpop_signing_alg_values_supported).toEqual(['ES256', 'EdDSA']);
    expect(buildMetadata('https://as.example', [], []).grant_types_supported).toEqual([]);
  });

  it('hands out copies: a caller that changes them changes nothing for the next', () => {
    const grants: GrantType[] = ['authorization_code'];
    const metadata = buildMetadata('https://as.example', grants, ['ES256']);
    grants.length = 0;
    metadata.scopes_supported.push('openid');
    expect(metadata.grant_types_supported).toEqual(['authorization_code']);
    expect(buildMetadata('https://as.example', [], []).scopes_supported).toEqual([
      'current_time',
      'epoch_time',
    ]);
  });
});
