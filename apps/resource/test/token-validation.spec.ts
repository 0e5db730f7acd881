import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { DpopKey } from '@app/common';
import { AUDIENCE, ISSUER, testConfig } from './support/fakes';
import { compactJws, es256 } from '../../../libs/common/test/jws';
import { LocalServer, closedPort, sendJson } from '../../../libs/common/test/local-server';
import { createResourceApp } from './support/resource-app';

/** The resource server with its real verifiers, against a local stand-in for the AS. */
describe('token validation against the authorization server', () => {
  let app: NestFastifyApplication | undefined;
  let auth: LocalServer | undefined;

  afterEach(async () => {
    await app?.close();
    await auth?.close();
    app = undefined;
    auth = undefined;
  });

  describe('by introspection (RFC 7662, the default)', () => {
    const now = (): number => Math.floor(Date.now() / 1000);

    it('introspects the token with its own credentials and forwards X-Request-ID', async () => {
      auth = await LocalServer.start((_request, response) =>
        sendJson(response, 200, {
          active: true,
          scope: 'current_time',
          client_id: '1234',
          username: 'carol',
          sub: 'carol',
          aud: AUDIENCE,
          iss: ISSUER,
          exp: now() + 5,
          iat: now(),
          jti: 'j',
          token_type: 'Bearer',
        }),
      );
      app = await createResourceApp(testConfig({ authUrl: auth.url }));
      const response = await app.inject({
        method: 'GET',
        url: '/current_time',
        headers: { authorization: 'Bearer tok.en', 'x-request-id': 'rid-7' },
      });
      expect(response.statusCode).toBe(200);
      expect(response.json<{ user: string }>().user).toBe('carol');
      expect(auth.requests).toHaveLength(1);
      expect(auth.requests[0]).toMatchObject({
        method: 'POST',
        url: '/introspect',
        body: 'token=tok.en&token_type_hint=access_token',
      });
      expect(auth.requests[0]?.headers.authorization).toBe(
        `Basic ${Buffer.from('resource-server:resource-secret').toString('base64')}`,
      );
      expect(auth.requests[0]?.headers['x-request-id']).toBe('rid-7');
    });

    it('answers 401 invalid_token for an inactive token', async () => {
      auth = await LocalServer.start((_request, response) =>
        sendJson(response, 200, { active: false }),
      );
      app = await createResourceApp(testConfig({ authUrl: auth.url }));
      const response = await app.inject({
        method: 'GET',
        url: '/epoch_time',
        headers: { authorization: 'Bearer revoked' },
      });
      expect(response.statusCode).toBe(401);
      expect(response.json()).toEqual({
        error: 'invalid_token',
        error_description: 'the access token is not active',
      });
    });

    it('answers 502 when the introspection answer is not JSON', async () => {
      auth = await LocalServer.start((_request, response) => {
        response.writeHead(200, { 'content-type': 'text/html' });
        response.end('<html>oops</html>');
      });
      app = await createResourceApp(testConfig({ authUrl: auth.url }));
      const response = await app.inject({
        method: 'GET',
        url: '/epoch_time',
        headers: { authorization: 'Bearer t' },
      });
      expect(response.statusCode).toBe(502);
      expect(response.json()).toEqual({
        error: 'bad_gateway',
        error_description: 'the authorization server gave an unusable answer',
      });
    });

    it('answers 503 with Retry-After when the authorization server cannot be reached', async () => {
      app = await createResourceApp(
        testConfig({ authUrl: `http://127.0.0.1:${await closedPort()}`, upstreamTimeoutMs: 500 }),
      );
      const response = await app.inject({
        method: 'GET',
        url: '/epoch_time',
        headers: { authorization: 'Bearer t' },
      });
      expect(response.statusCode).toBe(503);
      expect(response.headers['retry-after']).toBe('1');
      expect(response.headers['www-authenticate']).toBeUndefined();
      expect(response.json()).toEqual({
        error: 'temporarily_unavailable',
        error_description: 'the authorization server cannot be reached',
      });
    });

    it('accepts a DPoP-bound token (cnf.jkt) only with a proof of the key it names', async () => {
      const key = DpopKey.generate();
      auth = await LocalServer.start((_request, response) =>
        sendJson(response, 200, {
          active: true,
          scope: 'current_time',
          client_id: '1234',
          username: 'erin',
          sub: 'erin',
          aud: AUDIENCE,
          iss: ISSUER,
          exp: now() + 5,
          iat: now(),
          jti: 'j',
          token_type: 'DPoP',
          cnf: { jkt: key.thumbprint },
        }),
      );
      app = await createResourceApp(testConfig({ authUrl: auth.url }));
      const url = 'http://localhost:5002/current_time';
      const proven = await app.inject({
        method: 'GET',
        url: '/current_time',
        headers: {
          host: 'localhost:5002',
          authorization: 'DPoP tok.en',
          dpop: key.proof({ htm: 'GET', htu: url, accessToken: 'tok.en' }),
        },
      });
      expect(proven.statusCode).toBe(200);
      expect(proven.json<{ user: string }>().user).toBe('erin');
      const asBearer = await app.inject({
        method: 'GET',
        url: '/current_time',
        headers: { host: 'localhost:5002', authorization: 'Bearer tok.en' },
      });
      expect(asBearer.statusCode).toBe(401);
      expect(asBearer.json()).toEqual({
        error: 'invalid_token',
        error_description:
          'the access token is DPoP-bound; send it with the DPoP scheme and a proof',
      });
      // The proof is the resource server's to check: the token alone goes to introspection.
      expect(auth.requests.map((request) => request.body)).toEqual([
        'token=tok.en&token_type_hint=access_token',
        'token=tok.en&token_type_hint=access_token',
      ]);
    });

    it('answers 504 when the authorization server does not answer in time', async () => {
      auth = await LocalServer.start(() => undefined);
      app = await createResourceApp(testConfig({ authUrl: auth.url, upstreamTimeoutMs: 100 }));
      const started = Date.now();
      const response = await app.inject({
        method: 'GET',
        url: '/epoch_time',
        headers: { authorization: 'Bearer t' },
      });
      expect(response.statusCode).toBe(504);
      expect(response.json()).toEqual({
        error: 'gateway_timeout',
        error_description: 'the authorization server did not answer in time',
      });
      expect(Date.now() - started).toBeLessThan(1000);
    });
  });

  describe('by JWKS (TOKEN_VALIDATION=jwks)', () => {
    it('verifies an ES256 at+jwt locally against the published key', async () => {
      const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
      const jwk = { ...publicKey.export({ format: 'jwk' }), kid: 'k1', use: 'sig' };
      auth = await LocalServer.start((request, response) =>
        request.url === '/jwks.json'
          ? sendJson(response, 200, { keys: [jwk] })
          : sendJson(response, 404, {}),
      );
      app = await createResourceApp(testConfig({ authUrl: auth.url, tokenValidation: 'jwks' }));
      const iat = Math.floor(Date.now() / 1000);
      const token = compactJws(
        { alg: 'ES256', typ: 'at+jwt', kid: 'k1' },
        {
          iss: ISSUER,
          sub: 'dave',
          aud: AUDIENCE,
          client_id: '1234',
          scope: 'epoch_time',
          iat,
          exp: iat + 5,
          jti: 'j1',
        },
        es256(privateKey),
      );
      const ok = await app.inject({
        method: 'GET',
        url: '/epoch_time',
        headers: { authorization: `Bearer ${token}` },
      });
      expect(ok.statusCode).toBe(200);
      expect(ok.json<{ user: string }>().user).toBe('dave');
      const wrongScope = await app.inject({
        method: 'GET',
        url: '/current_time',
        headers: { authorization: `Bearer ${token}` },
      });
      expect(wrongScope.statusCode).toBe(403);
      expect(auth.requests.map((request) => request.url)).toEqual(['/jwks.json']);
    });

    it('waits for the next JWKS fetch for a kid rotated in seconds ago, then accepts it', async () => {
      const signer = (kid: string) => {
        const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
        return {
          kid,
          privateKey,
          jwk: { ...publicKey.export({ format: 'jwk' }), kid, use: 'sig' },
        };
      };
      const k1 = signer('k1');
      const k2 = signer('k2');
      let published = [k1.jwk];
      auth = await LocalServer.start((_request, response) =>
        sendJson(response, 200, { keys: published }),
      );
      const server = await createResourceApp(
        testConfig({ authUrl: auth.url, tokenValidation: 'jwks' }),
      );
      app = server;
      const tokenBy = (kid: string, privateKey: KeyObject): string => {
        const iat = Math.floor(Date.now() / 1000);
        return compactJws(
          { alg: 'ES256', typ: 'at+jwt', kid },
          {
            iss: ISSUER,
            sub: 'frank',
            aud: AUDIENCE,
            client_id: '1234',
            scope: 'current_time',
            iat,
            exp: iat + 5,
            jti: `j-${kid}`,
          },
          es256(privateKey),
        );
      };
      const get = (token: string) =>
        server.inject({
          method: 'GET',
          url: '/current_time',
          headers: { authorization: `Bearer ${token}` },
        });
      expect((await get(tokenBy('k1', k1.privateKey))).statusCode).toBe(200);
      published = [k1.jwk, k2.jwk];
      const started = Date.now();
      const rotated = await get(tokenBy('k2', k2.privateKey));
      expect(rotated.statusCode).toBe(200);
      expect(rotated.json<{ user: string }>().user).toBe('frank');
      // The module's cooldown is one second: the wait is at most that, and one fetch serves it.
      expect(Date.now() - started).toBeLessThan(1_500);
      expect(auth.requests.map((request) => request.url)).toEqual(['/jwks.json', '/jwks.json']);
    });
  });
});
