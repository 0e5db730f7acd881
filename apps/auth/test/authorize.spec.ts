import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { StoreUnavailableError } from '@app/common';
import { LIMITS } from '@app/contracts';
import { codeStoreLimits } from '../src/stores/store.providers';
import { CODE_STORE } from '../src/stores/code-store.port';
import { InMemoryCodeStore } from '../src/stores/memory/in-memory-code.store';
import { createAuthApp } from './support/auth-app';
import { FakeClock, T0, testConfig } from './support/fakes';
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
const ALICE = basic('alice', 'wonderland');
/** The redirectable parameters and the longest value each may have. */
const REDIRECTABLE: [string, number][] = [
  ['response_type', LIMITS.responseType],
  ['scope', LIMITS.scope],
  ['state', LIMITS.state],
  ['code_challenge', LIMITS.codeChallenge],
  ['code_challenge_method', LIMITS.codeChallengeMethod],
];

describe('the authorization endpoint', () => {
  const clock = new FakeClock();
  let app: NestFastifyApplication;
  let client: OAuthClient;
  const { verifier, challenge } = pkcePair();

  const get = (overrides: Parameters = {}, authorization?: string, remoteAddress?: string) =>
    app.inject({
      method: 'GET',
      url: `/authorize?${encode(authorizationParameters(challenge, overrides))}`,
      headers: authorization === undefined ? {} : { authorization },
      remoteAddress,
    });

  const getRaw = (query: string, authorization = ALICE) =>
    app.inject({ method: 'GET', url: `/authorize?${query}`, headers: { authorization } });

  const post = (form: Parameters, headers: Record<string, string> = {}) =>
    app.inject({
      method: 'POST',
      url: '/authorize',
      headers: { ...FORM, ...headers },
      payload: encode(authorizationParameters(challenge, form)),
    });

  /** The error redirect of the contract: the registered URI, error, description, state, iss. */
  const errorRedirect = (error: string, description: string, state: string | null = 'state-1') => ({
    target: CALLBACK,
    params: {
      error,
      error_description: description,
      ...(state === null ? {} : { state }),
      iss: ISSUER,
    },
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
      const response = await get({}, ALICE);

      expect(response.statusCode).toBe(302);
      expect(response.headers['cache-control']).toBe('no-store');
      expect(response.body).toBe('');
      const { target, params } = redirectOf(response);
      expect(target).toBe(CALLBACK);
      expect(params).toEqual({
        code: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
        state: 'state-1',
        iss: ISSUER,
      });
      expect(response.headers.location).toBe(
        `${CALLBACK}?code=${params.code}&state=state-1&iss=http%3A%2F%2Flocalhost%3A5001`,
      );
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
      expect(response.headers['cache-control']).toBe('no-store');
      expect(response.headers.location).toBeUndefined();
    });

    it.each([
      ['an empty password', basic('alice', ''), 'the username and the password must not be empty'],
      ['an empty username', basic('', 'pw'), 'the username and the password must not be empty'],
      ['malformed Basic', 'Basic ###', 'the Basic credentials cannot be read'],
      [
        'a username longer than 256 characters',
        basic('u'.repeat(LIMITS.username + 1), 'pw'),
        'the username must be at most 256 characters',
      ],
    ])('answers 401 login_required for %s', async (_name, authorization, description) => {
      const response = await get({}, authorization);
      expect(response.statusCode).toBe(401);
      expect(response.json()).toEqual({ error: 'login_required', error_description: description });
      expect(response.headers['www-authenticate']).toBe('Basic realm="login", charset="UTF-8"');
    });

    it('logs in a username of exactly 256 characters', async () => {
      const username = 'u'.repeat(LIMITS.username);
      const response = await get({}, basic(username, 'pw'));
      expect(response.statusCode).toBe(302);
      const token = await client.redeem(redirectOf(response).params.code ?? '', verifier);
      expect(decodeJws(token.json<{ access_token: string }>().access_token).payload.sub).toBe(
        username,
      );
    });

    it.each([
      ['an unknown client', { client_id: 'nobody' }, 'unknown client_id'],
      ['the resource server as client', { client_id: 'resource-server' }, 'unknown client_id'],
      ['no client_id', { client_id: undefined }, 'client_id is required'],
      ['an empty client_id', { client_id: '' }, 'client_id is required'],
      ['no redirect_uri', { redirect_uri: undefined }, 'redirect_uri is required'],
      ['an empty redirect_uri', { redirect_uri: '' }, 'redirect_uri is required'],
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
      const response = await get({ ...overrides, scope: 'openid' }, ALICE);

      expect(response.statusCode).toBe(400);
      expect(response.headers.location).toBeUndefined();
      expect(response.headers['content-type']).toBe('application/json; charset=utf-8');
      expect(response.headers['cache-control']).toBe('no-store');
      expect(response.json()).toEqual({ error: 'invalid_request', error_description: description });
    });

    it.each([
      ['client_id', `client_id=1234&client_id=1234`],
      ['redirect_uri', `redirect_uri=${encodeURIComponent(CALLBACK)}&redirect_uri=x`],
    ])('answers 400 JSON, never a redirect, for a repeated %s', async (name, pairs) => {
      const rest = encode({ ...authorizationParameters(challenge), [name]: undefined });
      const response = await getRaw(`${rest}&${pairs}`);
      expect(response.statusCode).toBe(400);
      expect(response.headers.location).toBeUndefined();
      expect(response.json()).toEqual({
        error: 'invalid_request',
        error_description: `parameter ${name} is invalid, too long or repeated`,
      });
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
        'invalid_request for no response_type',
        { response_type: undefined },
        'invalid_request',
        'response_type is required',
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
      const response = await get(overrides, ALICE);

      expect(response.statusCode).toBe(302);
      expect(response.headers['cache-control']).toBe('no-store');
      expect(redirectOf(response)).toEqual(errorRedirect(error, description));
    });

    describe('a redirectable parameter that cannot be read is redirected as invalid_request', () => {
      it.each(REDIRECTABLE)('%s sent twice', async (name) => {
        const response = await getRaw(
          `${encode(authorizationParameters(challenge))}&${name}=again`,
        );
        expect(response.statusCode).toBe(302);
        expect(redirectOf(response)).toEqual(
          errorRedirect(
            'invalid_request',
            `parameter ${name} is invalid, too long or repeated`,
            name === 'state' ? null : 'state-1',
          ),
        );
      });

      it.each(REDIRECTABLE)('%s longer than %d characters', async (name, max) => {
        const response = await get({ [name]: 'x'.repeat(max + 1) }, ALICE);
        expect(response.statusCode).toBe(302);
        expect(redirectOf(response)).toEqual(
          errorRedirect(
            'invalid_request',
            `parameter ${name} is invalid, too long or repeated`,
            name === 'state' ? null : 'state-1',
          ),
        );
      });

      it('even when nobody logged in: the client hears of its bad request first', async () => {
        const response = await getRaw(`${encode(authorizationParameters(challenge))}&scope=x`, '');
        expect(response.statusCode).toBe(302);
        expect(redirectOf(response).params.error).toBe('invalid_request');
      });
    });

    describe('a parameter sent without a value is treated as omitted (RFC 6749 3.1)', () => {
      it.each([
        ['response_type', 'invalid_request', 'response_type is required'],
        ['scope', 'invalid_scope', SCOPE_ERROR],
        ['code_challenge', 'invalid_request', 'code_challenge is required (PKCE)'],
        ['code_challenge_method', 'invalid_request', 'code_challenge_method must be S256'],
      ])('an empty %s', async (name, error, description) => {
        const response = await get({ [name]: '' }, ALICE);
        expect(response.statusCode).toBe(302);
        expect(redirectOf(response)).toEqual(errorRedirect(error, description));
      });

      it('an empty state: a code, and no state back', async () => {
        const response = await get({ state: '' }, ALICE);
        expect(response.statusCode).toBe(302);
        expect(Object.keys(redirectOf(response).params)).toEqual(['code', 'iss']);
      });
    });

    it('returns a state with reserved characters unchanged', async () => {
      const state = 'a b&c=d?e#f/ü';
      const success = await get({ state }, ALICE);
      const refusal = await get({ state, scope: 'openid' }, ALICE);
      expect([redirectOf(success).params.state, redirectOf(refusal).params.state]).toEqual([
        state,
        state,
      ]);
    });

    it('returns a state of 512 characters', async () => {
      const state = 's'.repeat(LIMITS.state);
      expect(redirectOf(await get({ state }, ALICE)).params.state).toBe(state);
    });

    it('redirects a refusal back even without credentials', async () => {
      const response = await get({ scope: 'openid' });
      expect(response.statusCode).toBe(302);
      expect(redirectOf(response).params.error).toBe('invalid_scope');
    });

    it('ignores unknown parameters (RFC 6749 3.1)', async () => {
      const response = await get({ prompt: 'none', nonce: 'n' }, ALICE);
      expect(response.statusCode).toBe(302);
      expect(Object.keys(redirectOf(response).params).sort()).toEqual(['code', 'iss', 'state']);
    });
  });

  describe('POST /authorize', () => {
    it('logs in with the username and password form fields', async () => {
      const response = await post({ username: 'carol', password: 'secret' });

      expect(response.statusCode).toBe(302);
      expect(response.headers['cache-control']).toBe('no-store');
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
      expect(response.headers['www-authenticate']).toBe('Basic realm="login", charset="UTF-8"');
    });

    it('refuses a form username one past the limit at login, as Basic: 401, not 400', async () => {
      const response = await post({ username: 'u'.repeat(LIMITS.username + 1), password: 'pw' });
      expect(response.statusCode).toBe(401);
      expect(response.json()).toEqual({
        error: 'login_required',
        error_description: 'the username must be at most 256 characters',
      });
      expect(response.headers['www-authenticate']).toBe('Basic realm="login", charset="UTF-8"');
    });

    it('logs in a form username of the limit, with a password of any length', async () => {
      const username = 'u'.repeat(LIMITS.username);
      const response = await post({ username, password: 'p'.repeat(4000) });
      expect(response.statusCode).toBe(302);
      const token = await client.redeem(redirectOf(response).params.code ?? '', verifier);
      expect(decodeJws(token.json<{ access_token: string }>().access_token).payload.sub).toBe(
        username,
      );
    });

    it('answers 401 login_required for an empty password field: it is an omitted one', async () => {
      const response = await post({ username: 'carol', password: '' });
      expect(response.statusCode).toBe(401);
      expect(response.json()).toEqual(LOGIN_REQUIRED);
    });

    it('redirects a repeated redirectable parameter of the form as invalid_request', async () => {
      const response = await app.inject({
        method: 'POST',
        url: '/authorize',
        headers: FORM,
        payload: `${encode(authorizationParameters(challenge, { username: 'c', password: 'p' }))}&code_challenge_method=S256`,
      });
      expect(response.statusCode).toBe(302);
      expect(redirectOf(response)).toEqual(
        errorRedirect(
          'invalid_request',
          'parameter code_challenge_method is invalid, too long or repeated',
        ),
      );
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

describe('the authorization endpoint when it cannot issue a code', () => {
  const clock = new FakeClock();
  const { challenge } = pkcePair();
  const UNAVAILABLE = {
    target: CALLBACK,
    params: {
      error: 'temporarily_unavailable',
      error_description: 'the server cannot issue a code now; retry later',
      state: 'state-1',
      iss: ISSUER,
    },
  };
  const authorizeFrom = (app: NestFastifyApplication, remoteAddress: string) =>
    app.inject({
      method: 'GET',
      url: `/authorize?${encode(authorizationParameters(challenge))}`,
      headers: { authorization: ALICE },
      remoteAddress,
    });

  beforeEach(() => {
    clock.now = T0;
  });

  describe('CODE_QUOTA_PER_ADDRESS', () => {
    let app: NestFastifyApplication;

    beforeAll(async () => {
      app = await createAuthApp({ clock, config: { codeQuotaPerAddress: 2 } });
    });

    afterAll(() => app.close());

    it('redirects an address that holds its quota of unredeemed codes, and no other', async () => {
      expect(redirectOf(await authorizeFrom(app, '192.0.2.1')).params.code).toBeDefined();
      expect(redirectOf(await authorizeFrom(app, '192.0.2.1')).params.code).toBeDefined();

      const refused = await authorizeFrom(app, '192.0.2.1');

      expect(refused.statusCode).toBe(302);
      expect(refused.headers['cache-control']).toBe('no-store');
      expect(redirectOf(refused)).toEqual(UNAVAILABLE);
      expect(redirectOf(await authorizeFrom(app, '192.0.2.2')).params.code).toBeDefined();
    });

    it('counts an IPv6 /64 as one address', async () => {
      await authorizeFrom(app, '2001:db8:1:1::1');
      await authorizeFrom(app, '2001:db8:1:1::2');
      expect(redirectOf(await authorizeFrom(app, '2001:db8:1:1:ffff::3'))).toEqual(UNAVAILABLE);
      expect(redirectOf(await authorizeFrom(app, '2001:db8:1:2::1')).params.code).toBeDefined();
    });

    it('gives the quota back as codes are redeemed, and as they expire', async () => {
      const client = new OAuthClient(app);
      const first = await authorizeFrom(app, '198.51.100.7');
      await authorizeFrom(app, '198.51.100.7');
      expect(redirectOf(await authorizeFrom(app, '198.51.100.7'))).toEqual(UNAVAILABLE);

      // A redeemed code (even with a wrong verifier: it is used up) frees its place.
      const redeemed = await client.redeem(redirectOf(first).params.code ?? '', 'x'.repeat(43));
      expect(redeemed.statusCode).toBe(400);
      expect(redirectOf(await authorizeFrom(app, '198.51.100.7')).params.code).toBeDefined();
      expect(redirectOf(await authorizeFrom(app, '198.51.100.7'))).toEqual(UNAVAILABLE);

      clock.advance(60);
      expect(redirectOf(await authorizeFrom(app, '198.51.100.7')).params.code).toBeDefined();
    });
  });

  describe('a code store that cannot be reached', () => {
    let app: NestFastifyApplication;
    let codes: InMemoryCodeStore;

    beforeAll(async () => {
      codes = new InMemoryCodeStore(codeStoreLimits(testConfig()), clock);
      jest
        .spyOn(codes, 'save')
        .mockRejectedValue(new StoreUnavailableError('codes', 'connection refused'));
      app = await createAuthApp({ clock, overrides: [{ token: CODE_STORE, value: codes }] });
    });

    afterAll(async () => {
      await app.close();
      codes.onModuleDestroy();
    });

    it('redirects with temporarily_unavailable, not an error page for the user', async () => {
      const response = await authorizeFrom(app, '192.0.2.1');
      expect(response.statusCode).toBe(302);
      expect(response.headers['cache-control']).toBe('no-store');
      expect(redirectOf(response)).toEqual(UNAVAILABLE);
    });
  });
});
