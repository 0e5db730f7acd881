/* eslint-disable @typescript-eslint/no-floating-promises -- node:test registers suites synchronously; the runner awaits them */
/**
 * When an upstream is down, slow or answers nonsense (CONTRACT.md "The user's view"): the webapp
 * answers within its UPSTREAM_TIMEOUT_MS with JSON 503 (unreachable), 504 (timed out) or 502
 * (bad answer), recovers without a restart, and no process crashes.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  answer,
  startFakeHttp,
  startHangingServer,
  type FakeHandler,
  type FakeServer,
} from './support/fakes.ts';
import { assertJsonError, call, jsonBody, type Reply } from './support/http.ts';
import { callResource, obtainToken } from './support/oauth.ts';
import { remember } from './support/secrets.ts';
import { NEEDS_LOCAL_PROCESSES, Stack, type ServiceProcess } from './support/stack.ts';

/** The default stack's webapp timeout, set explicitly so that the bound below is known. */
const WEBAPP_TIMEOUT_MS = 2000;
/** The timeout of the webapps and resource servers pointed at misbehaving upstreams. */
const SHORT_TIMEOUT_MS = 500;
/** What answering "within the timeout" may take beyond it: the reply itself and a busy machine. */
const SLACK_MS = 400;

/** RFC 8414: where the webapp discovers the authorization server's endpoints. */
const METADATA = '/.well-known/oauth-authorization-server';

/** A metadata document that names the real endpoints under `issuer`. */
function metadataOf(issuer: string): string {
  return JSON.stringify({
    issuer,
    authorization_endpoint: `${issuer}/authorize`,
    token_endpoint: `${issuer}/token`,
  });
}

describe('faults', { skip: NEEDS_LOCAL_PROCESSES }, () => {
  let stack: Stack;
  const fakes: FakeServer[] = [];

  before(async () => {
    stack = await Stack.start('faults');
    // The stack's webapp with a known timeout, on the same port the stack advertises.
    const webapp = stack.process('webapp');
    webapp.env.UPSTREAM_TIMEOUT_MS = String(WEBAPP_TIMEOUT_MS);
    await webapp.restart();
  });

  after(async () => {
    await Promise.all(fakes.map((f) => f.close()));
    await stack?.stop();
  });

  function webappTime(base = stack.webappUrl, path = '/current_time'): Promise<Reply> {
    return call(`${base}${path}`);
  }

  /** Every process that should run still runs: none crashed along the way. */
  function assertNoCrash(): void {
    for (const p of stack.processes) {
      assert.deepEqual(p.unexpectedExits, [], `${p.label} exited unexpectedly`);
    }
  }

  async function expectReply(
    reply: Reply,
    status: number,
    error: string,
    withinMs: number,
  ): Promise<void> {
    assertJsonError(reply, status, error);
    assert.ok(
      reply.ms < withinMs,
      `answered after ${Math.round(reply.ms)} ms, more than ${withinMs} ms`,
    );
    assert.ok(reply.headers.get('x-request-id'));
  }

  /** GET /readyz: 200 only when every dependency answers, 503 otherwise; JSON either way. */
  async function expectReadiness(
    base: string,
    status: number,
    checks: Record<string, string>,
  ): Promise<void> {
    const reply = await call(`${base}/readyz`);
    assert.equal(reply.status, status, reply.text);
    const body = jsonBody(reply);
    assert.deepEqual(body.checks, checks);
    // Liveness does not depend on anyone.
    assert.equal((await call(`${base}/healthz`)).status, 200);
  }

  it('resource server stopped: webapp 503 within its timeout, and back to 200 once it restarts', async () => {
    const webapp = stack.process('webapp');
    const resource = stack.process('resource');
    const pid = webapp.pid;
    assert.equal((await webappTime()).status, 200);
    // A graceful stop: SIGTERM ends the process with exit code 0.
    assert.deepEqual(await resource.stop(), { code: 0, signal: null });
    await expectReadiness(stack.webappUrl, 503, {
      authorization: 'up',
      resource: 'down',
      metadata: 'up',
    });
    await expectReply(await webappTime(), 503, 'service_unavailable', WEBAPP_TIMEOUT_MS);
    await expectReply(
      await webappTime(stack.webappUrl, '/epoch_time'),
      503,
      'service_unavailable',
      WEBAPP_TIMEOUT_MS,
    );
    await resource.start();
    await expectReadiness(stack.webappUrl, 200, {
      authorization: 'up',
      resource: 'up',
      metadata: 'up',
    });
    const reply = await webappTime();
    assert.equal(reply.status, 200, reply.text);
    assert.equal(jsonBody(reply).user, 'demo');
    assert.equal(webapp.pid, pid, 'the webapp was restarted');
    assert.ok(webapp.running);
    assertNoCrash();
  });

  it('auth server stopped: webapp 503; resource server 503 temporarily_unavailable; both recover', async () => {
    const auth = stack.process('auth');
    const { token } = await obtainToken(stack, 'current_time');
    assert.equal((await callResource(stack.resourceUrl, 'current_time', token)).status, 200);
    assert.deepEqual(await auth.stop(), { code: 0, signal: null });
    await expectReadiness(stack.resourceUrl, 503, { auth: 'down' });
    await expectReply(await webappTime(), 503, 'service_unavailable', WEBAPP_TIMEOUT_MS);
    // With introspection the resource server cannot tell a good token from a bad one while the
    // authorization server is away, so it must neither admit nor refuse: 503
    // temporarily_unavailable, not 401 (which would tell the client to get a new token).
    const reply = await callResource(stack.resourceUrl, 'current_time', token);
    assertJsonError(reply, 503, 'temporarily_unavailable');
    await auth.start();
    await expectReadiness(stack.resourceUrl, 200, { auth: 'up' });
    const back = await webappTime();
    assert.equal(back.status, 200, back.text);
    const fresh = await obtainToken(stack, 'epoch_time');
    assert.equal((await callResource(stack.resourceUrl, 'epoch_time', fresh.token)).status, 200);
    assertNoCrash();
  });

  it('a refusal by the authorization or resource server reaches the user as 401, never 500', async () => {
    const badSecret = await stack.startApp('webapp', {
      label: 'webapp-wrong-secret',
      env: { CLIENT_SECRET: 'not-the-secret' },
    });
    const refusedByAuth = await webappTime(badSecret.url);
    assertJsonError(refusedByAuth, 401, 'invalid_client');
    const picky = await stack.startApp('resource', {
      label: 'resource-other-clients',
      env: { ALLOWED_CLIENT_IDS: 'someone-else' },
    });
    const webapp = await stack.startApp('webapp', {
      label: 'webapp-refused-by-resource',
      env: { RESOURCE_URL: picky.url },
    });
    const refusedByResource = await webappTime(webapp.url);
    assertJsonError(refusedByResource, 401, 'invalid_token');
    assertNoCrash();
  });

  describe('an upstream that accepts the connection and never answers', () => {
    let hang: FakeServer;
    before(async () => {
      hang = await startHangingServer();
      fakes.push(hang);
    });

    it('in place of the resource server: webapp 504 within its UPSTREAM_TIMEOUT_MS', async () => {
      const webapp = await stack.startApp('webapp', {
        label: 'webapp-hanging-resource',
        env: { RESOURCE_URL: hang.url, UPSTREAM_TIMEOUT_MS: String(SHORT_TIMEOUT_MS) },
      });
      const before = hang.connections;
      const reply = await webappTime(webapp.url);
      await expectReply(reply, 504, 'gateway_timeout', SHORT_TIMEOUT_MS + SLACK_MS);
      assert.ok(
        reply.ms >= SHORT_TIMEOUT_MS - 50,
        `gave up after ${Math.round(reply.ms)} ms, before the timeout`,
      );
      assert.ok(hang.connections > before, 'the webapp never reached the hanging upstream');
      // Still serving afterwards.
      await expectReply(
        await webappTime(webapp.url, '/epoch_time'),
        504,
        'gateway_timeout',
        SHORT_TIMEOUT_MS + SLACK_MS,
      );
      assertNoCrash();
    });

    it('in place of the authorization server: webapp 504 within its UPSTREAM_TIMEOUT_MS', async () => {
      const webapp = await stack.startApp('webapp', {
        label: 'webapp-hanging-auth',
        env: { AUTH_URL: hang.url, UPSTREAM_TIMEOUT_MS: String(SHORT_TIMEOUT_MS) },
      });
      await expectReply(
        await webappTime(webapp.url),
        504,
        'gateway_timeout',
        SHORT_TIMEOUT_MS + SLACK_MS,
      );
      assertNoCrash();
    });

    it('in place of the authorization server: resource server 504 gateway_timeout', async () => {
      const resource = await stack.startApp('resource', {
        label: 'resource-hanging-auth',
        env: { AUTH_URL: hang.url, UPSTREAM_TIMEOUT_MS: String(SHORT_TIMEOUT_MS) },
      });
      const { token } = await obtainToken(stack, 'current_time');
      await expectReply(
        await callResource(resource.url, 'current_time', token),
        504,
        'gateway_timeout',
        SHORT_TIMEOUT_MS + SLACK_MS,
      );
      assertNoCrash();
    });
  });

  describe('an upstream that answers nonsense: 502', () => {
    let fakeResource: FakeServer & { handler: FakeHandler };
    let webapp: ServiceProcess;

    before(async () => {
      fakeResource = await startFakeHttp(answer(200, '{}'));
      fakes.push(fakeResource);
      webapp = await stack.startApp('webapp', {
        label: 'webapp-fake-resource',
        env: { RESOURCE_URL: fakeResource.url, UPSTREAM_TIMEOUT_MS: '1000' },
      });
    });

    const nonsense: [string, FakeHandler][] = [
      ['an HTML page with 200', answer(200, '<html><body>hello</body></html>', 'text/html')],
      ['truncated JSON', answer(200, '{"current_time": "2026-')],
      ['JSON of the wrong shape', answer(200, JSON.stringify({ time: 'now', who: 'demo' }))],
      [
        'JSON with the wrong types',
        answer(200, JSON.stringify({ current_time: 12, user: 'demo' })),
      ],
      ['a JSON array', answer(200, '[]')],
      [
        '500 with a JSON error',
        answer(500, JSON.stringify({ error: 'server_error', error_description: 'boom' })),
      ],
      ['500 with an HTML page', answer(500, '<html>Internal Server Error</html>', 'text/html')],
      [
        'the time of another user',
        answer(200, JSON.stringify({ current_time: '2026-01-01T00:00:00+00:00', user: 'mallory' })),
      ],
      ['a redirect', answer(302, '', 'text/plain')],
    ];
    for (const [name, handler] of nonsense) {
      it(`from the resource server: ${name}`, async () => {
        fakeResource.handler = handler;
        const seen = fakeResource.requests.length;
        await expectReply(await webappTime(webapp.url), 502, 'bad_gateway', 1000 + SLACK_MS);
        const request = fakeResource.requests[seen];
        assert.ok(request !== undefined, 'the webapp never called the fake resource server');
        assert.equal(request.url, '/current_time');
        const authorization = String(request.headers.authorization ?? '');
        // Bearer, or DPoP (the webapp's default) with its proof.
        assert.match(authorization, /^(Bearer|DPoP) \S+$/);
        // A whole, genuine access token: the log check proves it never reached a log.
        remember('access_token', authorization.slice(authorization.indexOf(' ') + 1));
        assert.ok(webapp.running);
      });
    }

    it('from the authorization server: nonsense at /authorize, or a redirect with the wrong iss or state', async () => {
      let mode = 'html';
      const fakeAuth = await startFakeHttp((request, response) => {
        const url = new URL(request.url ?? '/', 'http://fake');
        // Its metadata is sound, so that the webapp gets as far as the authorization request.
        if (url.pathname === METADATA)
          return answer(200, metadataOf(stack.issuer))(request, response);
        if (url.pathname !== '/authorize') return answer(500, '{}')(request, response);
        const back = new URL(url.searchParams.get('redirect_uri') ?? 'http://nowhere/');
        const state = url.searchParams.get('state') ?? '';
        switch (mode) {
          case 'html':
            return answer(200, '<html>login page</html>', 'text/html')(request, response);
          case '500':
            return answer(500, JSON.stringify({ error: 'server_error' }))(request, response);
          case 'wrong-iss':
            // RFC 9207: a mix-up attacker's redirect names another issuer.
            back.search = new URLSearchParams({
              code: 'attacker-code',
              state,
              iss: 'http://evil.example',
            }).toString();
            break;
          case 'wrong-state':
            back.search = new URLSearchParams({
              code: 'attacker-code',
              state: 'forged',
              iss: stack.issuer,
            }).toString();
            break;
          case 'foreign-location':
            back.href = `http://evil.example/callback?code=x&state=${state}&iss=${encodeURIComponent(stack.issuer)}`;
            break;
        }
        response.writeHead(302, { location: back.href });
        response.end();
      });
      fakes.push(fakeAuth);
      const webappFakeAuth = await stack.startApp('webapp', {
        label: 'webapp-fake-auth',
        env: { AUTH_URL: fakeAuth.url, UPSTREAM_TIMEOUT_MS: '1000' },
      });
      for (const m of ['html', '500', 'wrong-iss', 'wrong-state', 'foreign-location']) {
        mode = m;
        await expectReply(
          await webappTime(webappFakeAuth.url),
          502,
          'bad_gateway',
          1000 + SLACK_MS,
        );
      }
      // The code of a bad authorization response is never redeemed.
      assert.deepEqual(
        fakeAuth.requests
          .filter((r) => !r.url.startsWith('/authorize') && r.url !== METADATA)
          .map((r) => r.url),
        [],
      );
      assertNoCrash();
    });

    it('from the authorization server at introspection: resource server 502', async () => {
      const fakeAuth = await startFakeHttp(answer(200, '<html>not JSON</html>', 'text/html'));
      fakes.push(fakeAuth);
      const resource = await stack.startApp('resource', {
        label: 'resource-fake-auth',
        env: { AUTH_URL: fakeAuth.url, UPSTREAM_TIMEOUT_MS: '1000' },
      });
      const { token } = await obtainToken(stack, 'current_time');
      await expectReply(
        await callResource(resource.url, 'current_time', token),
        502,
        'bad_gateway',
        1000 + SLACK_MS,
      );
      fakeAuth.handler = answer(200, JSON.stringify({ active: 'yes' }));
      await expectReply(
        await callResource(resource.url, 'current_time', token),
        502,
        'bad_gateway',
        1000 + SLACK_MS,
      );
      assertNoCrash();
    });
  });

  it('no process crashed, and every one still serves', async () => {
    for (const p of stack.processes) {
      assert.equal(p.running, true, `${p.label} is not running`);
      assert.equal((await call(`${p.url}/healthz`)).status, 200, `${p.label} /healthz`);
    }
    assertNoCrash();
  });
});
