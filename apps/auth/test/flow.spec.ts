import type { NestFastifyApplication } from '@nestjs/platform-fastify';
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
  WEBAPP,
  authorizationParameters,
  basic,
  encode,
  pkcePair,
  redirectOf,
} from './support/oauth-client';

/** The whole authorization-code flow with PKCE, as the webapp and the resource server run it. */
describe('authorization code flow', () => {
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

  it('GET /authorize with Basic, client_secret_basic, introspection, revocation', async () => {
    const { verifier, challenge } = pkcePair();
    const authorization = await app.inject({
      method: 'GET',
      url: `/authorize?${encode(authorizationParameters(challenge, { state: 's-1' }))}`,
      headers: { authorization: basic('alice', 'anything') },
    });
    expect(authorization.statusCode).toBe(302);
    const { target, params } = redirectOf(authorization);
    expect([target, params.state, params.iss]).toEqual([CALLBACK, 's-1', ISSUER]);

    clock.advance(1);
    const token = await app.inject({
      method: 'POST',
      url: '/token',
      headers: { ...FORM, authorization: basic('1234', 'qwerty') },
      payload: encode({
        grant_type: 'authorization_code',
        code: params.code,
        redirect_uri: CALLBACK,
        code_verifier: verifier,
      }),
    });
    expect(token.statusCode).toBe(200);
    const { access_token: accessToken } = token.json<{ access_token: string }>();

    const introspection = await client.introspect(accessToken, RESOURCE_SERVER);
    expect(introspection.json()).toEqual({
      active: true,
      scope: 'current_time',
      client_id: '1234',
      username: 'alice',
      sub: 'alice',
      aud: AUDIENCE,
      iss: ISSUER,
      exp: T0 + 6,
      iat: T0 + 1,
      jti: decodeJws(accessToken).payload.jti,
      token_type: 'Bearer',
    });

    const revocation = await client.revoke(accessToken, WEBAPP);
    expect([revocation.statusCode, revocation.json()]).toEqual([200, {}]);
    expect((await client.introspect(accessToken, RESOURCE_SERVER)).json()).toEqual({
      active: false,
    });
  });

  it('POST /authorize with the login form, client_secret_post, expiry', async () => {
    const { verifier, challenge } = pkcePair();
    const authorization = await app.inject({
      method: 'POST',
      url: '/authorize',
      headers: FORM,
      payload: encode(
        authorizationParameters(challenge, {
          scope: 'epoch_time',
          username: 'bob',
          password: 'secret',
        }),
      ),
    });
    expect(authorization.statusCode).toBe(302);

    const token = await app.inject({
      method: 'POST',
      url: '/token',
      headers: FORM,
      payload: encode({
        grant_type: 'authorization_code',
        code: redirectOf(authorization).params.code,
        redirect_uri: CALLBACK,
        code_verifier: verifier,
        client_id: '1234',
        client_secret: 'qwerty',
      }),
    });
    expect(token.statusCode).toBe(200);
    const body = token.json<{ access_token: string }>();
    expect(body).toMatchObject({ token_type: 'Bearer', expires_in: 5, scope: 'epoch_time' });

    const active = await client.introspect(body.access_token, WEBAPP);
    expect(active.json()).toMatchObject({ active: true, sub: 'bob', scope: 'epoch_time' });

    clock.advance(5);
    expect((await client.introspect(body.access_token, WEBAPP)).json()).toEqual({
      active: false,
    });
  });

  it('a stolen code replayed after the client redeemed it kills the client’s token', async () => {
    const { code, verifier } = await client.authorize();
    const first = await client.redeem(code, verifier);
    const token = first.json<{ access_token: string }>().access_token;

    const replay = await client.redeem(code, verifier, { method: 'post' });

    expect(replay.statusCode).toBe(400);
    expect(replay.json()).toEqual({
      error: 'invalid_grant',
      error_description: 'the authorization code was already used',
    });
    expect((await client.introspect(token)).json()).toEqual({ active: false });
  });
});
