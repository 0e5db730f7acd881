import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createAuthApp } from './support/auth-app';

describe('rate limits (429 with Retry-After)', () => {
  let app: NestFastifyApplication;

  beforeAll(async () => {
    app = await createAuthApp({ config: { authFailureLimit: 2, introspectionLimit: 3 } });
  });

  afterAll(async () => {
    await app.close();
  });

  const basic = (id: string, secret: string): string =>
    `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;

  it('refuses client authentication after too many failures, even with the right secret', async () => {
    const attempt = (secret: string) =>
      app.inject({
        method: 'POST',
        url: '/token',
        headers: {
          authorization: basic('1234', secret),
          'content-type': 'application/x-www-form-urlencoded',
        },
        payload:
          'grant_type=authorization_code&code=x&redirect_uri=http%3A%2F%2Flocalhost%3A5003%2Fcallback&code_verifier=x',
      });
    expect((await attempt('wrong-1')).statusCode).toBe(401);
    expect((await attempt('wrong-2')).statusCode).toBe(401);
    const limited = await attempt('qwerty');
    expect(limited.statusCode).toBe(429);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(limited.headers['content-type']).toMatch(/^application\/json/);
    expect(limited.json()).toEqual({
      error: 'too_many_requests',
      error_description: 'too many requests; retry later',
    });
  });
});
