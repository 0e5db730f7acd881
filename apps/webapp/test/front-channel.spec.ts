import { DpopReplayCacheFullError, UpstreamError } from '@app/common';
import type { Scope } from '@app/contracts';
import { UpstreamRefusedError } from '../src/errors/webapp.errors';
import { LoginBindingSeal } from '../src/login/login-binding';
import {
  AUTHORIZATION_ENDPOINT,
  COOKIE_SECRET,
  createLoginTestApp,
  FIXED_EPOCH,
  FIXED_TIME,
  ISSUER,
  type LoginTestApp,
  loginConfig,
  s256,
} from './support/login-fakes';

const CLEARED = 'webapp_login=; Max-Age=0; Path=/callback; HttpOnly; SameSite=Lax';
const COOKIE =
  /^webapp_login=([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+); Max-Age=60; Path=\/callback; HttpOnly; SameSite=Lax$/;

/** A login started at /login: the browser's cookie and the request it was sent to make. */
interface Started {
  cookie: string;
  state: string;
  challenge: string;
}

describe('the front channel: GET /, GET /login and GET /callback', () => {
  let t: LoginTestApp;

  beforeEach(async () => {
    t = await createLoginTestApp();
  });

  afterEach(async () => {
    await t.app.close();
  });

  const get = (url: string, headers: Record<string, string> = {}) =>
    t.app.inject({ method: 'GET', url, headers });

  async function login(scope: Scope = 'current_time'): Promise<Started> {
    const response = await get(`/login?scope=${scope}`);
    expect(response.statusCode).toBe(302);
    const cookie = COOKIE.exec(String(response.headers['set-cookie']))?.[1];
    if (cookie === undefined)
      throw new Error(`no login cookie: ${String(response.headers['set-cookie'])}`);
    const location = new URL(String(response.headers.location));
    return {
      cookie,
      state: location.searchParams.get('state') ?? '',
      challenge: location.searchParams.get('code_challenge') ?? '',
    };
  }

  function callback(
    cookie: string | undefined,
    query: Record<string, string>,
  ): ReturnType<typeof get> {
    const search = new URLSearchParams(query).toString();
    return get(
      `/callback?${search}`,
      cookie === undefined ? {} : { cookie: `webapp_login=${cookie}` },
    );
  }

  const granted = (started: Started, user = 'alice') => ({
    code: `code-for-${user}`,
    state: started.state,
    iss: ISSUER,
  });

  describe('GET /', () => {
    it('answers a JSON index of the endpoints and the scopes', async () => {
      const response = await get('/');
      expect(response.statusCode).toBe(200);
      expect(response.headers['content-type']).toBe('application/json; charset=utf-8');
      expect(response.json()).toEqual({
        service: 'webapp',
        scopes: ['current_time', 'epoch_time'],
        endpoints: [
          {
            method: 'GET',
            path: '/current_time',
            scope: 'current_time',
            description: expect.stringContaining('one authorization-code flow'),
          },
          {
            method: 'GET',
            path: '/epoch_time',
            scope: 'epoch_time',
            description: expect.stringContaining('one authorization-code flow'),
          },
          {
            method: 'GET',
            path: '/login',
            query: { scope: ['current_time', 'epoch_time'] },
            description: expect.stringContaining('browser login'),
          },
          { method: 'GET', path: '/callback', description: expect.stringContaining('code') },
          { method: 'GET', path: '/healthz', description: 'liveness' },
          { method: 'GET', path: '/readyz', description: 'readiness: both servers answer' },
        ],
      });
    });
  });

  describe('GET /login?scope=...', () => {
    it('answers 302 to the authorization endpoint with a fresh state and S256 challenge', async () => {
      const response = await get('/login?scope=current_time');
      expect(response.statusCode).toBe(302);
      expect(response.headers['cache-control']).toBe('no-store');
      expect(response.body).toBe('');
      const location = new URL(String(response.headers.location));
      expect(`${location.origin}${location.pathname}`).toBe(AUTHORIZATION_ENDPOINT);
      expect(t.auth.starts).toEqual([
        {
          scope: 'current_time',
          state: location.searchParams.get('state'),
          codeChallenge: location.searchParams.get('code_challenge'),
        },
      ]);
      expect(location.searchParams.get('state')).toMatch(/^[A-Za-z0-9_-]{22}$/);
      expect(location.searchParams.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    });

    it('binds the flow with an HttpOnly, SameSite=Lax cookie for /callback that lives 60 s', async () => {
      const response = await get('/login?scope=epoch_time');
      const setCookie = response.headers['set-cookie'];
      expect(typeof setCookie).toBe('string');
      expect(setCookie).toMatch(COOKIE);
      const sealed = COOKIE.exec(String(setCookie))?.[1] ?? '';
      const location = new URL(String(response.headers.location));
      const binding = new LoginBindingSeal(COOKIE_SECRET).open(sealed);
      expect(binding).toEqual({
        scope: 'epoch_time',
        state: location.searchParams.get('state'),
        codeVerifier: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
        expiresAt: t.clock.now + 60,
      });
      expect(s256(binding?.codeVerifier ?? '')).toBe(location.searchParams.get('code_challenge'));
    });

    it('makes a new state and verifier for every login', async () => {
      const first = await login();
      const second = await login();
      expect(second.state).not.toBe(first.state);
      expect(second.challenge).not.toBe(first.challenge);
      expect(second.cookie).not.toBe(first.cookie);
    });

    it('records login_started with the scope and nothing secret', async () => {
      const started = await login('epoch_time');
      expect(t.outcome.events).toEqual([
        { kind: 'record', event: 'login_started', fields: { scope: 'epoch_time' } },
      ]);
      expect(t.outcome.identity).toEqual({ client_id: '1234' });
      expect(JSON.stringify(t.outcome.events)).not.toContain(started.state);
    });

    it.each([
      ['an unknown scope', '/login?scope=admin'],
      ['no scope', '/login'],
      ['an empty scope', '/login?scope='],
      ['two scopes', '/login?scope=current_time&scope=epoch_time'],
      ['a space-separated list', '/login?scope=current_time%20epoch_time'],
    ])('refuses %s with 400 JSON and sets no cookie', async (_case, url) => {
      const response = await get(url);
      expect(response.statusCode).toBe(400);
      expect(response.headers['content-type']).toBe('application/json; charset=utf-8');
      expect(response.headers['set-cookie']).toBeUndefined();
      expect(response.json()).toEqual({
        error: 'invalid_request',
        error_description: 'parameter scope is invalid, too long or repeated',
      });
      expect(t.auth.starts).toHaveLength(0);
    });

    it('answers 503 and sets no cookie when the metadata cannot be had', async () => {
      t.auth.failure = new UpstreamError('authorization', 'unavailable', 'ECONNREFUSED');
      const response = await get('/login?scope=current_time');
      expect(response.statusCode).toBe(503);
      expect(response.headers['set-cookie']).toBeUndefined();
      expect(response.json()).toEqual({
        error: 'service_unavailable',
        error_description: 'the authorization server cannot be reached',
      });
    });

    it('marks the cookie Secure when the redirect URI is https, with its path', async () => {
      await t.app.close();
      t = await createLoginTestApp(
        loginConfig({ redirectUri: 'https://app.example/oauth/callback' }),
      );
      const response = await get('/login?scope=current_time');
      expect(response.headers['set-cookie']).toMatch(
        /^webapp_login=[A-Za-z0-9_.-]+; Max-Age=60; Path=\/oauth\/callback; HttpOnly; Secure; SameSite=Lax$/,
      );
    });

    it('answers 405 JSON for POST /login', async () => {
      const response = await t.app.inject({ method: 'POST', url: '/login?scope=current_time' });
      expect(response.statusCode).toBe(405);
      expect(response.json()).toEqual({
        error: 'method_not_allowed',
        error_description: 'POST is not allowed on /login',
      });
    });
  });

  describe('GET /callback (RFC 6749 4.1.2)', () => {
    it('checks the binding, exchanges the code with its verifier and answers like /current_time', async () => {
      const started = await login('current_time');
      const response = await callback(started.cookie, granted(started));
      expect(response.statusCode).toBe(200);
      expect(response.headers['content-type']).toBe('application/json; charset=utf-8');
      expect(response.headers['cache-control']).toBe('no-store');
      expect(response.headers['set-cookie']).toBe(CLEARED);
      expect(response.json()).toEqual({ current_time: FIXED_TIME, user: 'alice' });
      expect(t.auth.exchanges).toHaveLength(1);
      expect(t.auth.exchanges[0]?.code).toBe('code-for-alice');
      expect(s256(t.auth.exchanges[0]?.codeVerifier ?? '')).toBe(started.challenge);
      expect(t.resource.calls).toEqual([
        { scope: 'current_time', token: { value: 'token-for-alice', type: 'Bearer' } },
      ]);
    });

    it('answers like /epoch_time for an epoch_time login', async () => {
      const started = await login('epoch_time');
      const response = await callback(started.cookie, granted(started, 'bob'));
      expect(response.statusCode).toBe(200);
      expect(response.json()).toEqual({ epoch_time: FIXED_EPOCH, user: 'bob' });
      expect(t.resource.calls.map((call) => call.scope)).toEqual(['epoch_time']);
    });

    it('presents a DPoP token as DPoP to the resource server', async () => {
      t.auth.tokenType = 'DPoP';
      const started = await login();
      const response = await callback(started.cookie, granted(started));
      expect(response.statusCode).toBe(200);
      expect(t.resource.calls[0]?.token).toEqual({ value: 'token-for-alice', type: 'DPoP' });
    });

    it('records login_completed with the scope and the user, and nothing secret', async () => {
      const started = await login('epoch_time');
      t.outcome.events.length = 0;
      await callback(started.cookie, granted(started, 'carol'));
      expect(t.outcome.events).toEqual([
        { kind: 'record', event: 'login_completed', fields: { scope: 'epoch_time' } },
      ]);
      expect(t.outcome.identity).toEqual({ client_id: '1234', user: 'carol' });
      const logged = JSON.stringify(t.outcome.events);
      for (const secret of [started.cookie, started.state, 'code-for-carol', COOKIE_SECRET]) {
        expect(logged).not.toContain(secret);
      }
    });

    describe('a callback that belongs to no login in progress: 400, nothing exchanged, cookie cleared', () => {
      async function expectUnknownLogin(
        response: Awaited<ReturnType<typeof get>>,
        description: string,
        reason: string,
      ): Promise<void> {
        expect(response.statusCode).toBe(400);
        expect(response.headers['content-type']).toBe('application/json; charset=utf-8');
        expect(response.headers['set-cookie']).toBe(CLEARED);
        expect(response.json()).toEqual({
          error: 'invalid_request',
          error_description: description,
        });
        expect(t.outcome.events).toContainEqual({
          kind: 'record',
          event: 'login_refused',
          fields: { reason },
        });
      }

      it('refuses a callback without the cookie', async () => {
        const started = await login();
        const response = await callback(undefined, granted(started));
        await expectUnknownLogin(
          response,
          'no login is in progress in this browser; start one at /login',
          'no_binding',
        );
        expect(t.auth.exchanges).toHaveLength(0);
        expect(t.resource.calls).toHaveLength(0);
      });

      it('refuses a callback whose state is another login’s', async () => {
        const mine = await login();
        const theirs = await login();
        const response = await callback(mine.cookie, granted(theirs));
        await expectUnknownLogin(
          response,
          'the callback does not belong to the login in progress',
          'foreign_state',
        );
        expect(t.auth.exchanges).toHaveLength(0);
      });

      it('refuses a callback without a state', async () => {
        const started = await login();
        const response = await callback(started.cookie, { code: 'code-for-alice', iss: ISSUER });
        await expectUnknownLogin(
          response,
          'the callback does not belong to the login in progress',
          'foreign_state',
        );
      });

      it('refuses the same binding a second time, even with its old cookie', async () => {
        const started = await login();
        const first = await callback(started.cookie, granted(started));
        expect(first.statusCode).toBe(200);
        const replay = await callback(started.cookie, granted(started));
        await expectUnknownLogin(
          replay,
          'this login has already been completed; start again at /login',
          'replayed',
        );
        expect(t.auth.exchanges).toHaveLength(1);
      });

      it('spends the binding on an error redirect too', async () => {
        const started = await login();
        const denied = await callback(started.cookie, {
          error: 'access_denied',
          state: started.state,
          iss: ISSUER,
        });
        expect(denied.statusCode).toBe(403);
        const replay = await callback(started.cookie, granted(started));
        await expectUnknownLogin(
          replay,
          'this login has already been completed; start again at /login',
          'replayed',
        );
        expect(t.auth.exchanges).toHaveLength(0);
      });

      it('accepts the binding up to 59 s after /login and refuses it from 60 s on', async () => {
        const started = await login();
        const late = await login();
        t.clock.now += 59;
        expect((await callback(started.cookie, granted(started))).statusCode).toBe(200);
        t.clock.now += 1;
        const response = await callback(late.cookie, granted(late));
        await expectUnknownLogin(
          response,
          'the login has expired; start again at /login',
          'expired',
        );
        expect(t.auth.exchanges).toHaveLength(1);
      });

      it('refuses a cookie whose content was changed', async () => {
        const started = await login('current_time');
        const [payload, mac] = started.cookie.split('.') as [string, string];
        const content = JSON.parse(Buffer.from(payload, 'base64url').toString()) as Record<
          string,
          unknown
        >;
        const changed = Buffer.from(JSON.stringify({ ...content, sc: 'epoch_time' })).toString(
          'base64url',
        );
        const response = await callback(`${changed}.${mac}`, granted(started));
        await expectUnknownLogin(
          response,
          'the login cookie is not valid; start again at /login',
          'bad_binding',
        );
      });

      it('refuses a cookie sealed with another key', async () => {
        const started = await login();
        const forged = new LoginBindingSeal('another-key-that-is-32-characters-long!').seal({
          scope: 'current_time',
          state: started.state,
          codeVerifier: 'v'.repeat(43),
          expiresAt: t.clock.now + 60,
        });
        const response = await callback(forged, granted(started));
        await expectUnknownLogin(
          response,
          'the login cookie is not valid; start again at /login',
          'bad_binding',
        );
        expect(t.auth.exchanges).toHaveLength(0);
      });

      it.each([['garbage'], ['a.b.c'], ['.'], ['x'.repeat(2000)]])(
        'refuses a cookie %#',
        async (value) => {
          const started = await login();
          const response = await callback(value, granted(started));
          await expectUnknownLogin(
            response,
            'the login cookie is not valid; start again at /login',
            'bad_binding',
          );
        },
      );
    });

    it('checks the binding before iss and before an error', async () => {
      const mine = await login();
      const response = await callback(mine.cookie, {
        error: 'access_denied',
        state: 'someone-else',
        iss: 'https://evil.example',
      });
      expect(response.statusCode).toBe(400);
      expect(response.json()).toEqual({
        error: 'invalid_request',
        error_description: 'the callback does not belong to the login in progress',
      });
    });

    it('answers 502 when iss is another issuer (RFC 9207), and exchanges nothing', async () => {
      const started = await login();
      const response = await callback(started.cookie, {
        ...granted(started),
        iss: 'https://evil.example',
      });
      expect(response.statusCode).toBe(502);
      expect(response.headers['set-cookie']).toBe(CLEARED);
      expect(response.json()).toEqual({
        error: 'bad_gateway',
        error_description: 'the authorization server gave an unusable answer',
      });
      expect(t.auth.exchanges).toHaveLength(0);
    });

    it('answers 502 when iss is missing', async () => {
      const started = await login();
      const response = await callback(started.cookie, {
        code: 'code-for-alice',
        state: started.state,
      });
      expect(response.statusCode).toBe(502);
      expect(t.auth.exchanges).toHaveLength(0);
    });

    describe('an error redirect (RFC 6749 4.1.2.1)', () => {
      it.each([
        ['access_denied', 'the user said no'],
        ['invalid_scope', 'no such scope'],
        ['unauthorized_client', 'not for this client'],
      ])('answers 403 JSON for %s, and records login_refused', async (error, description) => {
        const started = await login();
        t.outcome.events.length = 0;
        const response = await callback(started.cookie, {
          error,
          error_description: description,
          state: started.state,
          iss: ISSUER,
        });
        expect(response.statusCode).toBe(403);
        expect(response.headers['set-cookie']).toBe(CLEARED);
        expect(response.json()).toEqual({
          error,
          error_description: `the authorization server refused: ${description}`,
        });
        expect(t.outcome.events[0]).toEqual({
          kind: 'record',
          event: 'login_refused',
          fields: { scope: 'current_time', reason: 'authorization_denied', error },
        });
        expect(t.auth.exchanges).toHaveLength(0);
      });

      it('answers 502 for an error that says this client asked wrongly', async () => {
        const started = await login();
        const response = await callback(started.cookie, {
          error: 'invalid_request',
          state: started.state,
          iss: ISSUER,
        });
        expect(response.statusCode).toBe(502);
        expect(response.json()).toEqual({
          error: 'bad_gateway',
          error_description: 'the authorization server refused: invalid_request',
        });
      });

      it('answers 503 for temporarily_unavailable', async () => {
        const started = await login();
        const response = await callback(started.cookie, {
          error: 'temporarily_unavailable',
          state: started.state,
          iss: ISSUER,
        });
        expect(response.statusCode).toBe(503);
        expect(response.headers['set-cookie']).toBe(CLEARED);
        expect(response.json()).toEqual({
          error: 'service_unavailable',
          error_description: 'the authorization server cannot be reached',
        });
      });
    });

    it('refuses an unreadable query with 400 JSON, and clears the cookie', async () => {
      const started = await login();
      const response = await get(`/callback?state=${started.state}&state=${started.state}&code=x`, {
        cookie: `webapp_login=${started.cookie}`,
      });
      expect(response.statusCode).toBe(400);
      expect(response.headers['set-cookie']).toBe(CLEARED);
      expect(response.json()).toEqual({
        error: 'invalid_request',
        error_description: 'parameter state is invalid, too long or repeated',
      });
      expect(t.auth.exchanges).toHaveLength(0);
    });

    it('passes on a refusal of the resource server', async () => {
      t.resource.failure = new UpstreamRefusedError(
        'resource',
        403,
        'insufficient_scope',
        'the resource server refused: this endpoint needs the scope current_time',
      );
      const started = await login();
      const response = await callback(started.cookie, granted(started));
      expect(response.statusCode).toBe(403);
      expect(response.headers['set-cookie']).toBe(CLEARED);
      expect(response.json()).toEqual({
        error: 'insufficient_scope',
        error_description:
          'the resource server refused: this endpoint needs the scope current_time',
      });
    });

    it('answers 502 when the token is for another scope than the login', async () => {
      t.auth.grantScope = 'epoch_time';
      const started = await login('current_time');
      const response = await callback(started.cookie, granted(started));
      expect(response.statusCode).toBe(502);
      expect(t.resource.calls).toHaveLength(0);
    });

    it('gives the exchange and the API call the request id and one deadline', async () => {
      const started = await login();
      await callback(started.cookie, granted(started));
      const context = t.auth.exchanges[0]?.context;
      expect(context?.requestId).toMatch(/^[0-9a-f-]{36}$/);
      expect(context?.signal.aborted).toBe(false);
    });

    it('answers 405 JSON for POST /callback', async () => {
      const response = await t.app.inject({ method: 'POST', url: '/callback' });
      expect(response.statusCode).toBe(405);
      expect(response.headers['content-type']).toBe('application/json; charset=utf-8');
    });
  });

  describe('when the record of used logins is full', () => {
    it('answers 503 temporarily_unavailable rather than risk a second use', async () => {
      await t.app.close();
      t = await createLoginTestApp(loginConfig(), {
        usedLogins: {
          firstUse: () => Promise.reject(new DpopReplayCacheFullError('full')),
        },
      });
      const started = await login();
      const response = await callback(started.cookie, granted(started));
      expect(response.statusCode).toBe(503);
      expect(response.headers['retry-after']).toBe('1');
      expect(response.headers['set-cookie']).toBe(CLEARED);
      expect(response.json()).toEqual({
        error: 'temporarily_unavailable',
        error_description: 'the server cannot serve this request now; retry later',
      });
      expect(t.auth.exchanges).toHaveLength(0);
    });
  });
});
