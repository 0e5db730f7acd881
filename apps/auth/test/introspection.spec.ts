import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createAuthApp } from './support/auth-app';
import { FakeClock, T0 } from './support/fakes';
import { decodeJws } from '../../../libs/common/test/jws';
import {
  AUDIENCE,
  ISSUER,
  OAuthClient,
  RESOURCE_SERVER,
  WEBAPP,
  basic,
} from './support/oauth-client';

const INVALID_CLIENT = {
  error: 'invalid_client',
  error_description: 'client authentication failed',
};

describe('POST /introspect', () => {
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

  /** The exact RFC 7662 answer for an active token of alice with scope current_time. */
  const activeBody = (token: string) => ({
    active: true,
    scope: 'current_time',
    client_id: '1234',
    username: 'alice',
    sub: 'alice',
    aud: AUDIENCE,
    iss: ISSUER,
    exp: T0 + 5,
    iat: T0,
    jti: decodeJws(token).payload.jti,
    token_type: 'Bearer',
  });

  it.each([
    ['the resource server with Basic', RESOURCE_SERVER, 'basic'],
    ['the resource server with client_secret_post', RESOURCE_SERVER, 'post'],
    ['the webapp (1234:qwerty) with Basic', WEBAPP, 'basic'],
  ] as const)('describes an active token to %s', async (_name, caller, method) => {
    const token = await client.accessToken({ user: 'alice' });

    const response = await client.introspect(token, caller, method);

    expect(response.statusCode).toBe(200);
    expect(response.headers['cache-control']).toBe('no-store');
    expect(response.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(response.json()).toEqual(activeBody(token));
  });

  it('answers an active token until just before exp, and {active:false} once exp is reached', async () => {
    const token = await client.accessToken();

    clock.now = T0 + 4;
    expect((await client.introspect(token)).json()).toEqual(activeBody(token));
    clock.now = T0 + 5;
    const expired = await client.introspect(token);
    expect(expired.statusCode).toBe(200);
    expect(expired.json()).toEqual({ active: false });
  });

  it.each([
    ['garbage', 'not-a-token'],
    ['a JWT-looking string', 'eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.'],
  ])('answers 200 {active:false} for %s', async (_name, token) => {
    const response = await client.introspect(token);
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ active: false });
  });

  it('answers {active:false} for a token whose signature was changed', async () => {
    const token = await client.accessToken();
    const [head, payload, signature = ''] = token.split('.');
    // A character in the middle carries six bits of the signature; the last one partly padding.
    const flipped = `${signature.slice(0, 10)}${signature[10] === 'A' ? 'B' : 'A'}${signature.slice(11)}`;
    const response = await client.introspect(`${head}.${payload}.${flipped}`);
    expect(response.json()).toEqual({ active: false });
  });

  it('ignores token_type_hint', async () => {
    const token = await client.accessToken();
    const response = await client.post(
      '/introspect',
      { token, token_type_hint: 'refresh_token' },
      RESOURCE_SERVER,
      'basic',
    );
    expect(response.json()).toEqual(activeBody(token));
  });

  it('answers 401 invalid_client without client authentication', async () => {
    const token = await client.accessToken();
    const response = await client.post('/introspect', { token }, undefined, 'basic');

    expect(response.statusCode).toBe(401);
    expect(response.headers['cache-control']).toBe('no-store');
    expect(response.headers['www-authenticate']).toBeUndefined();
    expect(response.json()).toEqual(INVALID_CLIENT);
  });

  it('answers 401 invalid_client with WWW-Authenticate: Basic to a wrong Basic secret', async () => {
    const response = await app.inject({
      method: 'POST',
      url: '/introspect',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: basic('resource-server', 'wrong'),
      },
      payload: 'token=abc',
    });
    expect(response.statusCode).toBe(401);
    expect(response.headers['www-authenticate']).toMatch(/^Basic /);
    expect(response.json()).toEqual(INVALID_CLIENT);
  });

  it('answers 400 invalid_request without a token', async () => {
    const response = await client.post('/introspect', {}, RESOURCE_SERVER, 'basic');
    expect(response.statusCode).toBe(400);
    expect(response.json()).toEqual({
      error: 'invalid_request',
      error_description: 'token is required',
    });
  });
});
