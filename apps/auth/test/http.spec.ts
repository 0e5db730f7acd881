import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { InjectOptions } from 'fastify';
import { hostname } from 'node:os';
import { KEY_DIRECTORY } from '../src/stores/key-directory.port';
import { InMemoryKeyDirectory } from '../src/stores/memory/in-memory-key.directory';
import { STORE_HEALTH } from '../src/stores/store-health.port';
import { createAuthApp } from './support/auth-app';
import { FORM, UUID, basic } from './support/oauth-client';

describe('HTTP', () => {
  let app: NestFastifyApplication;

  beforeAll(async () => {
    app = await createAuthApp();
  });

  afterAll(() => app.close());

  describe('X-Request-ID', () => {
    const requests: [string, InjectOptions, number][] = [
      ['metadata', { method: 'GET', url: '/.well-known/oauth-authorization-server' }, 200],
      ['a refused authorization', { method: 'GET', url: '/authorize?client_id=x' }, 400],
      [
        'a redirect',
        {
          method: 'GET',
          url: '/authorize?client_id=1234&redirect_uri=http%3A%2F%2Flocalhost%3A5003%2Fcallback',
          headers: { authorization: basic('alice', 'pw') },
        },
        302,
      ],
      ['a token request', { method: 'POST', url: '/token', headers: FORM, payload: '' }, 401],
      ['an unknown path', { method: 'GET', url: '/nope' }, 404],
      ['a wrong method', { method: 'DELETE', url: '/token' }, 405],
      [
        'a body too large',
        { method: 'POST', url: '/token', headers: FORM, payload: 'a'.repeat(20_000) },
        413,
      ],
      [
        'a JSON body',
        {
          method: 'POST',
          url: '/token',
          headers: { 'content-type': 'application/json' },
          payload: '{}',
        },
        415,
      ],
      ['GET /healthz', { method: 'GET', url: '/healthz' }, 200],
    ];

    it.each(requests)('is set, as a new UUID, on %s', async (_name, request, status) => {
      const response = await app.inject(request);
      expect(response.statusCode).toBe(status);
      expect(response.headers['x-request-id']).toMatch(UUID);
    });

    it.each(requests)('echoes a sane inbound one unchanged on %s', async (_name, request) => {
      const response = await app.inject({
        ...request,
        headers: { ...request.headers, 'x-request-id': 'abc-123' },
      });
      expect(response.headers['x-request-id']).toBe('abc-123');
    });

    it('differs from request to request', async () => {
      const ids = await Promise.all(
        [1, 2, 3].map(async () => (await app.inject('/healthz')).headers['x-request-id']),
      );
      expect(new Set(ids).size).toBe(3);
    });

    it('keeps an inbound id of 128 characters', async () => {
      const id = `r${'x'.repeat(127)}`;
      const response = await app.inject({ url: '/healthz', headers: { 'x-request-id': id } });
      expect(response.headers['x-request-id']).toBe(id);
    });

    it.each([
      ['200 characters long', 'a'.repeat(200)],
      ['129 characters long', 'a'.repeat(129)],
      ['with spaces', 'abc 123'],
      ['with a quote and angle brackets', '<script>"x"'],
      ['starting with a dash', '-abc'],
      ['empty', ''],
    ])('replaces an inbound id %s with a new UUID', async (_name, id) => {
      const response = await app.inject({ url: '/healthz', headers: { 'x-request-id': id } });
      expect(response.headers['x-request-id']).toMatch(UUID);
    });
  });

  describe('unknown paths and wrong methods', () => {
    it.each(['/nope', '/token/', '/authorize/extra', '/.well-known/openid-configuration'])(
      'answers 404 JSON for GET %s',
      async (url) => {
        const response = await app.inject({ method: 'GET', url });
        expect(response.statusCode).toBe(404);
        expect(response.headers['content-type']).toBe('application/json; charset=utf-8');
        expect(response.json()).toEqual({
          error: 'not_found',
          error_description: 'no such resource',
        });
      },
    );

    it.each([
      ['PUT', '/token', 'POST'],
      ['GET', '/introspect', 'POST'],
      ['GET', '/revoke', 'POST'],
      ['DELETE', '/authorize', 'GET, HEAD, POST'],
      ['POST', '/jwks.json', 'GET, HEAD'],
      ['POST', '/.well-known/oauth-authorization-server', 'GET, HEAD'],
    ])('answers 405 JSON with Allow to %s %s', async (method, url, allow) => {
      const response = await app.inject({ method: method as 'GET', url });
      expect(response.statusCode).toBe(405);
      expect(response.headers.allow).toBe(allow);
      expect(response.headers['content-type']).toBe('application/json; charset=utf-8');
      expect(response.json()).toEqual({
        error: 'method_not_allowed',
        error_description: `${method} is not allowed on ${url}`,
      });
    });
  });

  describe('health', () => {
    it('GET /healthz answers 200 while the process serves', async () => {
      const response = await app.inject('/healthz');
      expect(response.statusCode).toBe(200);
      expect(response.json()).toEqual({ status: 'ok' });
    });

    it('GET /readyz answers 200 with its checks', async () => {
      const response = await app.inject('/readyz');
      expect(response.statusCode).toBe(200);
      expect(response.headers['cache-control']).toBe('no-store');
      expect(response.json()).toEqual({
        status: 'ready',
        checks: { store: 'up', signing_key: 'up' },
      });
    });

    it('GET /readyz answers 503 while the store does not answer', async () => {
      const down = await createAuthApp({
        overrides: [{ token: STORE_HEALTH, value: { ping: () => Promise.resolve(false) } }],
      });
      try {
        const response = await down.inject('/readyz');
        expect(response.statusCode).toBe(503);
        expect(response.json()).toEqual({
          status: 'not_ready',
          checks: { store: 'down', signing_key: 'up' },
        });
        expect((await down.inject('/healthz')).statusCode).toBe(200);
      } finally {
        await down.close();
      }
    });

    it('GET /readyz answers 503 while the signing key is not published', async () => {
      const directory = new InMemoryKeyDirectory();
      jest.spyOn(directory, 'publish').mockRejectedValue(new Error('connection refused'));
      const unpublished = await createAuthApp({
        overrides: [{ token: KEY_DIRECTORY, value: directory }],
      });
      try {
        const response = await unpublished.inject('/readyz');
        expect(response.statusCode).toBe(503);
        expect(response.json()).toEqual({
          status: 'not_ready',
          checks: { store: 'up', signing_key: 'down' },
        });
      } finally {
        await unpublished.close();
      }
    });
  });

  describe('headers on every answer', () => {
    const answers: [string, InjectOptions, number][] = [
      ['metadata', { method: 'GET', url: '/.well-known/oauth-authorization-server' }, 200],
      ['the JWKS', { method: 'GET', url: '/jwks.json' }, 200],
      [
        'a redirect',
        {
          method: 'GET',
          url: '/authorize?client_id=1234&redirect_uri=http%3A%2F%2Flocalhost%3A5003%2Fcallback',
          headers: { authorization: basic('alice', 'pw') },
        },
        302,
      ],
      ['a refused authorization', { method: 'GET', url: '/authorize?client_id=x' }, 400],
      [
        'a login challenge',
        {
          method: 'GET',
          url: '/authorize?client_id=1234&redirect_uri=http%3A%2F%2Flocalhost%3A5003%2Fcallback&response_type=code&scope=current_time&code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM&code_challenge_method=S256',
        },
        401,
      ],
      ['a client challenge', { method: 'POST', url: '/token', headers: FORM, payload: '' }, 401],
      ['an unknown path', { method: 'GET', url: '/nope' }, 404],
      ['a wrong method', { method: 'DELETE', url: '/token' }, 405],
      [
        'a body too large',
        { method: 'POST', url: '/token', headers: FORM, payload: 'a'.repeat(20_000) },
        413,
      ],
      [
        'a JSON body',
        {
          method: 'POST',
          url: '/token',
          headers: { 'content-type': 'application/json' },
          payload: '{}',
        },
        415,
      ],
      ['GET /healthz', { method: 'GET', url: '/healthz' }, 200],
      ['GET /readyz', { method: 'GET', url: '/readyz' }, 200],
    ];

    it.each(answers)(
      'forbids framing (RFC 9700 4.16) and sniffing, and names the replica, on %s',
      async (_name, request, status) => {
        const response = await app.inject(request);
        expect(response.statusCode).toBe(status);
        expect(response.headers['x-frame-options']).toBe('DENY');
        expect(response.headers['content-security-policy']).toBe("frame-ancestors 'none'");
        expect(response.headers['x-content-type-options']).toBe('nosniff');
        expect(response.headers['x-served-by']).toBe(`auth@${hostname()}:${process.pid}`);
      },
    );

    it('says nosniff even on a path that does not decode, refused before any hook runs', async () => {
      const response = await app.inject({ method: 'GET', url: '/authorize%zz' });
      expect(response.statusCode).toBe(400);
      expect(response.headers['x-content-type-options']).toBe('nosniff');
      expect(response.headers['x-request-id']).toMatch(UUID);
    });
  });
});
