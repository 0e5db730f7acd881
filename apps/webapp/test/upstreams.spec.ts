import type { ServerResponse } from 'node:http';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { verifyDpopProof } from '@app/common';
import { AuthServerDiscovery } from '../src/clients/discovery';
import { ISSUER, testConfig } from './support/fakes';
import { METADATA_PATH, metadataOf } from './support/metadata';
import {
  LocalServer,
  type ReceivedRequest,
  closedPort,
  sendJson,
} from '../../../libs/common/test/local-server';
import { createWebappApp } from './support/webapp-app';

type Handler = (request: ReceivedRequest, response: ServerResponse) => void;

/** Waits until `condition` holds, for at most `ms`. */
async function until(condition: () => boolean, ms = 3_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`not within ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** What the authorization server publishes: its endpoints under the issuer (RFC 8414). */
let metadata: Record<string, unknown> = metadataOf(ISSUER);

/** An authorization server that grants every request, as the contract describes it. */
const grantingAs: Handler = (request, response) => {
  const url = new URL(request.url, 'http://as');
  if (request.method === 'GET' && url.pathname === METADATA_PATH) {
    sendJson(response, 200, metadata);
    return;
  }
  if (request.method === 'GET' && url.pathname === '/authorize') {
    const target = new URL(url.searchParams.get('redirect_uri') ?? '');
    target.searchParams.set('code', 'code-1');
    target.searchParams.set('state', url.searchParams.get('state') ?? '');
    target.searchParams.set('iss', ISSUER);
    response.writeHead(302, { location: target.toString() });
    response.end();
    return;
  }
  if (request.method === 'POST' && url.pathname === '/token') {
    sendJson(response, 200, {
      access_token: 'at-1',
      token_type: 'Bearer',
      expires_in: 5,
      scope: 'current_time',
    });
    return;
  }
  sendJson(response, url.pathname === '/healthz' ? 200 : 404, {});
};

const answeringRs: Handler = (request, response) => {
  if (request.url === '/current_time') {
    sendJson(response, 200, { current_time: '2026-01-02T03:04:05+00:00', user: 'alice' });
    return;
  }
  sendJson(response, request.url === '/healthz' ? 200 : 404, {});
};

/** The webapp with its real HTTP clients, against local stand-ins for the AS and the RS. */
describe('the webapp against real HTTP upstreams', () => {
  let as: LocalServer;
  let rs: LocalServer;
  let asHandler: Handler;
  let rsHandler: Handler;
  let app: NestFastifyApplication | undefined;

  beforeAll(async () => {
    as = await LocalServer.start((request, response) => asHandler(request, response));
    rs = await LocalServer.start((request, response) => rsHandler(request, response));
  });

  afterAll(async () => {
    await as.close();
    await rs.close();
  });

  beforeEach(() => {
    as.requests.length = 0;
    rs.requests.length = 0;
    asHandler = grantingAs;
    rsHandler = answeringRs;
    metadata = metadataOf(ISSUER);
  });

  afterEach(async () => {
    await app?.close();
    app = undefined;
  });

  const start = async (overrides: Parameters<typeof testConfig>[0] = {}) => {
    app = await createWebappApp(
      testConfig({ authUrl: as.url, resourceUrl: rs.url, upstreamTimeoutMs: 300, ...overrides }),
    );
    return app;
  };

  /** Starts the webapp and waits until it has discovered the authorization server. */
  const startDiscovered = async (overrides: Parameters<typeof testConfig>[0] = {}) => {
    const webapp = await start(overrides);
    const discovery = webapp.get(AuthServerDiscovery);
    await until(() => discovery.ready);
    return webapp;
  };

  /** The calls of the flow, the start-up discovery left out. */
  const flowCalls = (): ReceivedRequest[] =>
    [...as.requests, ...rs.requests].filter((call) => call.url !== METADATA_PATH);

  it('runs the whole flow and forwards X-Request-ID to every call', async () => {
    const webapp = await startDiscovered({ dpop: false });
    const response = await webapp.inject({
      method: 'GET',
      url: '/current_time',
      headers: {
        authorization: `Basic ${Buffer.from('alice:pw').toString('base64')}`,
        'x-request-id': 'flow-1',
      },
    });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ current_time: '2026-01-02T03:04:05+00:00', user: 'alice' });
    expect(response.headers['x-request-id']).toBe('flow-1');
    const calls = flowCalls();
    expect(calls.map((call) => `${call.method} ${call.url.split('?')[0]}`)).toEqual([
      'GET /authorize',
      'POST /token',
      'GET /current_time',
    ]);
    expect(calls.map((call) => call.headers['x-request-id'])).toEqual([
      'flow-1',
      'flow-1',
      'flow-1',
    ]);
    expect(rs.requests[0]?.headers.authorization).toBe('Bearer at-1');
    // The metadata was read once, at start, not by the request.
    expect(as.requests.filter((call) => call.url === METADATA_PATH)).toHaveLength(1);
  });

  it('uses the endpoints the metadata names, reached through AUTH_URL', async () => {
    metadata = metadataOf(ISSUER, {
      authorization_endpoint: `${ISSUER}/oauth/authorize`,
      token_endpoint: `${ISSUER}/oauth/token`,
    });
    asHandler = (request, response) => {
      const url = new URL(request.url, 'http://as');
      grantingAs(
        { ...request, url: url.pathname.replace(/^\/oauth\//, '/') + url.search },
        response,
      );
    };
    const webapp = await startDiscovered({ dpop: false });
    const response = await webapp.inject({
      method: 'GET',
      url: '/current_time',
      headers: { authorization: `Basic ${Buffer.from('alice:pw').toString('base64')}` },
    });
    expect(response.statusCode).toBe(200);
    expect(as.requests.map((call) => `${call.method} ${call.url.split('?')[0]}`)).toEqual([
      `GET ${METADATA_PATH}`,
      'GET /oauth/authorize',
      'POST /oauth/token',
    ]);
  });

  it('proves its DPoP key at the token endpoint and at the resource server (RFC 9449)', async () => {
    metadata = metadataOf(ISSUER, { dpop_signing_alg_values_supported: ['ES256'] });
    asHandler = (request, response) =>
      request.method === 'POST'
        ? sendJson(response, 200, {
            access_token: 'at-dpop',
            token_type: 'DPoP',
            expires_in: 5,
            scope: 'current_time',
          })
        : grantingAs(request, response);
    const webapp = await startDiscovered({ dpop: true });
    const response = await webapp.inject({
      method: 'GET',
      url: '/current_time',
      headers: { authorization: `Basic ${Buffer.from('alice:pw').toString('base64')}` },
    });
    expect(response.statusCode).toBe(200);
    const now = Math.floor(Date.now() / 1000);
    const token = as.requests.find((call) => call.method === 'POST');
    const atToken = verifyDpopProof(token?.headers.dpop as string, {
      method: 'POST',
      url: `${ISSUER}/token`,
      nowSeconds: now,
    });
    const [api] = rs.requests;
    expect(api?.headers.authorization).toBe('DPoP at-dpop');
    const atResource = verifyDpopProof(api?.headers.dpop as string, {
      method: 'GET',
      url: `${rs.url}/current_time`,
      nowSeconds: now,
      accessToken: 'at-dpop',
      jkt: atToken.jkt,
    });
    expect(atResource.jkt).toBe(atToken.jkt);
  });

  it('answers 503 JSON when the authorization server cannot be reached', async () => {
    const webapp = await start({ authUrl: `http://127.0.0.1:${await closedPort()}` });
    const response = await webapp.inject({ method: 'GET', url: '/current_time' });
    expect(response.statusCode).toBe(503);
    expect(response.json()).toEqual({
      error: 'service_unavailable',
      error_description: 'the authorization server cannot be reached',
    });
  });

  it('answers 504 JSON within the configured timeout when the resource server hangs', async () => {
    rsHandler = () => undefined;
    const webapp = await startDiscovered();
    const started = Date.now();
    const response = await webapp.inject({ method: 'GET', url: '/current_time' });
    expect(response.statusCode).toBe(504);
    expect(response.json()).toEqual({
      error: 'gateway_timeout',
      error_description: 'the resource server did not answer in time',
    });
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('answers 502 JSON when the authorization server answers an HTML page', async () => {
    asHandler = (_request, response) => {
      response.writeHead(200, { 'content-type': 'text/html' });
      response.end('<html>login</html>');
    };
    const webapp = await start();
    const response = await webapp.inject({ method: 'GET', url: '/current_time' });
    expect(response.statusCode).toBe(502);
    expect(response.json()).toEqual({
      error: 'bad_gateway',
      error_description: 'the authorization server gave an unusable answer',
    });
  });

  it('answers 503 with the Retry-After of a resource server that is overloaded', async () => {
    rsHandler = (_request, response) => {
      response.writeHead(429, { 'retry-after': '9', 'content-type': 'application/json' });
      response.end('{"error":"too_many_requests"}');
    };
    const webapp = await startDiscovered();
    const response = await webapp.inject({ method: 'GET', url: '/current_time' });
    expect(response.statusCode).toBe(503);
    expect(response.headers['retry-after']).toBe('9');
    expect(response.json()).toEqual({
      error: 'service_unavailable',
      error_description: 'the resource server cannot be reached',
    });
  });

  it('answers 503 with Retry-After 1 when the authorization server is unavailable without one', async () => {
    asHandler = (request, response) =>
      request.url.startsWith('/authorize')
        ? sendJson(response, 503, { error: 'temporarily_unavailable' })
        : grantingAs(request, response);
    const webapp = await startDiscovered();
    const response = await webapp.inject({ method: 'GET', url: '/current_time' });
    expect(response.statusCode).toBe(503);
    expect(response.headers['retry-after']).toBe('1');
    expect(response.json()).toEqual({
      error: 'service_unavailable',
      error_description: 'the authorization server cannot be reached',
    });
  });

  it('answers 502 when the metadata names another issuer, and calls no endpoint', async () => {
    metadata = metadataOf('http://elsewhere:5001');
    const webapp = await start();
    const response = await webapp.inject({ method: 'GET', url: '/current_time' });
    expect(response.statusCode).toBe(502);
    expect(response.json()).toEqual({
      error: 'bad_gateway',
      error_description: 'the authorization server gave an unusable answer',
    });
    expect(flowCalls()).toHaveLength(0);
  });

  it('passes on the resource server refusing the token as 401 JSON', async () => {
    rsHandler = (_request, response) =>
      sendJson(response, 401, { error: 'invalid_token', error_description: 'revoked' });
    const webapp = await startDiscovered();
    const response = await webapp.inject({ method: 'GET', url: '/current_time' });
    expect(response.statusCode).toBe(401);
    expect(response.headers['www-authenticate']).toBe('Basic realm="webapp", charset="UTF-8"');
    expect(response.json()).toEqual({
      error: 'invalid_token',
      error_description: 'the resource server refused: revoked',
    });
  });

  describe('GET /readyz', () => {
    it('answers 200 when both upstreams answer /healthz and the metadata is discovered', async () => {
      const webapp = await startDiscovered();
      const response = await webapp.inject({ method: 'GET', url: '/readyz' });
      expect(response.statusCode).toBe(200);
      expect(response.headers['cache-control']).toBe('no-store');
      expect(response.json()).toEqual({
        status: 'ready',
        checks: { authorization: 'up', resource: 'up', metadata: 'up' },
      });
    });

    it('answers 503 naming the upstream that does not answer', async () => {
      const webapp = await startDiscovered({
        resourceUrl: `http://127.0.0.1:${await closedPort()}`,
      });
      const response = await webapp.inject({ method: 'GET', url: '/readyz' });
      expect(response.statusCode).toBe(503);
      expect(response.json()).toEqual({
        status: 'not_ready',
        checks: { authorization: 'up', resource: 'down', metadata: 'up' },
      });
    });

    it('is not ready while the metadata is not discovered, though the server answers', async () => {
      metadata = metadataOf(ISSUER, { token_endpoint: 'http://elsewhere/token' });
      const webapp = await start();
      await until(() => as.requests.some((call) => call.url === METADATA_PATH));
      const response = await webapp.inject({ method: 'GET', url: '/readyz' });
      expect(response.statusCode).toBe(503);
      expect(response.json()).toEqual({
        status: 'not_ready',
        checks: { authorization: 'up', resource: 'up', metadata: 'down' },
      });
    });

    it('becomes ready once a retry finds the metadata of a server that came up late', async () => {
      asHandler = (request, response) =>
        request.url === METADATA_PATH
          ? sendJson(response, 503, { error: 'temporarily_unavailable' })
          : grantingAs(request, response);
      const webapp = await start();
      await until(() => as.requests.some((call) => call.url === METADATA_PATH));
      expect((await webapp.inject({ method: 'GET', url: '/readyz' })).statusCode).toBe(503);
      asHandler = grantingAs;
      await until(() => webapp.get(AuthServerDiscovery).ready);
      const response = await webapp.inject({ method: 'GET', url: '/readyz' });
      expect(response.statusCode).toBe(200);
      expect(as.requests.filter((call) => call.url === METADATA_PATH).length).toBeGreaterThan(1);
    });
  });
});
