import { buildMetadata } from './metadata';

describe('buildMetadata', () => {
  it('publishes every endpoint under the issuer', () => {
    const metadata = buildMetadata('https://as.example:8443');
    expect(metadata).toMatchObject({
      issuer: 'https://as.example:8443',
      authorization_endpoint: 'https://as.example:8443/authorize',
      token_endpoint: 'https://as.example:8443/token',
      introspection_endpoint: 'https://as.example:8443/introspect',
      revocation_endpoint: 'https://as.example:8443/revoke',
      jwks_uri: 'https://as.example:8443/jwks.json',
    });
  });
});
