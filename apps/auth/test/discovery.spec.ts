import { createPublicKey, type JsonWebKey, verify } from 'node:crypto';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createAuthApp } from './support/auth-app';
import { testConfig } from './support/fakes';
import { decodeJws } from '../../../libs/common/test/jws';
import { OAuthClient } from './support/oauth-client';

describe('discovery', () => {
  let app: NestFastifyApplication;

  beforeAll(async () => {
    app = await createAuthApp();
  });

  afterAll(() => app.close());

  describe('GET /.well-known/oauth-authorization-server', () => {
    it('publishes the RFC 8414 metadata the contract promises', async () => {
      const response = await app.inject({
        method: 'GET',
        url: '/.well-known/oauth-authorization-server',
      });

      expect(response.statusCode).toBe(200);
      expect(response.headers['content-type']).toBe('application/json; charset=utf-8');
      expect(response.json()).toEqual({
        issuer: 'http://localhost:5001',
        authorization_endpoint: 'http://localhost:5001/authorize',
        token_endpoint: 'http://localhost:5001/token',
        introspection_endpoint: 'http://localhost:5001/introspect',
        revocation_endpoint: 'http://localhost:5001/revoke',
        jwks_uri: 'http://localhost:5001/jwks.json',
        scopes_supported: ['current_time', 'epoch_time'],
        response_types_supported: ['code'],
        response_modes_supported: ['query'],
        grant_types_supported: ['authorization_code'],
        code_challenge_methods_supported: ['S256'],
        token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
        introspection_endpoint_auth_methods_supported: [
          'client_secret_basic',
          'client_secret_post',
        ],
        revocation_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
        authorization_response_iss_parameter_supported: true,
        dpop_signing_alg_values_supported: testConfig().dpopAlgorithms,
      });
      expect(response.headers['cache-control']).toBe('public, max-age=300');
    });

    it('publishes endpoints that this server routes', async () => {
      const metadata = (
        await app.inject({ method: 'GET', url: '/.well-known/oauth-authorization-server' })
      ).json<Record<string, string>>();
      const pathOf = (field: string): string => new URL(metadata[field] ?? '').pathname;

      const statuses = await Promise.all([
        app.inject({ method: 'GET', url: pathOf('authorization_endpoint') }),
        app.inject({ method: 'POST', url: pathOf('token_endpoint') }),
        app.inject({ method: 'POST', url: pathOf('introspection_endpoint') }),
        app.inject({ method: 'POST', url: pathOf('revocation_endpoint') }),
        app.inject({ method: 'GET', url: pathOf('jwks_uri') }),
      ]);
      expect(statuses.map((response) => response.statusCode)).toEqual([400, 401, 401, 401, 200]);
    });

    it('publishes everything under the configured issuer, and the configured DPoP algorithms', async () => {
      const other = await createAuthApp({
        config: { issuer: 'https://as.example', dpopAlgorithms: ['ES256', 'EdDSA'] },
      });
      try {
        const response = await other.inject({
          method: 'GET',
          url: '/.well-known/oauth-authorization-server',
        });
        expect(response.json()).toMatchObject({
          issuer: 'https://as.example',
          token_endpoint: 'https://as.example/token',
          jwks_uri: 'https://as.example/jwks.json',
          dpop_signing_alg_values_supported: ['ES256', 'EdDSA'],
        });
      } finally {
        await other.close();
      }
    });
  });

  describe('GET /jwks.json', () => {
    it('lists the public signing key, without private parts', async () => {
      const response = await app.inject({ method: 'GET', url: '/jwks.json' });

      expect(response.statusCode).toBe(200);
      expect(response.headers['content-type']).toBe('application/jwk-set+json; charset=utf-8');
      expect(response.headers['cache-control']).toBe('public, max-age=10');
      expect(response.json()).toEqual({
        keys: [
          {
            kty: 'EC',
            crv: 'P-256',
            x: expect.any(String),
            y: expect.any(String),
            kid: expect.any(String),
            use: 'sig',
            alg: 'ES256',
          },
        ],
      });
    });

    it('holds the key that verifies an access token, by its kid', async () => {
      const token = await new OAuthClient(app).accessToken();
      const { keys } = (await app.inject({ method: 'GET', url: '/jwks.json' })).json<{
        keys: (JsonWebKey & { kid: string })[];
      }>();
      const { header, signingInput, signature } = decodeJws(token);

      const jwk = keys.find((key) => key.kid === header.kid);
      expect(jwk).toBeDefined();
      const publicKey = createPublicKey({ key: jwk as JsonWebKey, format: 'jwk' });
      const verifies = (input: string): boolean =>
        verify(
          'sha256',
          Buffer.from(input),
          { key: publicKey, dsaEncoding: 'ieee-p1363' },
          signature,
        );

      expect(verifies(signingInput)).toBe(true);
      expect(verifies(`${signingInput}x`)).toBe(false);
    });
  });
});
