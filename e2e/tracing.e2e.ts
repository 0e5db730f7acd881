/* eslint-disable @typescript-eslint/no-floating-promises -- node:test registers suites synchronously; the runner awaits them */
/**
 * Tracing (OTEL_EXPORTER_OTLP_ENDPOINT): the three services export to a stand-in collector, and
 * one `/current_time` call is one trace: the webapp's server span is the root, each outbound call
 * a client span under it, and each hop's server span a child of its caller's client span,
 * including the resource server's introspection call to the authorization server. No attribute
 * carries a secret, a password, a token, a code or a query string. Also, in the built bundle:
 * tracing starts before Fastify loads, a stopped service sends what it still had queued, and a
 * service without an OTLP endpoint loads no OpenTelemetry module at all.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { basic, call } from './support/http.ts';
import {
  type ReceivedSpan,
  SPAN_KIND,
  startOtlpReceiver,
  type OtlpReceiver,
} from './support/otlp-receiver.ts';
import type { LoadedModule } from './support/module-probe.ts';
import { remember } from './support/secrets.ts';
import {
  type AppName,
  CLIENT_SECRET,
  NEEDS_LOCAL_PROCESSES,
  PASSWORD,
  RESOURCE_CLIENT_SECRET,
  ROOT,
  RUN_LOG_DIR,
  Stack,
} from './support/stack.ts';

const PROBE = join(ROOT, 'e2e', 'support', 'module-probe.ts');
const JWT = /eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+/;
/** Codes, verifiers, challenges and `state` values are 43 base64url characters. */
const LONG_OPAQUE = /[A-Za-z0-9_-]{32,}/;

function modulesFile(label: string): string {
  return join(RUN_LOG_DIR, `tracing.${label}.modules.json`);
}

/** The files a probed process loaded, in load order (written when it exited). */
function modulesOf(label: string): LoadedModule[] {
  const file = modulesFile(label);
  assert.ok(existsSync(file), `${label} wrote no module list`);
  return JSON.parse(readFileSync(file, 'utf8')) as LoadedModule[];
}

const FASTIFY = /[\\/]node_modules[\\/]fastify[\\/]/;

function tracingEnv(receiver: OtlpReceiver, label: string, extra: Record<string, string> = {}) {
  return {
    OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
    OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
    OTEL_BSP_SCHEDULE_DELAY: '100',
    NODE_OPTIONS: `--import=${PROBE}`,
    MODULE_PROBE_FILE: modulesFile(label),
    ...extra,
  };
}

const ms = (span: ReceivedSpan): number => Number(span.endNs - span.startNs) / 1e6;

/** The span tree under `root`, one line per span with service, kind, name and duration. */
function renderTree(spans: ReceivedSpan[], root: ReceivedSpan): string {
  const kinds: Record<number, string> = { 1: 'internal', 2: 'server', 3: 'client' };
  const lines: string[] = [];
  const walk = (span: ReceivedSpan, depth: number): void => {
    // Client spans are named after the method alone; the path says where they went.
    const url = span.attributes['url.full'];
    const name =
      span.kind === SPAN_KIND.CLIENT && typeof url === 'string'
        ? `${span.name} ${new URL(url).pathname}`
        : span.name;
    lines.push(
      `${'  '.repeat(depth)}${span.service.padEnd(9)} ${(kinds[span.kind] ?? '?').padEnd(7)}` +
        ` ${name.padEnd(20)} ${ms(span).toFixed(2).padStart(8)} ms`,
    );
    spans
      .filter((child) => child.parentSpanId === span.spanId)
      .sort((a, b) => (a.startNs < b.startNs ? -1 : 1))
      .forEach((child) => walk(child, depth + 1));
  };
  walk(root, 0);
  return lines.join('\n');
}

describe('tracing', { skip: NEEDS_LOCAL_PROCESSES }, () => {
  let receiver: OtlpReceiver;
  let stack: Stack;
  /** The spans of the one call, once they have all arrived. */
  let trace: ReceivedSpan[] = [];

  before(async () => {
    receiver = await startOtlpReceiver();
    stack = await Stack.start('tracing', {
      env: {
        auth: tracingEnv(receiver, 'auth'),
        resource: tracingEnv(receiver, 'resource'),
        webapp: tracingEnv(receiver, 'webapp'),
      },
    });
    // The webapp's start-up discovery of the metadata is a trace of its own: let it arrive, and
    // leave it out of what the tests below look at.
    await receiver.waitFor((spans) => spans.some((span) => span.service === 'auth'));
    await new Promise((resolve) => setTimeout(resolve, 300));
    receiver.spans.splice(0);
  });

  after(async () => {
    await stack?.stop();
    await receiver?.close();
  });

  it('an inbound traceparent that says "not sampled" is followed: the call makes no span', async () => {
    // Also warms the three services up, so that the trace below shows warm durations.
    const reply = await call(`${stack.webappUrl}/current_time`, {
      headers: { traceparent: `00-${'1'.repeat(32)}-${'2'.repeat(16)}-00` },
    });
    assert.equal(reply.status, 200, reply.text);
    await new Promise((resolve) => setTimeout(resolve, 500)); // five batch delays
    assert.deepEqual(receiver.spans, []);
    assert.ok(receiver.requests.every((request) => request.status === 200));
  });

  it('one /current_time call is one trace: webapp root, client spans, each hop a child', async () => {
    const reply = await call(`${stack.webappUrl}/current_time`, {
      headers: {
        authorization: basic('tracer', remember('password', PASSWORD)),
        'x-request-id': 'e2e-tracing-1',
      },
    });
    assert.equal(reply.status, 200, reply.text);
    // 9 spans: webapp server + 3 client; auth 3 servers; resource server + introspection client.
    await receiver.waitFor((spans) => spans.length >= 9);
    await new Promise((resolve) => setTimeout(resolve, 300)); // nothing more is to come
    trace = [...receiver.spans];
    assert.equal(trace.length, 9, trace.map((s) => `${s.service} ${s.name}`).join(', '));

    const traceIds = new Set(trace.map((span) => span.traceId));
    assert.equal(traceIds.size, 1, 'all spans share one trace id');
    assert.match([...traceIds][0] ?? '', /^[0-9a-f]{32}$/);
    assert.deepEqual(
      new Set(trace.map((span) => span.service)),
      new Set(['auth', 'resource', 'webapp']),
    );

    const roots = trace.filter((span) => span.parentSpanId === '');
    assert.equal(roots.length, 1);
    const root = roots[0]!;
    assert.equal(root.service, 'webapp');
    assert.equal(root.kind, SPAN_KIND.SERVER);
    assert.equal(root.name, 'GET /current_time');
    assert.equal(root.attributes['http.route'], '/current_time');
    assert.equal(root.attributes['http.response.status_code'], 200);

    const childrenOf = (parent: ReceivedSpan): ReceivedSpan[] =>
      trace.filter((span) => span.parentSpanId === parent.spanId);
    /** The client span under `parent` to `path`, and the server span it led to. */
    const hop = (parent: ReceivedSpan, method: string, path: string, target: AppName) => {
      const clients = childrenOf(parent).filter(
        (span) =>
          span.kind === SPAN_KIND.CLIENT &&
          span.attributes['http.request.method'] === method &&
          new URL(String(span.attributes['url.full'])).pathname === path,
      );
      assert.equal(clients.length, 1, `one client span ${method} ${path} under ${parent.name}`);
      const client = clients[0]!;
      assert.equal(client.service, parent.service);
      const servers = childrenOf(client);
      assert.equal(servers.length, 1, `one server span under the client span ${method} ${path}`);
      const server = servers[0]!;
      assert.equal(server.service, target);
      assert.equal(server.kind, SPAN_KIND.SERVER);
      assert.equal(server.name, `${method} ${path}`);
      assert.equal(server.attributes['http.route'], path);
      return { client, server };
    };

    assert.equal(childrenOf(root).length, 3, 'the webapp made three calls');
    hop(root, 'GET', '/authorize', 'auth');
    hop(root, 'POST', '/token', 'auth');
    const resource = hop(root, 'GET', '/current_time', 'resource').server;
    assert.equal(childrenOf(resource).length, 1, 'the resource server made one call');
    const introspection = hop(resource, 'POST', '/introspect', 'auth').server;
    assert.equal(childrenOf(introspection).length, 0);

    // Each child starts after its parent; within one process it also ends before it (across
    // processes the server span ends when its socket has been written, just after the client
    // span ended on reading the answer).
    for (const span of trace) {
      const parent = trace.find((candidate) => candidate.spanId === span.parentSpanId);
      if (parent === undefined) continue;
      assert.ok(span.startNs >= parent.startNs, `${span.name} starts within ${parent.name}`);
      if (span.service === parent.service) {
        assert.ok(span.endNs <= parent.endNs, `${span.name} ends within ${parent.name}`);
      }
    }
    console.log(`\n${renderTree(trace, root)}\n`);
  });

  it('no attribute carries a secret, password, token, code, state or query string', () => {
    assert.ok(trace.length > 0, 'the trace was received');
    const secrets = [CLIENT_SECRET, RESOURCE_CLIENT_SECRET, PASSWORD];
    for (const span of trace) {
      const values = [
        ...Object.entries(span.attributes),
        ...span.events.flatMap((event) => Object.entries(event.attributes)),
        ...Object.entries(span.resource),
      ];
      assert.equal(span.attributes['url.query'], undefined, `${span.name}: url.query`);
      for (const [key, value] of values) {
        const text = JSON.stringify(value) ?? '';
        const where = `${span.service} ${span.name} ${key}=${text}`;
        for (const secret of secrets) assert.ok(!text.includes(secret), where);
        assert.doesNotMatch(text, JWT, where);
        assert.doesNotMatch(text, LONG_OPAQUE, where);
        assert.doesNotMatch(text, /[?&](code|state|code_challenge|code_verifier|iss)=/, where);
        if (key.startsWith('url.') || key.startsWith('http.'))
          assert.ok(!text.includes('?'), where);
        assert.ok(!key.startsWith('http.request.header.'), `${where}: a header was recorded`);
        assert.ok(!key.startsWith('http.response.header.'), `${where}: a header was recorded`);
      }
    }
  });

  it("each request's log line carries its trace id and its server span id", async () => {
    assert.ok(trace.length > 0, 'the trace was received');
    const traceId = trace[0]!.traceId;
    for (const app of ['auth', 'resource', 'webapp'] as const) {
      const servers = trace.filter(
        (span) => span.service === app && span.kind === SPAN_KIND.SERVER,
      );
      const lines = await stack.waitForLogs(
        app,
        (entry) => entry.request_id === 'e2e-tracing-1' && typeof entry.res === 'object',
        servers.length,
      );
      assert.equal(lines.length, servers.length, `${app}: one line per request`);
      for (const line of lines) assert.equal(line.trace_id, traceId, JSON.stringify(line));
      assert.deepEqual(
        new Set(lines.map((line) => line.span_id)),
        new Set(servers.map((span) => span.spanId)),
        app,
      );
    }
  });

  it('a stopped service first sends the spans it still had queued', async () => {
    // A batch delay far beyond the test: only the flush on SIGTERM can deliver this span.
    const webapp = await stack.startApp('webapp', {
      label: 'webapp-flush',
      env: tracingEnv(receiver, 'webapp-flush', {
        OTEL_BSP_SCHEDULE_DELAY: '600000',
        OTEL_SERVICE_NAME: 'webapp-flush',
      }),
    });
    const reply = await call(`${webapp.url}/nope`);
    assert.equal(reply.status, 404);
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal(
      receiver.spans.filter((s) => s.service === 'webapp-flush' && s.kind === SPAN_KIND.SERVER)
        .length,
      0,
    );
    assert.deepEqual(await webapp.stop(), { code: 0, signal: null });
    // Its server spans (its start-up discovery made a client span of its own).
    const flushed = receiver.spans.filter(
      (span) => span.service === 'webapp-flush' && span.kind === SPAN_KIND.SERVER,
    );
    assert.equal(flushed.length, 1);
    assert.equal(flushed[0]?.kind, SPAN_KIND.SERVER);
    assert.equal(flushed[0]?.attributes['http.response.status_code'], 404);
  });

  it('without an OTLP endpoint nothing of OpenTelemetry is loaded but the API prom-client requires', async () => {
    const webapp = await stack.startApp('webapp', {
      label: 'webapp-off',
      // startApp inherits the stack's tracing settings for webapp; an empty endpoint is unset.
      env: {
        OTEL_EXPORTER_OTLP_ENDPOINT: '',
        NODE_OPTIONS: `--import=${PROBE}`,
        MODULE_PROBE_FILE: modulesFile('webapp-off'),
      },
    });
    const reply = await call(`${webapp.url}/current_time`);
    assert.equal(reply.status, 200, reply.text);
    assert.deepEqual(await webapp.stop(), { code: 0, signal: null });
    const modules = modulesOf('webapp-off');
    assert.ok(modules.some(({ file }) => FASTIFY.test(file)));
    // prom-client (the /metrics endpoint) requires the no-op API for its exemplars, tracing or
    // not; no SDK, exporter or instrumentation is loaded, and nothing but prom-client asks.
    const otel = modules.filter(({ file }) => file.includes('/node_modules/@opentelemetry/'));
    assert.deepEqual(
      otel.filter(({ file }) => !file.includes('/node_modules/@opentelemetry/api/')),
      [],
    );
    const outside = otel.filter(({ by }) => !by?.includes('/node_modules/@opentelemetry/api/'));
    assert.deepEqual(
      outside.map(({ by }) => by?.replace(/^.*\/node_modules\//, '')),
      ['prom-client/lib/metrics/processCpuTotal.js'],
    );
    const lines = webapp.lines.filter((line) => line.includes('"request_id"'));
    assert.ok(lines.length > 0);
    for (const line of lines) assert.ok(!line.includes('trace_id'), line);
  });

  it('in the bundle, tracing is set up before Fastify (and with it http) is loaded', async () => {
    await stack.stop();
    for (const label of ['auth', 'resource', 'webapp']) {
      const modules = modulesOf(label);
      const http = modules.findIndex(({ file }) =>
        file.includes('/node_modules/@opentelemetry/instrumentation-http/'),
      );
      const fastify = modules.findIndex(({ file }) => FASTIFY.test(file));
      assert.ok(http !== -1 && fastify !== -1, label);
      assert.ok(
        http < fastify,
        `${label}: instrumentation-http loaded at ${http}, fastify at ${fastify}`,
      );
      const late = stack
        .process(label as AppName)
        .lines.filter((line) => line.includes('tracing_'));
      assert.deepEqual(late, [], `${label} logged no tracing warning`);
    }
  });
});
