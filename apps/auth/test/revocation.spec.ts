import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { LIMITS } from '@app/contracts';
import { CLIENT_STORE, type RegisteredClient } from '../src/clients/client-store.port';
import { InMemoryClientStore } from '../src/clients/in-memory-client.store';
import { createAuthApp } from './support/auth-app';
import {
  FakeClock,
  RESOURCE_SERVER as RS_CLIENT,
  T0,
  WEBAPP as WEBAPP_CLIENT,
} from './support/fakes';
import { OAuthClient, RESOURCE_SERVER, WEBAPP } from './support/oauth-client';

/** A third registered client, with the grant and the redirect URI of the webapp. */
const OTHER_CLIENT: RegisteredClient = {
  ...WEBAPP_CLIENT,
  id: 'other-client',
  secret: 'other-secret',
};

describe('POST /revoke', () => {
  const clock = new FakeClock();
  let app: NestFastifyApplication;
  let client: OAuthClient;

  beforeAll(async () => {
    app = await createAuthApp({
      clock,
      overrides: [
        {
          token: CLIENT_STORE,
          value: new InMemoryClientStore([WEBAPP_CLIENT, RS_CLIENT, OTHER_CLIENT]),
        },
      ],
    });
    client = new OAuthClient(app);
  });

  afterAll(() => app.close());

  beforeEach(() => {
    clock.now = T0;
  });

  it.each([
    ['the client the token was issued to', WEBAPP, 'basic'],
    ['the client with client_secret_post', WEBAPP, 'post'],
  ] as const)(
    'answers 200 {} to %s, and the token introspects inactive at once',
    async (_name, caller, method) => {
      const token = await client.accessToken();
      expect((await client.introspect(token)).json()).toMatchObject({ active: true });

      const response = await client.revoke(token, caller, method);

      expect(response.statusCode).toBe(200);
      expect(response.headers['cache-control']).toBe('no-store');
      expect(response.json()).toEqual({});
      expect((await client.introspect(token)).json()).toEqual({ active: false });
    },
  );

  it('answers 200 {} to a second revocation of the same token', async () => {
    const token = await client.accessToken();
    await client.revoke(token);
    const again = await client.revoke(token);
    expect(again.statusCode).toBe(200);
    expect(again.json()).toEqual({});
  });

  it.each([
    ['the resource server', RESOURCE_SERVER],
    [
      'another client of the authorization_code grant',
      { id: OTHER_CLIENT.id, secret: OTHER_CLIENT.secret },
    ],
  ])(
    'refuses %s a token issued to the webapp: 400 unauthorized_client, and the token stays active',
    async (_name, caller) => {
      const token = await client.accessToken();

      const response = await client.revoke(token, caller);

      expect(response.statusCode).toBe(400);
      expect(response.headers['cache-control']).toBe('no-store');
      expect(response.json()).toEqual({
        error: 'unauthorized_client',
        error_description: 'the token was not issued to this client',
      });
      expect((await client.introspect(token)).json()).toMatchObject({ active: true });
    },
  );

  it.each([
    ['a token it does not know', 'no-such-token'],
    ['a JWT-looking string', 'eyJhbGciOiJub25lIn0.eyJqdGkiOiJ4In0.'],
    ['a token longer than any of ours', `${'a'.repeat(LIMITS.accessToken)}.e30.c2ln`],
  ])('answers 200 {} for %s', async (_name, token) => {
    const response = await client.revoke(token);
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({});
  });

  it('answers 200 {} to another client for a token it does not know: nothing is told', async () => {
    const response = await client.revoke('no-such-token', RESOURCE_SERVER);
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({});
  });

  it('answers 200 {} for an expired token', async () => {
    const token = await client.accessToken();
    clock.advance(10);
    const response = await client.revoke(token);
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({});
  });

  it('revokes only the token it was given', async () => {
    const revoked = await client.accessToken();
    const kept = await client.accessToken();
    await client.revoke(revoked);
    expect((await client.introspect(kept)).json()).toMatchObject({ active: true });
  });

  it('answers 401 invalid_client, with the challenge, without client authentication, and revokes nothing', async () => {
    const token = await client.accessToken();
    const response = await client.post('/revoke', { token }, undefined, 'basic');

    expect(response.statusCode).toBe(401);
    expect(response.headers['www-authenticate']).toBe('Basic realm="oauth", charset="UTF-8"');
    expect(response.json()).toEqual({
      error: 'invalid_client',
      error_description: 'client authentication failed',
    });
    expect((await client.introspect(token)).json()).toMatchObject({ active: true });
  });

  it.each([
    ['without a token', {}],
    ['with an empty token (an omitted one, RFC 6749 3.1)', { token: '' }],
  ])('answers 400 invalid_request %s', async (_name, form) => {
    const response = await client.post('/revoke', form, WEBAPP, 'basic');
    expect(response.statusCode).toBe(400);
    expect(response.json()).toEqual({
      error: 'invalid_request',
      error_description: 'token is required',
    });
  });
});
