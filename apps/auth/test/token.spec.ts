import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { basicAuthorization, DpopKey } from '@app/common';
import { createAuthApp } from './support/auth-app';
import { FakeClock, T0 } from './support/fakes';
import { decodeJws } from '../../../libs/common/test/jws';
import {
  AUDIENCE,
  CALLBACK,
  FORM,
  ISSUER,
  OAuthClient,
  RESOURCE_SERVER,
  UUID,
  WEBAPP,
  basic,
  encode,
} from './support/oauth-client';

const INVALID_CLIENT = {
  error: 'invalid_client',
  error_description: 'client authentication failed',
};
const CLIENT_CHALLENGE = 'Basic realm="oauth", charset="UTF-8"';

describe('POST /token', () => {
  const clock = new FakeClock();
  let app: NestFastifyApplication;
  let client: OAuthClient;

  beforeAll(async () => {
    app = await createAuthApp({ clock });
    client = new OAuthClient(app);
  });

  afterAll(() => app.close());

  beforeEach(() => {
    clock.now = T0;
  });

  describe('grant_type=authorization_code', () => {
    it.each(['basic', 'post'] as const)(
      'issues an RFC 9068 access token to a client using client_secret_%s',
      async (method) => {
        const { code, verifier } = await client.authorize({ user: 'alice', scope: 'epoch_time' });
        const response = await client.redeem(code, verifier, { method });

        expect(response.statusCode).toBe(200);
        expect(response.headers['cache-control']).toBe('no-store');
        expect(response.headers.pragma).toBe('no-cache');
        expect(response.headers['content-type']).toBe('application/json; charset=utf-8');
        const body = response.json<{ access_token: string }>();
        expect(body).toEqual({
          access_token: expect.stringMatching(/^[\w-]+\.[\w-]+\.[\w-]+$/),
          token_type: 'Bearer',
          expires_in: 5,
          scope: 'epoch_time',
        });
        const { header, payload } = decodeJws(body.access_token);
        expect(header).toEqual({ alg: 'ES256', typ: 'at+jwt', kid: expect.any(String) });
        expect(payload).toEqual({
          iss: ISSUER,
          sub: 'alice',
          aud: AUDIENCE,
          client_id: '1234',
          scope: 'epoch_time',
          iat: T0,
          exp: T0 + 5,
          jti: expect.stringMatching(UUID),
        });
      },
    );

    it('gives every token its own jti', async () => {
      const first = decodeJws(await client.accessToken()).payload.jti;
      const second = decodeJws(await client.accessToken()).payload.jti;
      expect(first).not.toBe(second);
    });

    it('refuses a replayed code with invalid_grant and revokes the token of the first', async () => {
      const { code, verifier } = await client.authorize();
      const first = await client.redeem(code, verifier);
      const token = first.json<{ access_token: string }>().access_token;
      expect((await client.introspect(token)).json()).toMatchObject({ active: true });

      const replay = await client.redeem(code, verifier);

      expect(replay.statusCode).toBe(400);
      expect(replay.headers['cache-control']).toBe('no-store');
      expect(replay.json()).toEqual({
        error: 'invalid_grant',
        error_description: 'the authorization code was already used',
      });
      expect((await client.introspect(token)).json()).toEqual({ active: false });
    });

    it('refuses a code 61 s after it was issued with invalid_grant', async () => {
      const { code, verifier } = await client.authorize();
      clock.advance(61);

      const response = await client.redeem(code, verifier);

      expect(response.statusCode).toBe(400);
      expect(response.json()).toEqual({
        error: 'invalid_grant',
        error_description: 'the authorization code is invalid or expired',
      });
    });

    it('accepts a code 59 s after it was issued', async () => {
      const { code, verifier } = await client.authorize();
      clock.advance(59);
      expect((await client.redeem(code, verifier)).statusCode).toBe(200);
    });

    it('refuses an unknown code with invalid_grant', async () => {
      const { verifier } = await client.authorize();
      const response = await client.redeem('no-such-code', verifier);
      expect(response.statusCode).toBe(400);
      expect(response.json()).toEqual({
        error: 'invalid_grant',
        error_description: 'the authorization code is invalid or expired',
      });
    });

    it('refuses a wrong code_verifier with invalid_grant', async () => {
      const { code } = await client.authorize();
      const response = await client.redeem(code, 'x'.repeat(43));
      expect(response.statusCode).toBe(400);
      expect(response.json()).toEqual({
        error: 'invalid_grant',
        error_description: 'code_verifier does not match the code challenge',
      });
    });

    it('refuses a redirect_uri other than the authorization request’s with invalid_grant', async () => {
      const { code, verifier } = await client.authorize();
      const response = await client.redeem(code, verifier, {
        form: { redirect_uri: `${CALLBACK}/` },
      });
      expect(response.statusCode).toBe(400);
      expect(response.json()).toEqual({
        error: 'invalid_grant',
        error_description: 'redirect_uri does not match the authorization request',
      });
    });

    it.each([
      ['code', 'code is required'],
      ['redirect_uri', 'redirect_uri is required'],
      ['code_verifier', 'code_verifier is required'],
    ])('refuses a request without %s with invalid_request', async (parameter, description) => {
      const { code, verifier } = await client.authorize();
      const response = await client.redeem(code, verifier, { form: { [parameter]: undefined } });
      expect(response.statusCode).toBe(400);
      expect(response.json()).toEqual({ error: 'invalid_request', error_description: description });
    });

    it.each(['code', 'redirect_uri', 'code_verifier'])(
      'treats an empty %s as omitted: invalid_request, and the code is not used up',
      async (parameter) => {
        const { code, verifier } = await client.authorize();
        const response = await client.redeem(code, verifier, { form: { [parameter]: '' } });
        expect(response.statusCode).toBe(400);
        expect(response.json()).toEqual({
          error: 'invalid_request',
          error_description: `${parameter} is required`,
        });
        expect((await client.redeem(code, verifier)).statusCode).toBe(200);
      },
    );

    it('answers token_type DPoP, bound to the key, to a request with a DPoP proof (RFC 9449 5)', async () => {
      const key = DpopKey.generate(clock);
      const { code, verifier } = await client.authorize();
      const response = await app.inject({
        method: 'POST',
        url: '/token',
        headers: {
          ...FORM,
          authorization: basic('1234', 'qwerty'),
          dpop: key.proof({ htm: 'POST', htu: `${ISSUER}/token` }),
        },
        payload: encode({
          grant_type: 'authorization_code',
          code,
          redirect_uri: CALLBACK,
          code_verifier: verifier,
        }),
      });
      expect(response.statusCode).toBe(200);
      const body = response.json<{ access_token: string }>();
      expect(body).toMatchObject({ token_type: 'DPoP', expires_in: 5 });
      expect(decodeJws(body.access_token).payload.cnf).toEqual({ jkt: key.thumbprint });
      expect((await client.introspect(body.access_token)).json()).toMatchObject({
        active: true,
        token_type: 'DPoP',
        cnf: { jkt: key.thumbprint },
      });
    });

    it('refuses the resource server, which may not use the grant, as unauthorized_client', async () => {
      const { code, verifier } = await client.authorize();
      const response = await client.redeem(code, verifier, { client: RESOURCE_SERVER });
      expect(response.statusCode).toBe(400);
      expect(response.json()).toEqual({
        error: 'unauthorized_client',
        error_description: 'this client may not use the authorization_code grant',
      });
    });
  });

  describe('grant_type', () => {
    it.each(['client_credentials', 'password', 'refresh_token'])(
      'refuses grant_type=%s as unsupported_grant_type',
      async (grantType) => {
        const response = await client.post('/token', { grant_type: grantType }, WEBAPP, 'basic');
        expect(response.statusCode).toBe(400);
        expect(response.headers['cache-control']).toBe('no-store');
        expect(response.json()).toEqual({
          error: 'unsupported_grant_type',
          error_description: 'supported grant types: authorization_code',
        });
      },
    );

    it('refuses a request without grant_type as invalid_request', async () => {
      const response = await client.post('/token', { code: 'c' }, WEBAPP, 'basic');
      expect(response.statusCode).toBe(400);
      expect(response.json()).toEqual({
        error: 'invalid_request',
        error_description: 'grant_type is required',
      });
    });
  });

  describe('client authentication', () => {
    it('refuses a wrong secret sent with Basic: 401 invalid_client with WWW-Authenticate', async () => {
      const { code, verifier } = await client.authorize();
      const response = await client.redeem(code, verifier, {
        client: { id: '1234', secret: 'wrong' },
      });

      expect(response.statusCode).toBe(401);
      expect(response.json()).toEqual(INVALID_CLIENT);
      expect(response.headers['www-authenticate']).toBe(CLIENT_CHALLENGE);
      expect(response.headers['cache-control']).toBe('no-store');
    });

    it('refuses a wrong secret sent in the body: 401 invalid_client with WWW-Authenticate too', async () => {
      const { code, verifier } = await client.authorize();
      const response = await client.redeem(code, verifier, {
        method: 'post',
        client: { id: '1234', secret: 'wrong' },
      });

      expect(response.statusCode).toBe(401);
      expect(response.json()).toEqual(INVALID_CLIENT);
      expect(response.headers['www-authenticate']).toBe(CLIENT_CHALLENGE);
    });

    it('refuses an unknown client sent with Basic', async () => {
      const response = await client.post(
        '/token',
        { grant_type: 'authorization_code' },
        { id: 'nobody', secret: 'qwerty' },
        'basic',
      );
      expect(response.statusCode).toBe(401);
      expect(response.json()).toEqual(INVALID_CLIENT);
      expect(response.headers['www-authenticate']).toBe(CLIENT_CHALLENGE);
    });

    it('refuses malformed Basic credentials with WWW-Authenticate', async () => {
      const response = await app.inject({
        method: 'POST',
        url: '/token',
        headers: { ...FORM, authorization: 'Basic not*base64' },
        payload: encode({ grant_type: 'authorization_code' }),
      });
      expect(response.statusCode).toBe(401);
      expect(response.json()).toEqual(INVALID_CLIENT);
      expect(response.headers['www-authenticate']).toBe(CLIENT_CHALLENGE);
    });

    it('refuses a request without client authentication, telling it how (RFC 9110 15.5.2)', async () => {
      const response = await client.post(
        '/token',
        { grant_type: 'authorization_code' },
        undefined,
        'basic',
      );
      expect(response.statusCode).toBe(401);
      expect(response.json()).toEqual(INVALID_CLIENT);
      expect(response.headers['www-authenticate']).toBe(CLIENT_CHALLENGE);
      expect(response.headers['cache-control']).toBe('no-store');
    });

    it.each([
      ['a client_id without a secret', { client_id: '1234' }],
      ['a secret without a client_id', { client_secret: 'qwerty' }],
      ['an unknown client_id', { client_id: 'nobody', client_secret: 'qwerty' }],
    ])('refuses %s in the body with the challenge', async (_name, form) => {
      const response = await client.post(
        '/token',
        { grant_type: 'authorization_code', ...form },
        undefined,
        'post',
      );
      expect(response.statusCode).toBe(401);
      expect(response.json()).toEqual(INVALID_CLIENT);
      expect(response.headers['www-authenticate']).toBe(CLIENT_CHALLENGE);
    });

    it('refuses two authentication methods at once as invalid_request', async () => {
      const { code, verifier } = await client.authorize();
      const response = await client.redeem(code, verifier, {
        form: { client_id: '1234', client_secret: 'qwerty' },
      });
      expect(response.statusCode).toBe(400);
      expect(response.json()).toEqual({
        error: 'invalid_request',
        error_description: 'use exactly one client authentication method',
      });
    });

    it('accepts client_secret_basic with the client_id repeated in the body', async () => {
      const { code, verifier } = await client.authorize();
      const response = await client.redeem(code, verifier, { form: { client_id: '1234' } });
      expect(response.statusCode).toBe(200);
    });

    it('refuses client_secret_basic with another client_id in the body as invalid_request', async () => {
      const { code, verifier } = await client.authorize();
      const response = await client.redeem(code, verifier, {
        form: { client_id: 'resource-server' },
      });
      expect(response.statusCode).toBe(400);
      expect(response.json()).toEqual({
        error: 'invalid_request',
        error_description: 'client_id in the body does not match the authenticated client',
      });
    });

    it('takes empty client_secret= and client_id= beside a Basic header as omitted, not as a second method', async () => {
      const { code, verifier } = await client.authorize();
      const response = await client.redeem(code, verifier, {
        form: { client_id: '', client_secret: '' },
      });
      expect(response.statusCode).toBe(200);
      expect(response.json()).toMatchObject({ token_type: 'Bearer' });
    });
  });

  describe('request format', () => {
    it('refuses a repeated parameter (code=a&code=b) as invalid_request', async () => {
      const response = await app.inject({
        method: 'POST',
        url: '/token',
        headers: { ...FORM, authorization: basic('1234', 'qwerty') },
        payload: 'grant_type=authorization_code&code=a&code=b',
      });
      expect(response.statusCode).toBe(400);
      expect(response.json()).toEqual({
        error: 'invalid_request',
        error_description: 'parameter code is invalid, too long or repeated',
      });
    });

    it.each([
      ['application/json', JSON.stringify({ grant_type: 'authorization_code' })],
      ['text/plain', 'grant_type=authorization_code'],
      ['multipart/form-data; boundary=x', '--x--'],
    ])('answers 415 JSON for a %s body', async (contentType, payload) => {
      const response = await app.inject({
        method: 'POST',
        url: '/token',
        headers: { 'content-type': contentType, authorization: basic('1234', 'qwerty') },
        payload,
      });
      expect(response.statusCode).toBe(415);
      expect(response.json()).toEqual({
        error: 'unsupported_media_type',
        error_description: 'unsupported content type',
      });
    });

    it('answers 413 JSON for a body larger than 16384 bytes', async () => {
      const payload = `grant_type=authorization_code&padding=${'a'.repeat(16384)}`;
      const response = await app.inject({ method: 'POST', url: '/token', headers: FORM, payload });
      expect(response.statusCode).toBe(413);
      expect(response.json()).toEqual({
        error: 'payload_too_large',
        error_description: 'request body is too large',
      });
    });

    it('reads a body of exactly 16384 bytes', async () => {
      const prefix = 'grant_type=authorization_code&padding=';
      const payload = `${prefix}${'a'.repeat(16384 - prefix.length)}`;
      expect(Buffer.byteLength(payload)).toBe(16384);
      const response = await app.inject({ method: 'POST', url: '/token', headers: FORM, payload });
      expect(response.statusCode).toBe(401);
      expect(response.json()).toEqual(INVALID_CLIENT);
    });

    it('answers 405 JSON with Allow: POST to GET', async () => {
      const response = await app.inject({ method: 'GET', url: '/token' });
      expect(response.statusCode).toBe(405);
      expect(response.headers.allow).toBe('POST');
      expect(response.json()).toEqual({
        error: 'method_not_allowed',
        error_description: 'GET is not allowed on /token',
      });
    });
  });
});

describe('POST /token: a client secret with +, / or % in it (RFC 6749 2.3.1)', () => {
  const clock = new FakeClock();
  const TOKEN_REQUEST = { grant_type: 'authorization_code' };

  beforeEach(() => {
    clock.now = T0;
  });

  describe.each(['Ab+cd/ef==', 'p%41ss', '50%off'])('CLIENT_SECRET=%s', (secret) => {
    let app: NestFastifyApplication;
    let client: OAuthClient;

    /** A code redeemed with this Authorization header. */
    const redeemWith = async (authorization: string) => {
      const { code, verifier } = await client.authorize();
      return app.inject({
        method: 'POST',
        url: '/token',
        headers: { ...FORM, authorization },
        payload: encode({
          ...TOKEN_REQUEST,
          code,
          redirect_uri: CALLBACK,
          code_verifier: verifier,
        }),
      });
    };

    beforeAll(async () => {
      app = await createAuthApp({ clock, config: { clientSecret: secret } });
      client = new OAuthClient(app);
    });

    afterAll(() => app.close());

    it('accepts the secret form-encoded in Basic, as RFC 6749 2.3.1 has it', async () => {
      const response = await redeemWith(basicAuthorization('1234', secret, 'client_credentials'));
      expect(response.statusCode).toBe(200);
    });

    it('accepts the secret raw in Basic, as requests-oauthlib and others send it', async () => {
      const response = await redeemWith(basicAuthorization('1234', secret, 'login'));
      expect(response.statusCode).toBe(200);
    });

    it('accepts it with client_secret_post', async () => {
      const { code, verifier } = await client.authorize();
      const response = await client.redeem(code, verifier, {
        method: 'post',
        client: { id: '1234', secret },
      });
      expect(response.statusCode).toBe(200);
    });

    it.each([
      ['a wrong secret', `${secret}x`],
      ['the secret without its last character', secret.slice(0, -1)],
    ])('refuses %s in either encoding', async (_name, wrong) => {
      for (const encoding of ['client_credentials', 'login'] as const) {
        const response = await redeemWith(basicAuthorization('1234', wrong, encoding));
        expect(response.statusCode).toBe(401);
        expect(response.json()).toEqual(INVALID_CLIENT);
        expect(response.headers['www-authenticate']).toBe(CLIENT_CHALLENGE);
      }
    });
  });

  describe('CLIENT_SECRET=Ab+cd/ef==, read form-decoded', () => {
    let app: NestFastifyApplication;

    beforeAll(async () => {
      app = await createAuthApp({ clock, config: { clientSecret: 'Ab+cd/ef==' } });
    });

    afterAll(() => app.close());

    it('refuses what its raw form decodes to ("Ab cd/ef=="): only the secret itself passes', async () => {
      const client = new OAuthClient(app);
      const { code, verifier } = await client.authorize();
      const response = await client.redeem(code, verifier, {
        client: { id: '1234', secret: 'Ab cd/ef==' },
      });
      expect(response.statusCode).toBe(401);
    });
  });
});
