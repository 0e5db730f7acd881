/* eslint-disable @typescript-eslint/no-floating-promises -- node:test registers suites synchronously; the runner awaits them */
/**
 * The user's view (CONTRACT.md "The user's view: the webapp"): what `curl` against the webapp
 * sees, and what the three services log for it.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { assertJsonError, basic, call, jsonBody, type Reply } from './support/http.ts';
import { remember } from './support/secrets.ts';
import { APP_NAMES, NEEDS_LOGS, PASSWORD, Stack } from './support/stack.ts';

/** ISO 8601 in UTC with an explicit offset, as the webapp promises: 2026-01-02T03:04:05+00:00. */
const ISO_UTC_WITH_OFFSET = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?\+00:00$/;

describe('webapp, as curl sees it', () => {
  let stack: Stack;

  before(async () => {
    stack = await Stack.start('webapp');
  });

  after(async () => {
    await stack?.stop();
  });

  function get(path: string, headers: Record<string, string> = {}): Promise<Reply> {
    return call(`${stack.webappUrl}${path}`, { headers });
  }

  it('GET /current_time without credentials answers for the default user', async () => {
    const reply = await get('/current_time');
    assert.equal(reply.status, 200, reply.text);
    assert.match(reply.headers.get('content-type') ?? '', /^application\/json\b/);
    const body = jsonBody(reply);
    assert.deepEqual(Object.keys(body).sort(), ['current_time', 'user']);
    assert.equal(body.user, 'demo');
    assert.match(String(body.current_time), ISO_UTC_WITH_OFFSET);
    assert.ok(
      Math.abs(Date.parse(String(body.current_time)) - Date.now()) < 3000,
      `${String(body.current_time)} is not now`,
    );
    assert.match(reply.headers.get('x-request-id') ?? '', /^\S+$/);
  });

  it('GET /current_time with Basic alice:x answers for alice', async () => {
    const reply = await get('/current_time', { authorization: basic('alice', 'x') });
    assert.equal(reply.status, 200, reply.text);
    const body = jsonBody(reply);
    assert.equal(body.user, 'alice');
    assert.match(String(body.current_time), ISO_UTC_WITH_OFFSET);
  });

  it('GET /epoch_time answers integer seconds within 2 s of now', async () => {
    const reply = await get('/epoch_time', {
      authorization: basic('bob', remember('password', PASSWORD)),
    });
    assert.equal(reply.status, 200, reply.text);
    assert.match(reply.headers.get('content-type') ?? '', /^application\/json\b/);
    const body = jsonBody(reply);
    assert.deepEqual(Object.keys(body).sort(), ['epoch_time', 'user']);
    assert.equal(body.user, 'bob');
    assert.ok(
      Number.isInteger(body.epoch_time),
      `epoch_time ${String(body.epoch_time)} is no integer`,
    );
    assert.ok(
      Math.abs((body.epoch_time as number) - Date.now() / 1000) <= 2,
      `epoch_time ${String(body.epoch_time)} is not now`,
    );
  });

  it('a Basic login with an empty username is refused with 401 JSON', async () => {
    const reply = await get('/current_time', { authorization: basic('', 'x') });
    assertJsonError(reply, 401, 'unauthorized');
    assert.match(reply.headers.get('www-authenticate') ?? '', /^Basic /);
  });

  it('each call runs a whole flow and gets a new token', { skip: NEEDS_LOGS }, async () => {
    const ids = ['e2e-new-token-1', 'e2e-new-token-2', 'e2e-new-token-3'];
    const jtis: unknown[] = [];
    for (const id of ids) {
      const reply = await get(id.endsWith('2') ? '/epoch_time' : '/current_time', {
        'x-request-id': id,
      });
      assert.equal(reply.status, 200, reply.text);
      const issued = await stack.waitForLogs(
        'auth',
        (e) => e.request_id === id && e.event === 'token_issued',
      );
      assert.equal(issued.length, 1, `token_issued lines for ${id}`);
      const granted = await stack.waitForLogs(
        'resource',
        (e) => e.request_id === id && e.event === 'access_granted',
      );
      assert.equal(granted.length, 1, `access_granted lines for ${id}`);
      // The resource server was called with the token issued in this very call.
      assert.equal(granted[0]!.jti, issued[0]!.jti);
      jtis.push(issued[0]!.jti);
    }
    assert.equal(new Set(jtis).size, ids.length, `jtis ${jtis.join(', ')}`);
  });

  it('keeps an inbound X-Request-ID and echoes it', async () => {
    const reply = await get('/current_time', { 'x-request-id': 'e2e-req-42' });
    assert.equal(reply.status, 200, reply.text);
    assert.equal(reply.headers.get('x-request-id'), 'e2e-req-42');
  });

  it(
    'forwards the X-Request-ID to every service, which logs it',
    { skip: NEEDS_LOGS },
    async () => {
      for (const app of APP_NAMES) {
        const lines = await stack.waitForLogs(
          app,
          // The request's one line carries its outcome (`req`, `res`) whatever its event name.
          (e) => e.request_id === 'e2e-req-42' && e.req !== undefined,
        );
        assert.ok(lines.length >= 1, `${app} logged no request with request_id e2e-req-42`);
      }
    },
  );

  it('replaces an X-Request-ID that is not of sane form', async () => {
    const insane = 'bad id <script>';
    const reply = await get('/current_time', { 'x-request-id': insane });
    assert.equal(reply.status, 200, reply.text);
    const echoed = reply.headers.get('x-request-id') ?? '';
    assert.notEqual(echoed, insane);
    assert.match(echoed, /^[A-Za-z0-9._:@/+=-]+$/);
  });

  it('an unknown path is 404 JSON', async () => {
    const reply = await get('/nope');
    assertJsonError(reply, 404, 'not_found');
    assert.ok(reply.headers.get('x-request-id'));
  });

  it('a wrong method is 405 JSON naming the allowed ones', async () => {
    const reply = await call(`${stack.webappUrl}/current_time`, { method: 'POST' });
    assertJsonError(reply, 405, 'method_not_allowed');
    assert.match(reply.headers.get('allow') ?? '', /\bGET\b/);
    const del = await call(`${stack.webappUrl}/epoch_time`, { method: 'DELETE' });
    assertJsonError(del, 405, 'method_not_allowed');
  });

  it('no error is ever an HTML page', async () => {
    for (const path of ['/index.html', '/callback', '/current_time/', '/CURRENT_TIME', '/%E0%A4%A']) {
      const reply = await get(path);
      assert.ok(reply.status >= 400 && reply.status < 500, `${path} answered ${reply.status}`);
      jsonBody(reply);
      assert.doesNotMatch(reply.text, /<html/i);
    }
  });
});
