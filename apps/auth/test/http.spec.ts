import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { InjectOptions } from 'fastify';
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
      expect(response.json()).toEqual({ status: 'ready', checks: { signing_key: 'up' } });
    });
  });
});
