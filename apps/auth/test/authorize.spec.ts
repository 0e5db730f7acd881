import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createAuthApp } from './support/auth-app';
import { FakeClock, T0 } from './support/fakes';
import { decodeJws } from '../../../libs/common/test/jws';
import {
  CALLBACK,
  FORM,
  ISSUER,
  OAuthClient,
  type Parameters,
  authorizationParameters,
  basic,
  encode,
  pkcePair,
  redirectOf,
} from './support/oauth-client';

const LOGIN_REQUIRED = {
  error: 'login_required',
  error_description: 'the resource owner must log in with HTTP Basic or the login form',
};
const SCOPE_ERROR = 'scope must be exactly one of: current_time, epoch_time';

describe('the authorization endpoint', () => {
  const clock = new FakeClock();
  let app: NestFastifyApplication;
  let client: OAuthClient;
  const { verifier, challenge } = pkcePair();

  const get = (overrides: Parameters = {}, authorization?: string) =>
    app.inject({
      method: 'GET',
      url: `/authorize?${encode(authorizationParameters(challenge, overrides))}`,
      headers: authorization === undefined ? {} : { authorization },
    });

  const post = (form: Parameters, headers: Record<string, string> = {}) =>
    app.inject({
      method: 'POST',
      url: '/authorize',
      headers: { ...FORM, ...headers },
      payload: encode(authorizationParameters(challenge, form)),
    });

  beforeAll(async () => {
    app = await createAuthApp({ clock });
    client = new OAuthClient(app);
  });

  afterAll(() => app.close());

  beforeEach(() => {
    clock.now = T0;
  });

  describe('GET /authorize', () => {
    it('logs in with HTTP Basic and redirects with code, state and iss (RFC 9207)', async () => {
      const response = await get({}, basic('alice', 'wonderland'));

      expect(response.statusCode).toBe(302);
      const { target, params } = redirectOf(response);
      expect(target).toBe(CALLBACK);
      expect(params).toEqual({
        code: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
        state: 'state-1',
        iss: ISSUER,
      });
    });

    it('issues a code that redeems for a token of the logged-in user and the scope', async () => {
      const response = await get({ scope: 'epoch_time' }, basic('bob', 'builder'));
      const token = await client.redeem(redirectOf(response).params.code ?? '', verifier);

      expect(token.statusCode).toBe(200);
      const claims = decodeJws(token.json<{ access_token: string }>().access_token).payload;
      expect([claims.sub, claims.scope]).toEqual(['bob', 'epoch_time']);
    });

    it('answers 401 login_required with WWW-Authenticate: Basic without credentials', async () => {
      const response = await get();

      expect(response.statusCode).toBe(401);
      expect(response.json()).toEqual(LOGIN_REQUIRED);
      expect(response.headers['www-authenticate']).toBe('Basic realm="login", charset="UTF-8"');
      expect(response.headers.location).toBeUndefined();
    });

    it.each([
      ['an empty password', basic('alice', '')],
      ['an empty username', basic('', 'pw')],
      ['malformed Basic', 'Basic ###'],
    ])('answers 401 login_required for %s', async (_name, authorization) => {
      const response = await get({}, authorization);
      expect(response.statusCode).toBe(401);
      expect(response.json()).toEqual(LOGIN_REQUIRED);
    });

    it.each([
      ['an unknown client', { client_id: 'nobody' }, 'unknown client_id'],
      ['the resource server as client', { client_id: 'resource-server' }, 'unknown client_id'],
      ['no client_id', { client_id: undefined }, 'client_id is required'],
      ['no redirect_uri', { redirect_uri: undefined }, 'redirect_uri is required'],
      [
        'an unregistered redirect_uri',
        { redirect_uri: 'https://evil.example/callback' },
        'redirect_uri is not registered for this client',
      ],
      [
        'a redirect_uri with another port',
        { redirect_uri: 'http://localhost:5004/callback' },
        'redirect_uri is not registered for this client',
      ],
    ])('answers 400 JSON, never a redirect, for %s', async (_name, overrides, description) => {
      const response = await get(overrides, basic('alice', 'wonderland'));

      expect(response.statusCode).toBe(400);
      expect(response.headers.location).toBeUndefined();
      expect(response.headers['content-type']).toBe('application/json; charset=utf-8');
      expect(response.json()).toEqual({ error: 'invalid_request', error_description: description });
    });

    it.each([
      ['invalid_scope for scope=openid', { scope: 'openid' }, 'invalid_scope', SCOPE_ERROR],
      [
        'invalid_scope for both scopes',
        { scope: 'current_time epoch_time' },
        'invalid_scope',
        SCOPE_ERROR,
      ],
      ['invalid_scope for no scope', { scope: undefined }, 'invalid_scope', SCOPE_ERROR],
      [
        'unsupported_response_type for response_type=token',
        { response_type: 'token' },
        'unsupported_response_type',
        'only response_type=code is supported',
      ],
      [
        'invalid_request for no code_challenge',
        { code_challenge: undefined, code_challenge_method: undefined },
        'invalid_request',
        'code_challenge is required (PKCE)',
      ],
      [
        'invalid_request for code_challenge_method=plain',
        { code_challenge_method: 'plain' },
        'invalid_request',
        'code_challenge_method must be S256',
      ],
    ])('redirects back with error=%s', async (_name, overrides, error, description) => {
      const response = await get(overrides, basic('alice', 'wonderland'));

      expect(response.statusCode).toBe(302);
      expect(redirectOf(response)).toEqual({
        target: CALLBACK,
        params: { error, error_description: description, state: 'state-1', iss: ISSUER },
      });
    });

    it('returns a state with reserved characters unchanged', async () => {
      const state = 'a b&c=d?e#f/ü';
      const success = await get({ state }, basic('alice', 'wonderland'));
      const refusal = await get({ state, scope: 'openid' }, basic('alice', 'wonderland'));
      expect([redirectOf(success).params.state, redirectOf(refusal).params.state]).toEqual([
        state,
        state,
      ]);
    });

    it('redirects a refusal back even without credentials', async () => {
      const response = await get({ scope: 'openid' });
      expect(response.statusCode).toBe(302);
      expect(redirectOf(response).params.error).toBe('invalid_scope');
    });

    it('ignores unknown parameters (RFC 6749 3.1)', async () => {
      const response = await get({ prompt: 'none', nonce: 'n' }, basic('alice', 'wonderland'));
      expect(response.statusCode).toBe(302);
      expect(Object.keys(redirectOf(response).params).sort()).toEqual(['code', 'iss', 'state']);
    });

    it('answers 400 invalid_request for a repeated parameter', async () => {
      const query = `${encode(authorizationParameters(challenge))}&state=again`;
      const response = await app.inject({
        method: 'GET',
        url: `/authorize?${query}`,
        headers: { authorization: basic('alice', 'wonderland') },
      });

      expect(response.statusCode).toBe(400);
      expect(response.headers.location).toBeUndefined();
      expect(response.json()).toEqual({
        error: 'invalid_request',
        error_description: 'parameter state is invalid, too long or repeated',
      });
    });

    it('answers 400 invalid_request for a state longer than 512 characters', async () => {
      const response = await get({ state: 's'.repeat(513) }, basic('alice', 'wonderland'));
      expect(response.statusCode).toBe(400);
      expect(response.json()).toEqual({
        error: 'invalid_request',
        error_description: 'parameter state is invalid, too long or repeated',
      });
    });
  });

  describe('POST /authorize', () => {
    it('logs in with the username and password form fields', async () => {
      const response = await post({ username: 'carol', password: 'secret' });

      expect(response.statusCode).toBe(302);
      const { target, params } = redirectOf(response);
      expect(target).toBe(CALLBACK);
      expect(params).toEqual({ code: expect.any(String), state: 'state-1', iss: ISSUER });

      const token = await client.redeem(params.code ?? '', verifier);
      expect(decodeJws(token.json<{ access_token: string }>().access_token).payload.sub).toBe(
        'carol',
      );
    });

    it('logs in with HTTP Basic', async () => {
      const response = await post({}, { authorization: basic('dave', 'pw') });
      expect(response.statusCode).toBe(302);
      expect(redirectOf(response).params.code).toBeDefined();
    });

    it('answers 401 login_required for a form without password', async () => {
      const response = await post({ username: 'carol' });
      expect(response.statusCode).toBe(401);
      expect(response.json()).toEqual(LOGIN_REQUIRED);
      expect(response.headers['www-authenticate']).toMatch(/^Basic /);
    });

    it('answers 400 JSON for an unknown client', async () => {
      const response = await post({ client_id: 'nobody', username: 'carol', password: 'pw' });
      expect(response.statusCode).toBe(400);
      expect(response.json()).toEqual({
        error: 'invalid_request',
        error_description: 'unknown client_id',
      });
    });

    it('answers 415 for a JSON body', async () => {
      const response = await app.inject({
        method: 'POST',
        url: '/authorize',
        headers: { 'content-type': 'application/json' },
        payload: JSON.stringify(
          authorizationParameters(challenge, { username: 'c', password: 'p' }),
        ),
      });
      expect(response.statusCode).toBe(415);
      expect(response.json()).toEqual({
        error: 'unsupported_media_type',
        error_description: 'unsupported content type',
      });
    });
  });
});
