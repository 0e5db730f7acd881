import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { LIMITS } from '@app/contracts';
import { createAuthApp } from './support/auth-app';
import { FakeClock, T0 } from './support/fakes';
import { decodeJws } from '../../../libs/common/test/jws';
import {
  AUDIENCE,
  FORM,
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
const CLIENT_CHALLENGE = 'Basic realm="oauth", charset="UTF-8"';

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

  it.each([
    ['a token longer than any of ours', `${'a'.repeat(LIMITS.accessToken)}.e30.c2ln`],
    ['a token of 16 KB', 'e'.repeat(16_000)],
    ['a token that is only dots', '...'],
  ])('answers 200 {active:false}, never 400, for %s', async (_name, token) => {
    const response = await client.introspect(token);
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ active: false });
  });

  it('answers {active:false} for a genuine token with garbage appended past the length limit', async () => {
    const token = await client.accessToken();
    expect((await client.introspect(token)).json()).toEqual(activeBody(token));
    const response = await client.introspect(`${token}${'A'.repeat(LIMITS.accessToken)}`);
    expect(response.json()).toEqual({ active: false });
  });

  it('answers 401 invalid_client, with the challenge, without client authentication', async () => {
    const token = await client.accessToken();
    const response = await client.post('/introspect', { token }, undefined, 'basic');

    expect(response.statusCode).toBe(401);
    expect(response.headers['cache-control']).toBe('no-store');
    expect(response.headers['www-authenticate']).toBe(CLIENT_CHALLENGE);
    expect(response.json()).toEqual(INVALID_CLIENT);
  });

  it('answers 401 invalid_client, with the challenge, to a wrong client_secret_post', async () => {
    const response = await client.introspect(
      'abc',
      { id: 'resource-server', secret: 'wrong' },
      'post',
    );
    expect(response.statusCode).toBe(401);
    expect(response.headers['www-authenticate']).toBe(CLIENT_CHALLENGE);
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
    expect(response.headers['www-authenticate']).toBe(CLIENT_CHALLENGE);
    expect(response.json()).toEqual(INVALID_CLIENT);
  });

  it.each([
    ['without a token', {}],
    ['with an empty token (an omitted one, RFC 6749 3.1)', { token: '' }],
  ])('answers 400 invalid_request %s', async (_name, form) => {
    const response = await client.post('/introspect', form, RESOURCE_SERVER, 'basic');
    expect(response.statusCode).toBe(400);
    expect(response.json()).toEqual({
      error: 'invalid_request',
      error_description: 'token is required',
    });
  });

  it('answers 400 invalid_request for a token sent twice', async () => {
    const token = await client.accessToken();
    const response = await app.inject({
      method: 'POST',
      url: '/introspect',
      headers: { ...FORM, authorization: basic(RESOURCE_SERVER.id, RESOURCE_SERVER.secret) },
      payload: `token=${token}&token=${token}`,
    });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toEqual({
      error: 'invalid_request',
      error_description: 'parameter token is invalid, too long or repeated',
    });
  });
});
