/* eslint-disable @typescript-eslint/no-floating-promises -- node:test registers suites synchronously; the runner awaits them */
/**
 * The logs (CONTRACT.md "Logs and configuration"): one JSON object per stdout line with `event`,
 * `service`, `level` and `time`; `request_id` on every line written while serving a request; and
 * never a secret, password, code, code verifier or whole token. Runs flows of its own that put
 * secrets in every place a careless log would pick them up (headers, forms, query strings), then
 * checks its own processes' output and that of every suite that ran before it in this run.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startFakeHttp, type FakeServer } from './support/fakes.ts';
import { basic, call, jsonBody, postForm } from './support/http.ts';
import { unsigned } from './support/jwt.ts';
import {
  authorize,
  callResource,
  introspect,
  obtainCode,
  obtainToken,
  pkcePair,
  redeem,
  redirectParams,
  revoke,
} from './support/oauth.ts';
import { remember, secretsUsed, type UsedSecret } from './support/secrets.ts';
import {
  APP_NAMES,
  CLIENT_ID,
  CLIENT_SECRET,
  EXTERNAL,
  MARK,
  NEEDS_LOGS,
  PASSWORD,
  RESOURCE_CLIENT_SECRET,
  RUN_LOG_DIR,
  Stack,
  type AppName,
} from './support/stack.ts';

const LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'];

/** Secrets every deployment has, whatever the suites did. */
const FIXED_SECRETS: UsedSecret[] = [
  { kind: 'client_secret', value: CLIENT_SECRET },
  { kind: 'resource_client_secret', value: RESOURCE_CLIENT_SECRET },
  { kind: 'password', value: PASSWORD },
];

/** The stdout of one process (or, against external services, of one service). */
interface Output {
  source: string;
  app: AppName;
  lines: string[];
}

describe('logs', { skip: NEEDS_LOGS }, () => {
  let stack: Stack;
  let proxy: FakeServer | undefined;
  let outputs: Output[] = [];
  let secrets: UsedSecret[] = [];

  before(async () => {
    stack = await Stack.start('logs');
  });

  after(async () => {
    await proxy?.close();
    await stack?.stop();
  });

  it('runs flows that carry secrets in headers, forms and query strings', async () => {
    // The webapp, with a password in Basic and a chosen request id.
    const mine = await call(`${stack.webappUrl}/current_time`, {
      headers: {
        authorization: basic('log-user', remember('password', PASSWORD)),
        'x-request-id': 'e2e-logs-1',
      },
    });
    assert.equal(mine.status, 200, mine.text);
    assert.equal((await call(`${stack.webappUrl}/epoch_time`)).status, 200);
    assert.equal((await call(`${stack.webappUrl}/nope?password=${PASSWORD}`)).status, 404);
    assert.equal((await call(`${stack.webappUrl}/current_time`, { method: 'POST' })).status, 405);

    // The protocol by hand: login by Basic, client_secret_basic; introspection; revocation.
    const issued = await obtainToken(stack, 'current_time', {
      user: 'log-user',
      password: PASSWORD,
    });
    assert.equal((await callResource(stack.resourceUrl, 'current_time', issued.token)).status, 200);
    assert.equal(jsonBody(await introspect(stack, issued.token)).active, true);
    // The token in the query string, where an access log that keeps query strings would catch it.
    const other = await obtainToken(stack, 'epoch_time');
    const inQuery = await call(
      `${stack.resourceUrl}/epoch_time?access_token=${encodeURIComponent(other.token)}`,
    );
    assert.ok(inQuery.status >= 400, inQuery.text);
    assert.equal((await revoke(stack, issued.token)).status, 200);
    assert.equal((await callResource(stack.resourceUrl, 'current_time', issued.token)).status, 401);
    assert.equal(
      (
        await callResource(
          stack.resourceUrl,
          'current_time',
          remember('forged_token', unsigned({ alg: 'none', typ: 'at+jwt' }, issued.claims)),
        )
      ).status,
      401,
    );

    // Login by form on POST /authorize, client_secret_post: password and secret in bodies.
    const { verifier, challenge } = pkcePair();
    const form = await postForm(`${stack.authUrl}/authorize`, {
      response_type: 'code',
      client_id: CLIENT_ID,
      redirect_uri: stack.redirectUri,
      scope: 'epoch_time',
      state: 'form-state',
      code_challenge: challenge,
      code_challenge_method: 'S256',
      username: 'form-user',
      password: PASSWORD,
    });
    const code = redirectParams(stack, form).get('code') ?? '';
    const posted = await redeem(stack, { code, verifier, auth: 'post' });
    assert.equal(posted.status, 200, posted.text);
    remember('access_token', jsonBody(posted).access_token as string);
    // Replay, wrong verifier, wrong secrets, and a code and verifier in a query string.
    assert.equal((await redeem(stack, { code, verifier, auth: 'post' })).status, 400);
    const another = await obtainCode(stack);
    assert.equal((await redeem(stack, { ...another, clientSecret: 'qwerty-wrong' })).status, 401);
    assert.equal(
      (await redeem(stack, { ...another, auth: 'post', clientSecret: 'qwerty-wrong' })).status,
      401,
    );
    assert.equal((await redeem(stack, { ...another, verifier: pkcePair().verifier })).status, 400);
    assert.equal(
      (
        await call(
          `${stack.authUrl}/token?code=${another.code}&code_verifier=${another.verifier}&client_secret=${CLIENT_SECRET}`,
          { method: 'POST' },
        )
      ).status >= 400,
      true,
    );
    assert.equal((await authorize(stack, { scope: 'openid' })).status, 302);
    assert.equal(
      (
        await introspect(stack, other.token, {
          id: 'resource-server',
          secret: 'resource-secret-wrong',
        })
      ).status,
      401,
    );

    if (!EXTERNAL) {
      // A webapp whose resource server is reached through a recording proxy, to learn the
      // webapp's own tokens; the check below proves none of them was logged either.
      const target = stack.resourceUrl;
      proxy = await startFakeHttp((request, response) => {
        const authorization = String(request.headers.authorization ?? '');
        if (authorization.startsWith('Bearer ')) remember('access_token', authorization.slice(7));
        void fetch(`${target}${request.url ?? '/'}`, {
          headers: { authorization, 'x-request-id': String(request.headers['x-request-id'] ?? '') },
        }).then(async (answer) => {
          response.writeHead(answer.status, {
            'content-type': answer.headers.get('content-type') ?? 'text/plain',
          });
          response.end(await answer.text());
        });
      });
      const webapp = await stack.startApp('webapp', {
        label: 'webapp-via-proxy',
        // Bearer: a DPoP proof names the URL it was made for, which a proxy in between changes.
        env: { RESOURCE_URL: proxy.url, DPOP: 'false' },
      });
      const reply = await call(`${webapp.url}/epoch_time`, {
        headers: { authorization: basic('proxied', PASSWORD) },
      });
      assert.equal(reply.status, 200, reply.text);
      const jwks = await stack.startApp('resource', {
        label: 'resource-jwks',
        env: { TOKEN_VALIDATION: 'jwks' },
      });
      const forJwks = await obtainToken(stack, 'current_time');
      assert.equal((await callResource(jwks.url, 'current_time', forJwks.token)).status, 200);
      assert.equal((await callResource(jwks.url, 'epoch_time', forJwks.token)).status, 403);
    }
  });

  it('collects the output of every process of this run, stopped so that shutdown lines count', async () => {
    await stack.stop();
    secrets = [...FIXED_SECRETS, ...secretsUsed()];
    outputs = EXTERNAL
      ? APP_NAMES.map((app) => ({
          source: `${app} (E2E_LOGS_COMMAND)`,
          app,
          lines: stack.logLines(app) ?? [],
        }))
      : stack.processes.map((p) => ({
          source: `logs suite, ${p.label}`,
          app: p.app,
          lines: [...p.lines],
        }));
    // What the suites that ran before this one in the same `node --test` run sent and logged.
    for (const file of readdirSync(RUN_LOG_DIR)) {
      if (file.startsWith('logs.')) continue;
      if (file.endsWith('.secrets.json')) {
        secrets.push(
          ...(JSON.parse(readFileSync(join(RUN_LOG_DIR, file), 'utf8')) as UsedSecret[]),
        );
      } else if (file.endsWith('.log') && !EXTERNAL) {
        const label = file.split('.')[1] ?? '';
        const app = APP_NAMES.find((a) => label === a || label.startsWith(`${a}-`));
        if (app === undefined) continue;
        const lines = readFileSync(join(RUN_LOG_DIR, file), 'utf8')
          .split('\n')
          .filter((l) => l.length > 0 && !l.startsWith(MARK));
        outputs.push({ source: file, app, lines });
      }
    }
    for (const app of APP_NAMES) {
      assert.ok(
        outputs.some((o) => o.app === app && o.lines.length > 0),
        `no output of ${app}`,
      );
    }
    assert.ok(
      outputs.some((o) => o.lines.some((l) => l.includes('"e2e-logs-1"'))),
      'the flows of this suite are not in the output',
    );
  });

  it('every stdout line is a JSON object with event, service, level and time', () => {
    const problems: string[] = [];
    for (const { source, app, lines } of outputs) {
      for (const line of lines) {
        const entry = parseObject(line);
        if (entry === undefined) {
          problems.push(`${source}: not a JSON object: ${line.slice(0, 200)}`);
          continue;
        }
        if (typeof entry.event !== 'string' || entry.event.length === 0)
          problems.push(`${source}: no event: ${line.slice(0, 200)}`);
        if (entry.service !== app)
          problems.push(`${source}: service ${String(entry.service)}, expected ${app}`);
        if (!LEVELS.includes(String(entry.level)))
          problems.push(`${source}: level ${String(entry.level)}`);
        if (typeof entry.time !== 'string' || Number.isNaN(Date.parse(entry.time)))
          problems.push(`${source}: time ${String(entry.time)}`);
      }
    }
    assert.deepEqual(problems.slice(0, 20), []);
  });

  /** Work a service does on its own, outside any request: its lines carry no request_id. */
  const BACKGROUND_EVENTS = new Set([
    'metadata_discovered',
    'metadata_discovery_failed',
    'signing_key_rotated',
    'signing_key_unpublished',
    // The Redis connection lost and made again, whatever request was running.
    'store_unavailable',
    'store_ready',
  ]);

  it('every line written while serving a request carries its request_id', () => {
    const problems: string[] = [];
    let requestLines = 0;
    for (const { source, lines } of outputs) {
      // Lines before "application started" and from "shutdown started" on belong to no request.
      // A source may hold several processes one after the other (E2E_LOGS_COMMAND over the
      // replicas of a service): "starting" begins the next one.
      let serving = false;
      for (const line of lines) {
        const entry = parseObject(line);
        if (entry === undefined) continue;
        if (entry.event === 'nest_factory') serving = false;
        else if (entry.event === 'nest_application') serving = true;
        else if (entry.event === 'shutdown_started') serving = false;
        else if (
          entry.req !== undefined ||
          (serving && !BACKGROUND_EVENTS.has(String(entry.event)))
        ) {
          requestLines++;
          if (typeof entry.request_id !== 'string' || entry.request_id.length === 0) {
            problems.push(
              `${source}: ${entry.event as string} without request_id: ${line.slice(0, 200)}`,
            );
          }
        }
      }
    }
    assert.ok(requestLines > 50, `only ${requestLines} request lines`);
    assert.deepEqual(problems.slice(0, 20), []);
  });

  it('no line holds a secret, password, code, code verifier or whole token', () => {
    const kinds = new Set(secrets.map((s) => s.kind));
    for (const kind of [
      'client_secret',
      'password',
      'code',
      'code_verifier',
      'access_token',
      'forged_token',
    ]) {
      assert.ok(kinds.has(kind), `no ${kind} was collected, so its absence proves nothing`);
    }
    const leaks: string[] = [];
    for (const { source, lines } of outputs) {
      for (const line of lines) {
        for (const { kind, value } of secrets) {
          if (line.includes(value))
            leaks.push(`${source}: ${kind} ${value.slice(0, 12)}... in ${line.slice(0, 300)}`);
        }
      }
    }
    assert.deepEqual(leaks.slice(0, 20), [], `${leaks.length} leaks of ${secrets.length} secrets`);
  });
});

function parseObject(line: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(line);
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}
