import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { flushErrorReports } from '@app/common/http';
import { TOKEN_SIGNER } from '../src/signing/token-signer.port';
import { createAuthApp } from './support/auth-app';
import { OAuthClient } from './support/oauth-client';

interface Envelope {
  path: string;
  query: URLSearchParams;
  header: Record<string, any>;
  items: { header: Record<string, any>; payload: Record<string, any> }[];
  raw: string;
}

/** A stand-in for Sentry's ingest: decodes every envelope the SDK posts to it. */
async function fakeSentry(): Promise<{ server: Server; port: number; envelopes: Envelope[] }> {
  const envelopes: Envelope[] = [];
  const server = createServer((req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      let body = Buffer.concat(chunks);
      if (req.headers['content-encoding'] === 'gzip') body = gunzipSync(body);
      const raw = body.toString('utf8');
      // An envelope: its header, then for each item an item header and a payload, one per line.
      const [header, ...rest] = raw.split('\n').filter((line) => line.length > 0);
      const items = [];
      for (let i = 0; i + 1 < rest.length; i += 2) {
        items.push({ header: JSON.parse(rest[i]!), payload: JSON.parse(rest[i + 1]!) });
      }
      const url = new URL(req.url ?? '/', 'http://sentry');
      envelopes.push({
        path: url.pathname,
        query: url.searchParams,
        header: JSON.parse(header ?? '{}'),
        items,
        raw,
      });
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as AddressInfo).port, envelopes };
}

/** Flushes the SDK, then waits (5 s at most) until `count` envelopes have arrived. */
async function received(count: number): Promise<void> {
  await flushErrorReports(5000);
  for (let i = 0; i < 100 && sentry.envelopes.length < count; i++) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const EXPLOSION = 'signer exploded holding qwerty and eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJhIn0.c2ln';

/** The authorization server reporting to `sentry`, with a token signer that always throws. */
function explodingAuthApp(port: number, config: Record<string, string>) {
  return createAuthApp({
    config: { sentryDsn: `http://publickey@127.0.0.1:${port}/42`, ...config },
    overrides: [
      {
        token: TOKEN_SIGNER,
        value: {
          sign: () => {
            throw new Error(EXPLOSION, { cause: new Error('inner cause near resource-secret') });
          },
        },
      },
    ],
  });
}

async function postToken(app: NestFastifyApplication, requestId: string) {
  const { code, verifier } = await new OAuthClient(app).authorize();
  const response = await app.inject({
    method: 'POST',
    url: '/token?code=' + code,
    headers: {
      authorization: `Basic ${Buffer.from('1234:qwerty').toString('base64')}`,
      'content-type': 'application/x-www-form-urlencoded',
      cookie: `session=${verifier}`,
      'x-request-id': requestId,
    },
    payload: new URLSearchParams({
      grant_type: 'authorization_code',
      code,
      redirect_uri: 'http://localhost:5003/callback',
      code_verifier: verifier,
    }).toString(),
  });
  return { response, code, verifier };
}

let sentry: Awaited<ReturnType<typeof fakeSentry>>;

beforeAll(async () => {
  sentry = await fakeSentry();
});

afterAll(async () => {
  await new Promise((resolve) => sentry.server.close(resolve));
});

afterEach(() => {
  sentry.envelopes.length = 0;
});

describe('error reporting to Sentry (SENTRY_DSN), through @sentry/node', () => {
  let app: NestFastifyApplication;

  beforeAll(async () => {
    app = await explodingAuthApp(sentry.port, {
      sentryRelease: 'auth@test-1',
      environment: 'testing',
    });
  });

  afterAll(async () => {
    await app.close();
  });

  it('sends an unexpected server error with the request id, and no secret, code or token', async () => {
    const { response, code, verifier } = await postToken(app, 'sentry-req-7');
    expect(response.statusCode).toBe(500);
    expect(response.json()).toEqual({
      error: 'server_error',
      error_description: 'the server met an unexpected condition',
    });

    await received(1);
    expect(sentry.envelopes).toHaveLength(1);
    const [envelope] = sentry.envelopes as [Envelope];
    expect(envelope.path).toBe('/api/42/envelope/');
    expect(envelope.query.get('sentry_key')).toBe('publickey');
    expect(envelope.items.map((item) => item.header.type)).toEqual(['event']);
    const event = envelope.items[0]!.payload;
    expect(envelope.header.event_id).toBe(event.event_id);

    expect(event.tags).toEqual({ service: 'auth', request_id: 'sentry-req-7' });
    expect(event.request).toEqual({ method: 'POST', url: '/token' });
    expect(event.release).toBe('auth@test-1');
    expect(event.environment).toBe('testing');
    expect(event.level).toBe('error');
    expect(event.user).toBeUndefined();
    expect(event.breadcrumbs).toBeUndefined();
    // The error and its cause (linkedErrors), outermost last, both scrubbed.
    const values = event.exception.values as { type: string; value: string; stacktrace: any }[];
    expect(values.map(({ type, value }) => ({ type, value }))).toEqual([
      { type: 'Error', value: 'inner cause near [redacted]' },
      { type: 'Error', value: 'signer exploded holding [redacted] and [redacted]' },
    ]);
    // The frames name the TypeScript source; the innermost is the throw in this file.
    const frames = values[1]!.stacktrace.frames as { filename: string; function?: string }[];
    expect(frames.at(-1)?.filename).toMatch(/error-reporting\.spec\.ts$/);
    expect(frames.every((frame) => !('vars' in frame) && !('context_line' in frame))).toBe(true);

    for (const secret of ['qwerty', code, verifier, 'eyJ', 'session=', 'authorization']) {
      expect(envelope.raw).not.toContain(secret);
    }
  });
});

describe('error reporting without SENTRY_RELEASE', () => {
  it('files errors under the package name and version', async () => {
    const other = await explodingAuthApp(sentry.port, {});
    try {
      const { response } = await postToken(other, 'sentry-req-8');
      expect(response.statusCode).toBe(500);
      await received(1);
      const events = sentry.envelopes.flatMap((envelope) => envelope.items.map((i) => i.payload));
      expect(
        events.map((event) => [event.tags.request_id, event.release, event.environment]),
      ).toEqual([['sentry-req-8', 'oauth2-time-stack@0.1.0', 'production']]);
    } finally {
      await other.close();
    }
  });
});
