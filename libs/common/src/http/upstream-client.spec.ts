import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { IsInt, IsString } from 'class-validator';
import { Metrics } from '../metrics/metrics';
import { UpstreamError } from '../upstream/upstream.errors';
import { UpstreamClient, parseReply } from './upstream-client';

interface Received {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

/** A tiny local server that records requests and answers with whatever `handle` is now. */
class LocalServer {
  readonly requests: Received[] = [];
  handle: (request: Received, response: ServerResponse) => void = (_request, response) =>
    response.end();
  private readonly server: Server;

  constructor() {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const received = {
          method: req.method ?? '',
          url: req.url ?? '',
          headers: req.headers,
          body: Buffer.concat(chunks).toString('utf8'),
        };
        this.requests.push(received);
        this.handle(received, res);
      });
    });
  }

  async listen(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function failureOf(promise: Promise<unknown>): Promise<UpstreamError> {
  let caught: unknown;
  try {
    await promise;
  } catch (err) {
    caught = err;
  }
  expect(caught).toBeInstanceOf(UpstreamError);
  return caught as UpstreamError;
}

/** The sample lines of one metric, in Prometheus' text format. */
async function samplesOf(metrics: Metrics, name: string): Promise<string[]> {
  const text = await metrics.render();
  return text.split('\n').filter((line) => line.startsWith(`${name}{`));
}

describe('UpstreamClient', () => {
  let server: LocalServer;
  let baseUrl: string;
  let client: UpstreamClient;

  beforeAll(async () => {
    server = new LocalServer();
    baseUrl = await server.listen();
    client = new UpstreamClient({
      name: 'auth',
      baseUrl,
      timeoutMs: 200,
      maxResponseBytes: 1024,
      metrics: new Metrics('test'),
    });
  });

  afterAll(async () => {
    await client.close();
    await server.close();
  });

  beforeEach(() => {
    server.requests.length = 0;
  });

  it('sends a form with the request id and reads the JSON answer', async () => {
    server.handle = (_request, response) => {
      response.writeHead(201, { 'content-type': 'application/json', 'x-extra': 'yes' });
      response.end('{"ok":true,"n":[1,2]}');
    };
    const answer = await client.send({
      method: 'POST',
      path: '/token?x=1',
      headers: { authorization: 'Basic abc' },
      form: { grant_type: 'authorization_code', note: 'a b&c' },
      requestId: 'rid-1',
    });
    expect(answer.status).toBe(201);
    expect(answer.json).toEqual({ ok: true, n: [1, 2] });
    expect(answer.headers['x-extra']).toBe('yes');
    const [request] = server.requests;
    expect(request?.method).toBe('POST');
    expect(request?.url).toBe('/token?x=1');
    expect(request?.headers).toMatchObject({
      accept: 'application/json',
      authorization: 'Basic abc',
      'content-type': 'application/x-www-form-urlencoded',
      'x-request-id': 'rid-1',
    });
    expect(request?.body).toBe('grant_type=authorization_code&note=a+b%26c');
  });

  it('sends no body and no request id when it has none', async () => {
    server.handle = (_request, response) => response.end();
    const answer = await client.send({ method: 'GET', path: '/healthz' });
    expect(answer).toMatchObject({ status: 200, json: undefined });
    expect(server.requests[0]?.headers['x-request-id']).toBeUndefined();
    expect(server.requests[0]?.headers['content-type']).toBeUndefined();
    expect(server.requests[0]?.body).toBe('');
  });

  it('answers json undefined for a body that is not JSON', async () => {
    server.handle = (_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end('<html>garbage</html>');
    };
    await expect(client.send({ method: 'GET', path: '/' })).resolves.toMatchObject({
      status: 200,
      json: undefined,
    });
  });

  it('reads an error status as an answer, not as a failure', async () => {
    server.handle = (_request, response) => {
      response.writeHead(500);
      response.end('{"error":"server_error"}');
    };
    await expect(client.send({ method: 'GET', path: '/' })).resolves.toMatchObject({
      status: 500,
      json: { error: 'server_error' },
    });
  });

  it.each([
    ['with a Content-Length', true],
    ['chunked', false],
  ])(
    'refuses an answer larger than maxResponseBytes (%s) as bad_response',
    async (_case, sized) => {
      const big = JSON.stringify({ pad: 'x'.repeat(4096) });
      server.handle = (_request, response) => {
        if (sized) response.writeHead(200, { 'content-length': Buffer.byteLength(big) });
        response.end(big);
      };
      expect((await failureOf(client.send({ method: 'GET', path: '/' }))).failure).toBe(
        'bad_response',
      );
    },
  );

  it('times out within about timeoutMs on a server that never answers', async () => {
    server.handle = () => undefined;
    const started = Date.now();
    const err = await failureOf(client.send({ method: 'GET', path: '/slow' }));
    const elapsed = Date.now() - started;
    expect(err.failure).toBe('timeout');
    expect(err.upstream).toBe('auth');
    expect(elapsed).toBeGreaterThanOrEqual(150);
    expect(elapsed).toBeLessThan(1000);
  });

  it('times out on a server that sends headers and then stalls the body', async () => {
    server.handle = (_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.write('{"a":');
    };
    const started = Date.now();
    expect((await failureOf(client.send({ method: 'GET', path: '/stall' }))).failure).toBe(
      'timeout',
    );
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('honours a caller signal: a timeout reason is a timeout', async () => {
    server.handle = () => undefined;
    const err = await failureOf(
      client.send({ method: 'GET', path: '/', signal: AbortSignal.timeout(50) }),
    );
    expect(err.failure).toBe('timeout');
  });

  it('honours a caller signal: any other abort is unavailable', async () => {
    server.handle = () => undefined;
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 20);
    const err = await failureOf(
      client.send({ method: 'GET', path: '/', signal: controller.signal }),
    );
    expect(err.failure).toBe('unavailable');
  });

  it('reports a server that resets the connection as unavailable', async () => {
    server.handle = (_request, response) => response.socket?.destroy();
    expect((await failureOf(client.send({ method: 'GET', path: '/' }))).failure).toBe(
      'unavailable',
    );
  });

  it('reports a refused connection as unavailable', async () => {
    const down = new UpstreamClient({
      name: 'resource',
      baseUrl: `http://127.0.0.1:${await closedPort()}`,
      timeoutMs: 200,
      metrics: new Metrics('test'),
    });
    try {
      const err = await failureOf(down.send({ method: 'GET', path: '/' }));
      expect(err.failure).toBe('unavailable');
      expect(err.upstream).toBe('resource');
      expect(err.message).toBe('resource: unavailable: ECONNREFUSED');
      await expect(down.answers('/healthz')).resolves.toBe(false);
    } finally {
      await down.close();
    }
  });

  it('answers() tells whether the path answers 200', async () => {
    server.handle = (request, response) => {
      response.writeHead(request.url === '/healthz' ? 200 : 503);
      response.end();
    };
    await expect(client.answers('/healthz')).resolves.toBe(true);
    await expect(client.answers('/readyz')).resolves.toBe(false);
  });

  it('counts every call by target and outcome: the status, or the failure', async () => {
    const own = new Metrics('test');
    const counted = new UpstreamClient({
      name: 'resource',
      baseUrl,
      timeoutMs: 200,
      metrics: own,
    });
    try {
      server.handle = (request, response) => {
        if (request.url === '/hang') return;
        response.writeHead(request.url === '/missing' ? 404 : 200);
        response.end();
      };
      await counted.send({ method: 'GET', path: '/ok' });
      await counted.send({ method: 'GET', path: '/ok' });
      await counted.send({ method: 'GET', path: '/missing' });
      await failureOf(counted.send({ method: 'GET', path: '/hang' }));
      expect(await samplesOf(own, 'upstream_requests_total')).toEqual([
        'upstream_requests_total{target="resource",outcome="200",service="test"} 2',
        'upstream_requests_total{target="resource",outcome="404",service="test"} 1',
        'upstream_requests_total{target="resource",outcome="timeout",service="test"} 1',
      ]);
      expect(await samplesOf(own, 'upstream_request_duration_seconds_count')).toEqual([
        'upstream_request_duration_seconds_count{service="test",target="resource",outcome="200"} 2',
        'upstream_request_duration_seconds_count{service="test",target="resource",outcome="404"} 1',
        'upstream_request_duration_seconds_count{service="test",target="resource",outcome="timeout"} 1',
      ]);
    } finally {
      await counted.close();
    }
  });
});

class Pair {
  @IsString() name!: string;
  @IsInt() count!: number;
}

describe('parseReply', () => {
  it("turns a valid answer into a plain object of the DTO's properties, and nothing else", () => {
    const reply = parseReply('auth', Pair, { name: 'a', count: 2, extra: 'dropped' });
    expect(reply).toStrictEqual({ name: 'a', count: 2 });
  });

  it.each([
    ['undefined', undefined],
    ['null', null],
    ['an array', [{ name: 'a', count: 2 }]],
    ['a string', 'text'],
  ])('refuses %s as not a JSON object', (_case, json) => {
    let caught: unknown;
    try {
      parseReply('auth', Pair, json);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(UpstreamError);
    expect(caught).toMatchObject({
      failure: 'bad_response',
      detail: 'answer is not a JSON object',
    });
  });

  it('names the first field that is not valid', () => {
    expect(() => parseReply('auth', Pair, { name: 'a', count: '2' })).toThrow(
      'auth: bad_response: field count is not valid',
    );
  });
});
