import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { UpstreamError } from '@app/common';
import { InvalidTokenError } from '../src/errors/resource.errors';
import { FakeVerifier, testConfig, verifiedToken } from './support/fakes';
import { createResourceApp } from './support/resource-app';

const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+00:00$/;

describe('RFC 6750 bearer token usage at the resource server', () => {
  let verifier: FakeVerifier;
  let app: NestFastifyApplication;

  beforeAll(async () => {
    verifier = new FakeVerifier();
    app = await createResourceApp(testConfig(), verifier);
  });

  afterAll(async () => {
    await app.close();
  });

  beforeEach(() => {
    verifier.calls.length = 0;
    verifier.tokens.clear();
    verifier.tokens.set('current', verifiedToken({ scopes: ['current_time'], subject: 'alice' }));
    verifier.tokens.set('epoch', verifiedToken({ scopes: ['epoch_time'], subject: 'bob' }));
  });

  const get = (url: string, headers: Record<string, string> = {}) =>
    app.inject({ method: 'GET', url, headers });

  describe('a valid token with the endpoint scope', () => {
    it('GET /current_time answers the time and the token subject, not to be stored', async () => {
      const before = Math.floor(Date.now() / 1000);
      const response = await get('/current_time', { authorization: 'Bearer current' });
      expect(response.statusCode).toBe(200);
      expect(response.headers['content-type']).toBe('application/json; charset=utf-8');
      expect(response.headers['cache-control']).toBe('no-store');
      const body = response.json<{ current_time: string; user: string }>();
      expect(Object.keys(body).sort()).toEqual(['current_time', 'user']);
      expect(body.user).toBe('alice');
      expect(body.current_time).toMatch(ISO_UTC);
      const seconds = Date.parse(body.current_time) / 1000;
      expect(seconds).toBeGreaterThanOrEqual(before);
      expect(seconds).toBeLessThanOrEqual(before + 2);
    });

    it('GET /epoch_time answers integer seconds and the token subject', async () => {
      const before = Math.floor(Date.now() / 1000);
      const response = await get('/epoch_time', { authorization: 'bearer epoch' });
      expect(response.statusCode).toBe(200);
      expect(response.headers['cache-control']).toBe('no-store');
      const body = response.json<{ epoch_time: number; user: string }>();
      expect(Object.keys(body).sort()).toEqual(['epoch_time', 'user']);
      expect(body.user).toBe('bob');
      expect(Number.isInteger(body.epoch_time)).toBe(true);
      expect(body.epoch_time).toBeGreaterThanOrEqual(before);
      expect(body.epoch_time).toBeLessThanOrEqual(before + 2);
    });

    it('hands the verifier the token, the request id, and the request as the client addressed it', async () => {
      const response = await get('/epoch_time?x=1', {
        authorization: 'Bearer epoch',
        'x-request-id': 'trace-123',
        host: 'rs.example:8443',
      });
      expect(response.statusCode).toBe(200);
      expect(response.headers['x-request-id']).toBe('trace-123');
      expect(verifier.calls).toEqual([
        {
          token: 'epoch',
          request: {
            method: 'GET',
            url: 'http://rs.example:8443/epoch_time?x=1',
            dpop: undefined,
            requestId: 'trace-123',
          },
        },
      ]);
    });

    it('answers HEAD like GET, without a body', async () => {
      const response = await app.inject({
        method: 'HEAD',
        url: '/current_time',
        headers: { authorization: 'Bearer current' },
      });
      expect(response.statusCode).toBe(200);
      expect(response.headers['cache-control']).toBe('no-store');
      expect(response.body).toBe('');
    });
  });

  describe('no token (RFC 6750 3.1: no error code in the challenge)', () => {
    it.each([
      ['no Authorization header', {}],
      ['Basic credentials', { authorization: 'Basic YWxpY2U6eA==' }],
    ])('answers 401 with a bare Bearer challenge for %s', async (_case, headers) => {
      const response = await get('/current_time', headers);
      expect(response.statusCode).toBe(401);
      expect(response.headers['www-authenticate']).toBe('Bearer realm="time"');
      expect(response.headers['content-type']).toBe('application/json; charset=utf-8');
      expect(response.headers['cache-control']).toBe('no-store');
      expect(response.json()).toEqual({
        error: 'invalid_request',
        error_description: 'an access token is required in the Authorization header',
      });
      expect(verifier.calls).toHaveLength(0);
    });
  });

  describe('a malformed credential (RFC 6750 3.1: a malformed token is invalid_token, 401)', () => {
    it.each([
      ['two tokens', 'Bearer a b'],
      ['a character outside b64token', 'Bearer a,b'],
      ['no token after the scheme', 'Bearer'],
      ['a token longer than any of this stack', `Bearer ${'a'.repeat(4097)}`],
    ])('answers 401 invalid_token with a Bearer challenge for %s', async (_case, authorization) => {
      const response = await get('/current_time', { authorization });
      expect(response.statusCode).toBe(401);
      expect(response.headers['www-authenticate']).toBe(
        'Bearer realm="time", error="invalid_token", error_description="the access token is malformed"',
      );
      expect(response.headers['cache-control']).toBe('no-store');
      expect(response.json()).toEqual({
        error: 'invalid_token',
        error_description: 'the access token is malformed',
      });
      expect(verifier.calls).toHaveLength(0);
    });
  });

  describe('a malformed request (RFC 6750 3.1 invalid_request: 400)', () => {
    it('refuses a token in both the header and the query as two methods at once', async () => {
      const response = await get('/current_time?access_token=current', {
        authorization: 'Bearer current',
      });
      expect(response.statusCode).toBe(400);
      expect(response.headers['www-authenticate']).toBe(
        'Bearer realm="time", error="invalid_request", error_description="send the access token in the Authorization header only"',
      );
      expect(response.json()).toEqual({
        error: 'invalid_request',
        error_description: 'send the access token in the Authorization header only',
      });
      expect(verifier.calls).toHaveLength(0);
    });

    it('treats an access_token sent without a value as omitted (RFC 6749 3.1)', async () => {
      const response = await get('/current_time?access_token=', {
        authorization: 'Bearer current',
      });
      expect(response.statusCode).toBe(200);
      expect(response.json<{ user: string }>().user).toBe('alice');
    });

    it('takes a token in the query string for no authentication at all', async () => {
      const response = await get('/current_time?access_token=current');
      expect(response.statusCode).toBe(401);
      expect(response.headers['www-authenticate']).toBe('Bearer realm="time"');
      expect(response.json()).toEqual({
        error: 'invalid_request',
        error_description: 'access tokens are accepted only in the Authorization header',
      });
      expect(verifier.calls).toHaveLength(0);
    });
  });

  describe('an invalid token', () => {
    it('answers 401 invalid_token with the reason in the challenge', async () => {
      verifier.tokens.set('revoked', new InvalidTokenError('the access token is not active'));
      const response = await get('/current_time', { authorization: 'Bearer revoked' });
      expect(response.statusCode).toBe(401);
      expect(response.headers['www-authenticate']).toBe(
        'Bearer realm="time", error="invalid_token", error_description="the access token is not active"',
      );
      expect(response.headers['cache-control']).toBe('no-store');
      expect(response.json()).toEqual({
        error: 'invalid_token',
        error_description: 'the access token is not active',
      });
    });

    it('answers 401 invalid_token for a token meant for another server', async () => {
      verifier.tokens.set('elsewhere', verifiedToken({ audience: ['http://localhost:9999'] }));
      const response = await get('/current_time', { authorization: 'Bearer elsewhere' });
      expect(response.statusCode).toBe(401);
      expect(response.json()).toEqual({
        error: 'invalid_token',
        error_description: 'the access token is not meant for this server',
      });
    });

    it('escapes quotes and drops non-ASCII in the challenge description', async () => {
      verifier.tokens.set('odd', new InvalidTokenError('say "no" \\ \u00e9t\u00e9'));
      const response = await get('/current_time', { authorization: 'Bearer odd' });
      expect(response.statusCode).toBe(401);
      expect(response.headers['www-authenticate']).toBe(
        'Bearer realm="time", error="invalid_token", error_description="say \\"no\\" \\\\ t"',
      );
    });
  });

  describe('a token without the endpoint scope', () => {
    it('answers 403 insufficient_scope naming the scope needed', async () => {
      const response = await get('/epoch_time', { authorization: 'Bearer current' });
      expect(response.statusCode).toBe(403);
      expect(response.headers['www-authenticate']).toBe(
        'Bearer realm="time", error="insufficient_scope", error_description="this endpoint needs the scope epoch_time", scope="epoch_time"',
      );
      expect(response.json()).toEqual({
        error: 'insufficient_scope',
        error_description: 'this endpoint needs the scope epoch_time',
      });
    });

    it('answers 403 with scope="current_time" on /current_time', async () => {
      const response = await get('/current_time', { authorization: 'Bearer epoch' });
      expect(response.statusCode).toBe(403);
      expect(response.headers['www-authenticate']).toBe(
        'Bearer realm="time", error="insufficient_scope", error_description="this endpoint needs the scope current_time", scope="current_time"',
      );
    });
  });

  describe('when the authorization server cannot tell', () => {
    it.each([
      [
        'unavailable',
        503,
        {
          error: 'temporarily_unavailable',
          error_description: 'the authorization server cannot be reached',
        },
      ],
      [
        'timeout',
        504,
        {
          error: 'gateway_timeout',
          error_description: 'the authorization server did not answer in time',
        },
      ],
      [
        'bad_response',
        502,
        {
          error: 'bad_gateway',
          error_description: 'the authorization server gave an unusable answer',
        },
      ],
    ] as const)('maps %s to %i JSON', async (failure, status, body) => {
      verifier.tokens.set('t', new UpstreamError('authorization', failure, 'detail'));
      const response = await get('/current_time', { authorization: 'Bearer t' });
      expect(response.statusCode).toBe(status);
      expect(response.headers['content-type']).toBe('application/json; charset=utf-8');
      expect(response.headers['www-authenticate']).toBeUndefined();
      expect(response.json()).toEqual(body);
    });

    it('answers 500 JSON, not HTML, for an unexpected failure', async () => {
      verifier.tokens.set('t', new TypeError('boom'));
      const response = await get('/current_time', { authorization: 'Bearer t' });
      expect(response.statusCode).toBe(500);
      expect(response.json()).toEqual({
        error: 'server_error',
        error_description: 'the server met an unexpected condition',
      });
    });
  });

  describe('routing', () => {
    it('answers 404 JSON for an unknown path', async () => {
      const response = await get('/nowhere', { authorization: 'Bearer current' });
      expect(response.statusCode).toBe(404);
      expect(response.headers['content-type']).toBe('application/json; charset=utf-8');
      expect(response.json()).toEqual({
        error: 'not_found',
        error_description: 'no such resource',
      });
    });

    it('answers 405 JSON with Allow for POST /current_time', async () => {
      const response = await app.inject({
        method: 'POST',
        url: '/current_time',
        headers: { authorization: 'Bearer current' },
      });
      expect(response.statusCode).toBe(405);
      expect(response.headers.allow).toBe('GET, HEAD');
      expect(response.json()).toEqual({
        error: 'method_not_allowed',
        error_description: 'POST is not allowed on /current_time',
      });
      expect(verifier.calls).toHaveLength(0);
    });
  });

  describe('X-Request-ID', () => {
    it('echoes a sane inbound id', async () => {
      const response = await get('/nowhere', { 'x-request-id': 'abc-123.def' });
      expect(response.headers['x-request-id']).toBe('abc-123.def');
    });

    it('replaces an insane inbound id with a UUID', async () => {
      const response = await get('/current_time', { 'x-request-id': '<script>' });
      expect(response.headers['x-request-id']).toMatch(
        /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
      );
    });
  });
});
