import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { TOKEN_SIGNER } from '../src/signing/token-signer.port';
import { createAuthApp } from './support/auth-app';
import { OAuthClient } from './support/oauth-client';

/** A stand-in for Sentry: records every envelope posted to it. */
async function fakeSentry(): Promise<{
  server: Server;
  port: number;
  envelopes: { url: string; auth: string; body: string }[];
}> {
  const envelopes: { url: string; auth: string; body: string }[] = [];
  const server = createServer((req: IncomingMessage, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      envelopes.push({ url: req.url ?? '', auth: String(req.headers['x-sentry-auth']), body });
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as AddressInfo).port, envelopes };
}

describe('error reporting to Sentry (SENTRY_DSN)', () => {
  let sentry: Awaited<ReturnType<typeof fakeSentry>>;
  let app: NestFastifyApplication;

  beforeAll(async () => {
    sentry = await fakeSentry();
    app = await createAuthApp({
      config: { sentryDsn: `http://publickey@127.0.0.1:${sentry.port}/42` },
      overrides: [
        {
          token: TOKEN_SIGNER,
          value: {
            sign: () => {
              throw new Error(
                'signer exploded holding qwerty and eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJhIn0.c2ln',
              );
            },
          },
        },
      ],
    });
  });

  afterAll(async () => {
    await app.close();
    await new Promise((resolve) => sentry.server.close(resolve));
  });

  it('sends an unexpected server error with the request id, and no secret, code or token', async () => {
    const client = new OAuthClient(app);
    const { code, verifier } = await client.authorize();
    const response = await app.inject({
      method: 'POST',
      url: '/token',
      headers: {
        authorization: `Basic ${Buffer.from('1234:qwerty').toString('base64')}`,
        'content-type': 'application/x-www-form-urlencoded',
        'x-request-id': 'sentry-req-7',
      },
      payload: new URLSearchParams({
        grant_type: 'authorization_code',
        code,
        redirect_uri: 'http://localhost:5003/callback',
        code_verifier: verifier,
      }).toString(),
    });
    expect(response.statusCode).toBe(500);
    expect(response.json()).toEqual({
      error: 'server_error',
      error_description: 'the server met an unexpected condition',
    });

    for (let i = 0; i < 50 && sentry.envelopes.length === 0; i++)
      await new Promise((r) => setTimeout(r, 20));
    expect(sentry.envelopes).toHaveLength(1);
    const [envelope] = sentry.envelopes;
    expect(envelope?.url).toBe('/api/42/envelope/');
    expect(envelope?.auth).toContain('sentry_key=publickey');
    const [header, item, event] = (envelope?.body ?? '')
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, any>) as [
      Record<string, any>,
      Record<string, any>,
      Record<string, any>,
    ];
    expect(item).toEqual({ type: 'event' });
    expect(header.event_id).toBe(event.event_id);
    expect(event.tags).toEqual({ service: 'auth', request_id: 'sentry-req-7' });
    expect(event.request).toEqual({ method: 'POST', url: '/token' });
    expect(event.exception.values[0].type).toBe('Error');
    expect(event.exception.values[0].value).toBe(
      'signer exploded holding [redacted] and [redacted]',
    );
    for (const secret of ['qwerty', code, verifier, 'eyJ'])
      expect(envelope?.body).not.toContain(secret);
  });
});
