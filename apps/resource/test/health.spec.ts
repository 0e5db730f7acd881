import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { testConfig } from './support/fakes';
import { LocalServer, closedPort, sendJson } from '../../../libs/common/test/local-server';
import { createResourceApp } from './support/resource-app';

describe('GET /healthz and /readyz at the resource server', () => {
  let app: NestFastifyApplication | undefined;
  let auth: LocalServer | undefined;

  afterEach(async () => {
    await app?.close();
    await auth?.close();
    app = undefined;
    auth = undefined;
  });

  it('/healthz answers 200 JSON while the process serves, whatever the AS does', async () => {
    app = await createResourceApp(
      testConfig({ authUrl: `http://127.0.0.1:${await closedPort()}`, upstreamTimeoutMs: 500 }),
    );
    const response = await app.inject({ method: 'GET', url: '/healthz' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(response.headers['cache-control']).toBe('no-store');
    expect(response.json()).toEqual({ status: 'ok' });
  });

  it('/readyz answers 503 JSON when the authorization server is unreachable', async () => {
    app = await createResourceApp(
      testConfig({ authUrl: `http://127.0.0.1:${await closedPort()}`, upstreamTimeoutMs: 500 }),
    );
    const response = await app.inject({ method: 'GET', url: '/readyz' });
    expect(response.statusCode).toBe(503);
    expect(response.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(response.json()).toEqual({ status: 'not_ready', checks: { auth: 'down' } });
  });

  it('/readyz answers 503 when the authorization server answers /healthz with an error', async () => {
    auth = await LocalServer.start((_request, response) => sendJson(response, 500, {}));
    app = await createResourceApp(testConfig({ authUrl: auth.url, upstreamTimeoutMs: 500 }));
    const response = await app.inject({ method: 'GET', url: '/readyz' });
    expect(response.statusCode).toBe(503);
    expect(response.json()).toEqual({ status: 'not_ready', checks: { auth: 'down' } });
  });

  it('/readyz answers 200 JSON when the authorization server answers /healthz', async () => {
    auth = await LocalServer.start((request, response) =>
      request.url === '/healthz'
        ? sendJson(response, 200, { status: 'ok' })
        : sendJson(response, 404, {}),
    );
    app = await createResourceApp(testConfig({ authUrl: auth.url, upstreamTimeoutMs: 500 }));
    const response = await app.inject({ method: 'GET', url: '/readyz' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['cache-control']).toBe('no-store');
    expect(response.json()).toEqual({ status: 'ready', checks: { auth: 'up' } });
    expect(auth.requests.map((request) => `${request.method} ${request.url}`)).toEqual([
      'GET /healthz',
    ]);
  });
});
