import type { ServerResponse } from 'node:http';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { ISSUER, testConfig } from './support/fakes';
import {
  LocalServer,
  type ReceivedRequest,
  closedPort,
  sendJson,
} from '../../../libs/common/test/local-server';
import { createWebappApp } from './support/webapp-app';

type Handler = (request: ReceivedRequest, response: ServerResponse) => void;

/** An authorization server that grants every request, as the contract describes it. */
const grantingAs: Handler = (request, response) => {
  const url = new URL(request.url, 'http://as');
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

  it('runs the whole flow and forwards X-Request-ID to every call', async () => {
    const webapp = await start();
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
    const calls = [...as.requests, ...rs.requests];
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
    const webapp = await start();
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

  it('passes on the resource server refusing the token as 401 JSON', async () => {
    rsHandler = (_request, response) =>
      sendJson(response, 401, { error: 'invalid_token', error_description: 'revoked' });
    const webapp = await start();
    const response = await webapp.inject({ method: 'GET', url: '/current_time' });
    expect(response.statusCode).toBe(401);
    expect(response.headers['www-authenticate']).toBe('Basic realm="webapp", charset="UTF-8"');
    expect(response.json()).toEqual({
      error: 'invalid_token',
      error_description: 'the resource server refused: revoked',
    });
  });

  describe('GET /readyz', () => {
    it('answers 200 when both upstreams answer /healthz', async () => {
      const webapp = await start();
      const response = await webapp.inject({ method: 'GET', url: '/readyz' });
      expect(response.statusCode).toBe(200);
      expect(response.json()).toEqual({
        status: 'ready',
        checks: { authorization: 'up', resource: 'up' },
      });
    });

    it('answers 503 naming the upstream that does not answer', async () => {
      const webapp = await start({ resourceUrl: `http://127.0.0.1:${await closedPort()}` });
      const response = await webapp.inject({ method: 'GET', url: '/readyz' });
      expect(response.statusCode).toBe(503);
      expect(response.json()).toEqual({
        status: 'not_ready',
        checks: { authorization: 'up', resource: 'down' },
      });
    });
  });
});
