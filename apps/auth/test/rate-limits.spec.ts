import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createAuthApp } from './support/auth-app';
import { FakeClock, T0 } from './support/fakes';
import { FORM, OAuthClient, RESOURCE_SERVER, WEBAPP, basic } from './support/oauth-client';

const TOO_MANY = {
  error: 'too_many_requests',
  error_description: 'too many requests; retry later',
};
const TOKEN_FORM =
  'grant_type=authorization_code&code=x&redirect_uri=http%3A%2F%2Flocalhost%3A5003%2Fcallback&code_verifier=x';

describe('rate limits (429 with Retry-After)', () => {
  describe('failed client authentications (AUTH_FAILURE_LIMIT=2)', () => {
    let app: NestFastifyApplication;

    beforeAll(async () => {
      app = await createAuthApp({ config: { authFailureLimit: 2 } });
    });

    afterAll(() => app.close());

    const attempt = (secret: string, remoteAddress: string) =>
      app.inject({
        method: 'POST',
        url: '/token',
        headers: { ...FORM, authorization: basic('1234', secret) },
        payload: TOKEN_FORM,
        remoteAddress,
      });

    it('refuses client authentication after too many failures, even with the right secret', async () => {
      expect((await attempt('wrong-1', '192.0.2.1')).statusCode).toBe(401);
      expect((await attempt('wrong-2', '192.0.2.1')).statusCode).toBe(401);

      const limited = await attempt('qwerty', '192.0.2.1');

      expect(limited.statusCode).toBe(429);
      expect(limited.headers['retry-after']).toBe('60');
      expect(limited.headers['content-type']).toBe('application/json; charset=utf-8');
      expect(limited.json()).toEqual(TOO_MANY);
    });

    it('counts failures without credentials and with client_secret_post against the address', async () => {
      const post = await app.inject({
        method: 'POST',
        url: '/introspect',
        headers: FORM,
        payload: 'token=x&client_id=resource-server&client_secret=wrong',
        remoteAddress: '192.0.2.5',
      });
      expect(post.statusCode).toBe(401);
      const none = await app.inject({
        method: 'POST',
        url: '/revoke',
        headers: FORM,
        payload: 'token=x',
        remoteAddress: '192.0.2.5',
      });
      expect(none.statusCode).toBe(401);
      expect((await attempt('qwerty', '192.0.2.5')).statusCode).toBe(429);
    });
  });

  describe('a flood of wrong secrets in the resource server’s name (the default AUTH_FAILURE_LIMIT, 1000)', () => {
    const ATTACKER = '203.0.113.66';
    let app: NestFastifyApplication;
    let client: OAuthClient;

    const introspectAs = (secret: string, remoteAddress: string) =>
      app.inject({
        method: 'POST',
        url: '/introspect',
        headers: { ...FORM, authorization: basic(RESOURCE_SERVER.id, secret) },
        payload: 'token=abc',
        remoteAddress,
      });

    beforeAll(async () => {
      app = await createAuthApp();
      client = new OAuthClient(app);
      for (let i = 0; i < 1_000; i++) {
        const response = await introspectAs(`guess-${i}`, ATTACKER);
        if (response.statusCode !== 401) throw new Error(`guess ${i}: ${response.statusCode}`);
      }
    }, 60_000);

    afterAll(() => app.close());

    it('blocks the address that sent them, with Retry-After, for any client and any secret', async () => {
      for (const [id, secret] of [
        [RESOURCE_SERVER.id, 'guess-1000'],
        [RESOURCE_SERVER.id, RESOURCE_SERVER.secret],
        [WEBAPP.id, WEBAPP.secret],
      ] as const) {
        const response = await app.inject({
          method: 'POST',
          url: '/introspect',
          headers: { ...FORM, authorization: basic(id, secret) },
          payload: 'token=abc',
          remoteAddress: ATTACKER,
        });
        expect(response.statusCode).toBe(429);
        expect(Number(response.headers['retry-after'])).toBeGreaterThanOrEqual(1);
        expect(Number(response.headers['retry-after'])).toBeLessThanOrEqual(60);
        expect(response.json()).toEqual(TOO_MANY);
      }
    });

    it('leaves the resource server’s real secret working from every other address', async () => {
      const response = await introspectAs(RESOURCE_SERVER.secret, '192.0.2.10');
      expect(response.statusCode).toBe(200);
      expect(response.json()).toEqual({ active: false });
      const token = await client.accessToken();
      const fromElsewhere = await app.inject({
        method: 'POST',
        url: '/introspect',
        headers: { ...FORM, authorization: basic(RESOURCE_SERVER.id, RESOURCE_SERVER.secret) },
        payload: `token=${token}`,
        remoteAddress: '2001:db8::10',
      });
      expect(fromElsewhere.json()).toMatchObject({ active: true, client_id: '1234' });
    });
  });

  describe('introspections per second (INTROSPECTION_LIMIT=3)', () => {
    const clock = new FakeClock();
    let app: NestFastifyApplication;
    let client: OAuthClient;

    beforeAll(async () => {
      app = await createAuthApp({ clock, config: { introspectionLimit: 3 } });
      client = new OAuthClient(app);
    });

    afterAll(() => app.close());

    it('refuses the fourth introspection in one second with Retry-After: 1, and admits the next second', async () => {
      clock.now = T0;
      for (let i = 0; i < 3; i++) expect((await client.introspect('abc')).statusCode).toBe(200);

      const limited = await client.introspect('abc');

      expect(limited.statusCode).toBe(429);
      expect(limited.headers['retry-after']).toBe('1');
      expect(limited.json()).toEqual(TOO_MANY);
      clock.advance(1);
      expect((await client.introspect('abc')).statusCode).toBe(200);
    });
  });
});
