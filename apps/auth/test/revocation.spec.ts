import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createAuthApp } from './support/auth-app';
import { FakeClock, T0 } from './support/fakes';
import { OAuthClient, RESOURCE_SERVER, WEBAPP } from './support/oauth-client';

describe('POST /revoke', () => {
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

  it.each([
    ['the client the token was issued to', WEBAPP, 'basic'],
    ['the client with client_secret_post', WEBAPP, 'post'],
    ['the resource server of the token’s audience', RESOURCE_SERVER, 'basic'],
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

  it('answers 200 {} for a token it does not know', async () => {
    const response = await client.revoke('no-such-token');
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

  it('answers 401 invalid_client without client authentication, and revokes nothing', async () => {
    const token = await client.accessToken();
    const response = await client.post('/revoke', { token }, undefined, 'basic');

    expect(response.statusCode).toBe(401);
    expect(response.headers['www-authenticate']).toBeUndefined();
    expect(response.json()).toEqual({
      error: 'invalid_client',
      error_description: 'client authentication failed',
    });
    expect((await client.introspect(token)).json()).toMatchObject({ active: true });
  });

  it('answers 400 invalid_request without a token', async () => {
    const response = await client.post('/revoke', {}, WEBAPP, 'basic');
    expect(response.statusCode).toBe(400);
    expect(response.json()).toEqual({
      error: 'invalid_request',
      error_description: 'token is required',
    });
  });
});
