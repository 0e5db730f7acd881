import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..', '..', '..');

interface Probe {
  started: boolean;
  /** Packages under node_modules/@opentelemetry that the process loaded. */
  otel: string[];
  inside: { fields: unknown; traceId: string; spanId: string } | null;
  outside: unknown;
  lines: unknown[];
}

/**
 * Runs tracing.ts in a fresh Node process (Jest's module registry is not Node's: only a process
 * of its own shows what `require` really loaded), with exactly `env`, and reports what it did.
 */
function probe(env: Record<string, string>): Probe {
  const script = `
    const lines = [];
    const write = process.stdout.write.bind(process.stdout);
    process.stdout.write = (chunk) => (lines.push(JSON.parse(String(chunk))), true);
    const tracing = require('./libs/common/src/observability/tracing.ts');
    const started = tracing.startTracing('probe');
    let inside = null;
    if (started) {
      const api = require('@opentelemetry/api');
      inside = api.trace.getTracer('probe').startActiveSpan('work', (span) => {
        const context = span.spanContext();
        const result = { fields: tracing.currentTraceFields() ?? null, traceId: context.traceId, spanId: context.spanId };
        span.end();
        return result;
      });
    }
    const otel = [...new Set(Object.keys(require.cache)
      .map((file) => /node_modules\\/@opentelemetry\\/([^/]+)\\//.exec(file)?.[1])
      .filter((name) => name !== undefined))].sort();
    write(JSON.stringify({ started, otel, inside, outside: tracing.currentTraceFields() ?? null, lines }));
    process.exit(0);
  `;
  const result = spawnSync(
    process.execPath,
    ['-r', 'ts-node/register/transpile-only', '-e', script],
    {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...env },
      encoding: 'utf8',
      timeout: 20_000,
    },
  );
  if (result.status !== 0) throw new Error(`probe failed: ${result.stderr}`);
  return JSON.parse(result.stdout) as Probe;
}

/** Nothing listens there; no span is ended long enough before the exit to be exported. */
const ENDPOINT = { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:9' };

describe('startTracing', () => {
  jest.setTimeout(30_000);

  it('without an OTLP endpoint returns at once and loads no OpenTelemetry module', () => {
    expect(probe({ OTEL_SERVICE_NAME: 'x', OTEL_TRACES_SAMPLER: 'always_on' })).toEqual({
      started: false,
      otel: [],
      inside: null,
      outside: null,
      lines: [],
    });
  });

  it('with OTEL_SDK_DISABLED=true stays off too', () => {
    expect(probe({ ...ENDPOINT, OTEL_SDK_DISABLED: 'true' })).toMatchObject({
      started: false,
      otel: [],
    });
  });

  it('with an endpoint starts, and currentTraceFields names the active span', () => {
    const result = probe(ENDPOINT);
    expect(result.started).toBe(true);
    expect(result.otel).toEqual(
      expect.arrayContaining([
        'api',
        'sdk-trace',
        'exporter-trace-otlp-http',
        'instrumentation-http',
        'instrumentation-undici',
      ]),
    );
    expect(result.inside?.traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(result.inside?.fields).toEqual({
      trace_id: result.inside?.traceId,
      span_id: result.inside?.spanId,
    });
    expect(result.outside).toBeNull();
    expect(result.lines).toEqual([]);
  });

  it('gives no ids for a span that is not sampled', () => {
    const result = probe({ ...ENDPOINT, OTEL_TRACES_SAMPLER: 'always_off' });
    expect(result.started).toBe(true);
    expect(result.inside?.fields).toBeNull();
  });

  it('logs, as a JSON line, a setting it cannot honour', () => {
    const result = probe({ ...ENDPOINT, OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' });
    expect(result.started).toBe(true);
    expect(result.lines).toEqual([
      {
        level: 'warn',
        time: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) as unknown,
        service: 'probe',
        event: 'tracing_setting_ignored',
        message: 'OTEL_EXPORTER_OTLP_PROTOCOL: grpc is not supported; traces are sent as http/json',
      },
    ]);
  });
});
