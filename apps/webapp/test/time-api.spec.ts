import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { UpstreamError } from '@app/common';
import { BadUpstreamAnswerError, UpstreamRefusedError } from '../src/errors/webapp.errors';
import {
  FIXED_EPOCH,
  FIXED_TIME,
  FakeAuthServer,
  FakeResourceServer,
  ISSUER,
  testConfig,
} from './support/fakes';
import { createWebappApp } from './support/webapp-app';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const basic = (login: string): string => `Basic ${Buffer.from(login).toString('base64')}`;

describe('the time API of the webapp (one authorization-code flow per call)', () => {
  let auth: FakeAuthServer;
  let resource: FakeResourceServer;
  let app: NestFastifyApplication;

  beforeAll(async () => {
    auth = new FakeAuthServer();
    resource = new FakeResourceServer();
    app = await createWebappApp(testConfig(), { auth, resource });
  });

  afterAll(async () => {
    await app.close();
  });

  beforeEach(() => {
    auth.reset();
    resource.reset();
  });

  const get = (url: string, headers: Record<string, string> = {}) =>
    app.inject({ method: 'GET', url, headers });

  describe('GET /current_time and /epoch_time', () => {
    it('runs for the default user demo without credentials', async () => {
      const response = await get('/current_time');
      expect(response.statusCode).toBe(200);
      expect(response.headers['content-type']).toBe('application/json; charset=utf-8');
      expect(response.headers['cache-control']).toBe('no-store');
      expect(response.headers['x-request-id']).toMatch(UUID);
      expect(response.json()).toEqual({ current_time: FIXED_TIME, user: 'demo' });
      expect(auth.authorizeCalls.map((entry) => entry.call)).toMatchObject([
        { scope: 'current_time', username: 'demo', password: 'demo' },
      ]);
      expect(resource.calls.map((call) => [call.scope, call.token])).toEqual([
        ['current_time', { value: 'token-for-demo', type: 'Bearer' }],
      ]);
    });

    it('runs for the user named by HTTP Basic, whatever the password', async () => {
      const response = await get('/current_time', { authorization: basic('alice:anything') });
      expect(response.statusCode).toBe(200);
      expect(response.json()).toEqual({ current_time: FIXED_TIME, user: 'alice' });
      expect(auth.authorizeCalls[0]?.call).toMatchObject({
        username: 'alice',
        password: 'anything',
      });
    });

    it('answers the epoch time as an integer', async () => {
      const response = await get('/epoch_time', { authorization: basic('bob:x') });
      expect(response.statusCode).toBe(200);
      expect(response.headers['cache-control']).toBe('no-store');
      expect(response.json()).toEqual({ epoch_time: FIXED_EPOCH, user: 'bob' });
      expect(auth.authorizeCalls[0]?.call.scope).toBe('epoch_time');
    });

    it('gets a new token for every call', async () => {
      await get('/epoch_time');
      await get('/epoch_time');
      expect(auth.authorizeCalls).toHaveLength(2);
      expect(auth.exchangeCalls).toHaveLength(2);
      expect(resource.calls).toHaveLength(2);
    });

    it('keeps a sane inbound X-Request-ID and forwards it to every downstream call', async () => {
      const response = await get('/current_time', { 'x-request-id': 'curl-42' });
      expect(response.statusCode).toBe(200);
      expect(response.headers['x-request-id']).toBe('curl-42');
      expect(auth.authorizeCalls[0]?.context.requestId).toBe('curl-42');
      expect(auth.exchangeCalls[0]?.context.requestId).toBe('curl-42');
      expect(resource.calls[0]?.context.requestId).toBe('curl-42');
    });

    it('replaces an insane inbound X-Request-ID and forwards the replacement', async () => {
      const response = await get('/current_time', { 'x-request-id': 'a b\tc' });
      const id = response.headers['x-request-id'];
      expect(id).toMatch(UUID);
      expect(auth.authorizeCalls[0]?.context.requestId).toBe(id);
      expect(resource.calls[0]?.context.requestId).toBe(id);
    });
  });

  describe('the caller login (RFC 7617)', () => {
    it.each([
      ['an empty username (-u :x)', basic(':x'), 'the username must not be empty'],
      ['Basic credentials without a colon', basic('alice'), 'the Basic credentials cannot be read'],
      [
        'Basic credentials that are not base64',
        'Basic %%%',
        'the Basic credentials cannot be read',
      ],
    ])('answers 401 with a Basic challenge for %s', async (_case, authorization, description) => {
      const response = await get('/current_time', { authorization });
      expect(response.statusCode).toBe(401);
      expect(response.headers['www-authenticate']).toBe('Basic realm="webapp", charset="UTF-8"');
      expect(response.headers['x-request-id']).toMatch(UUID);
      expect(response.json()).toEqual({ error: 'unauthorized', error_description: description });
      expect(auth.authorizeCalls).toHaveLength(0);
    });
  });

  describe('when an upstream refuses', () => {
    it('passes on a 401 of the authorization server as 401 JSON', async () => {
      auth.failure = new UpstreamRefusedError(
        'authorization',
        401,
        'invalid_client',
        'the authorization server refused: client authentication failed',
      );
      const response = await get('/current_time');
      expect(response.statusCode).toBe(401);
      expect(response.headers['content-type']).toBe('application/json; charset=utf-8');
      // RFC 9110 15.5.2: a 401 without a challenge is not a valid 401.
      expect(response.headers['www-authenticate']).toBe('Basic realm="webapp", charset="UTF-8"');
      expect(response.headers['x-request-id']).toMatch(UUID);
      expect(response.json()).toEqual({
        error: 'invalid_client',
        error_description: 'the authorization server refused: client authentication failed',
      });
    });

    it.each(['access_denied', 'invalid_scope', 'unauthorized_client'])(
      'passes on an authorization error redirect %s as 403 JSON with its code',
      async (error) => {
        auth.redirect = (call) => ({
          state: call.state,
          iss: ISSUER,
          error,
          errorDescription: 'not for you',
        });
        const response = await get('/current_time');
        expect(response.statusCode).toBe(403);
        expect(response.headers['www-authenticate']).toBeUndefined();
        expect(response.headers['cache-control']).toBe('no-store');
        expect(response.json()).toEqual({
          error,
          error_description: 'the authorization server refused: not for you',
        });
        expect(auth.exchangeCalls).toHaveLength(0);
      },
    );

    it.each(['invalid_request', 'unsupported_response_type', 'server_error'])(
      'answers an authorization error redirect %s, which is no refusal, with 502',
      async (error) => {
        auth.redirect = (call) => ({ state: call.state, iss: ISSUER, error });
        const response = await get('/current_time');
        expect(response.statusCode).toBe(502);
        expect(response.json()).toEqual({
          error: 'bad_gateway',
          error_description: `the authorization server refused: ${error}`,
        });
      },
    );

    it('answers temporarily_unavailable from the authorization endpoint with 503 and Retry-After 1', async () => {
      auth.redirect = (call) => ({
        state: call.state,
        iss: ISSUER,
        error: 'temporarily_unavailable',
      });
      const response = await get('/current_time');
      expect(response.statusCode).toBe(503);
      expect(response.headers['retry-after']).toBe('1');
      expect(response.json()).toEqual({
        error: 'service_unavailable',
        error_description: 'the authorization server cannot be reached',
      });
    });

    it('passes on a 403 of the resource server as 403 JSON', async () => {
      resource.failure = new UpstreamRefusedError(
        'resource',
        403,
        'insufficient_scope',
        'the resource server refused: this endpoint needs the scope epoch_time',
      );
      const response = await get('/epoch_time');
      expect(response.statusCode).toBe(403);
      expect(response.headers['www-authenticate']).toBeUndefined();
      expect(response.json()).toEqual({
        error: 'insufficient_scope',
        error_description: 'the resource server refused: this endpoint needs the scope epoch_time',
      });
    });
  });

  describe('when an upstream fails', () => {
    it.each([
      [
        'unavailable',
        503,
        {
          error: 'service_unavailable',
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
    ] as const)('maps an authorization server %s to %i JSON', async (failure, status, body) => {
      auth.failure = new UpstreamError('authorization', failure, 'detail');
      const response = await get('/current_time');
      expect(response.statusCode).toBe(status);
      expect(response.headers['content-type']).toBe('application/json; charset=utf-8');
      expect(response.headers['cache-control']).toBe('no-store');
      expect(response.headers['x-request-id']).toMatch(UUID);
      expect(response.json()).toEqual(body);
      expect(response.headers['retry-after']).toBe(failure === 'unavailable' ? '1' : undefined);
    });

    it("answers 503 with the upstream's own Retry-After when it asked for one (a 429 or 503)", async () => {
      resource.failure = new UpstreamError('resource', 'unavailable', 'answered 429', {
        retryAfterSeconds: 30,
      });
      const response = await get('/epoch_time');
      expect(response.statusCode).toBe(503);
      expect(response.headers['retry-after']).toBe('30');
      expect(response.headers['cache-control']).toBe('no-store');
      expect(response.json()).toEqual({
        error: 'service_unavailable',
        error_description: 'the resource server cannot be reached',
      });
    });

    it('maps a resource server that cannot be reached to 503 naming it', async () => {
      resource.failure = new UpstreamError('resource', 'unavailable', 'ECONNREFUSED');
      const response = await get('/epoch_time');
      expect(response.statusCode).toBe(503);
      expect(response.json()).toEqual({
        error: 'service_unavailable',
        error_description: 'the resource server cannot be reached',
      });
    });

    it('maps an answer that breaks the protocol to 502', async () => {
      auth.failure = new BadUpstreamAnswerError('authorization', 'state mismatch');
      const response = await get('/current_time');
      expect(response.statusCode).toBe(502);
      expect(response.json()).toEqual({
        error: 'bad_gateway',
        error_description: 'the authorization server gave an unusable answer',
      });
    });

    it('answers 502 when the authorization response carries another iss', async () => {
      auth.redirect = (call) => ({ code: 'c', state: call.state, iss: 'http://evil.example' });
      const response = await get('/current_time');
      expect(response.statusCode).toBe(502);
      expect(response.json()).toEqual({
        error: 'bad_gateway',
        error_description: 'the authorization server gave an unusable answer',
      });
      expect(auth.exchangeCalls).toHaveLength(0);
      expect(resource.calls).toHaveLength(0);
    });

    it('answers 502 when the resource server answers for another user', async () => {
      resource.user = 'mallory';
      const response = await get('/current_time', { authorization: basic('alice:x') });
      expect(response.statusCode).toBe(502);
      expect(response.json()).toEqual({
        error: 'bad_gateway',
        error_description: 'the resource server gave an unusable answer',
      });
    });

    it('answers 500 JSON, not HTML, for an unexpected failure', async () => {
      resource.failure = new TypeError('boom');
      const response = await get('/current_time');
      expect(response.statusCode).toBe(500);
      expect(response.json()).toEqual({
        error: 'server_error',
        error_description: 'the server met an unexpected condition',
      });
    });
  });

  describe('routing', () => {
    it('answers 404 JSON for an unknown path, with X-Request-ID', async () => {
      const response = await get('/nope', { 'x-request-id': 'r-404' });
      expect(response.statusCode).toBe(404);
      expect(response.headers['content-type']).toBe('application/json; charset=utf-8');
      expect(response.headers['x-request-id']).toBe('r-404');
      expect(response.json()).toEqual({
        error: 'not_found',
        error_description: 'no such resource',
      });
    });

    it('answers 405 JSON with Allow for DELETE /epoch_time', async () => {
      const response = await app.inject({ method: 'DELETE', url: '/epoch_time' });
      expect(response.statusCode).toBe(405);
      expect(response.headers.allow).toBe('GET, HEAD');
      expect(response.headers['x-request-id']).toMatch(UUID);
      expect(response.json()).toEqual({
        error: 'method_not_allowed',
        error_description: 'DELETE is not allowed on /epoch_time',
      });
      expect(auth.authorizeCalls).toHaveLength(0);
    });

    it('answers 405 JSON for POST /current_time with a body', async () => {
      const response = await app.inject({
        method: 'POST',
        url: '/current_time',
        headers: { 'content-type': 'application/json' },
        payload: '{}',
      });
      expect(response.statusCode).toBe(405);
      expect(response.json()).toEqual({
        error: 'method_not_allowed',
        error_description: 'POST is not allowed on /current_time',
      });
    });

    it('answers /healthz with 200 JSON', async () => {
      const response = await get('/healthz');
      expect(response.statusCode).toBe(200);
      expect(response.json()).toEqual({ status: 'ok' });
    });
  });
});
