#!/usr/bin/env node
// node bench/tracing-cost.js [--duration 8] [--rounds 3] [--connections 16]
//
// What tracing costs: GET /current_time through the webapp (the whole flow, four hops) with
// tracing off, on at 100 % and on at 10 % (parentbased_traceidratio), and off without
// --enable-source-maps for reference. The configurations are interleaved, round after round, each
// on a fresh stack that is warmed up first, so that drift of the machine spreads over all of them.
// Spans go to an OTLP/HTTP sink in its own process that reads and drops them. Prints requests/s,
// p50 and p99 latency, and CPU microseconds per call for each service, as medians over rounds.
// Uses the built dist/ (npm run build first). Only loopback addresses are used.
'use strict';
const { spawn } = require('node:child_process');
const { join } = require('node:path');
const { RUNTIME_FLAGS } = require('../scripts/runtime-flags');
const { TICKS, sleep, freePort, cpuTicks } = require('./lib/processes');
const autocannon = require('autocannon');

const ROOT = join(__dirname, '..');
const args = process.argv.slice(2);
const option = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i === -1 ? fallback : Number(args[i + 1]);
};
const DURATION = option('duration', 8);
const ROUNDS = option('rounds', 3);
const CONNECTIONS = option('connections', 16);

const CONFIGS = [
  { name: 'off', env: {} },
  { name: 'on, 100 %', env: { OTEL_TRACES_SAMPLER: 'parentbased_always_on' } },
  {
    name: 'on, 10 %',
    env: { OTEL_TRACES_SAMPLER: 'parentbased_traceidratio', OTEL_TRACES_SAMPLER_ARG: '0.1' },
  },
  { name: 'off, no source maps', env: {}, flags: [] },
];


async function waitHealthy(url) {
  for (let i = 0; i < 150; i++) {
    try {
      if ((await fetch(`${url}/healthz`)).ok) return;
    } catch {
      // not up yet
    }
    await sleep(100);
  }
  throw new Error(`${url} did not start`);
}

/** An OTLP/HTTP receiver that reads every export and drops it, in a process of its own. */
async function startSink() {
  const port = await freePort();
  const child = spawn(
    process.execPath,
    [
      '-e',
      `require('node:http').createServer((q, s) => { q.resume(); q.on('end', () => s.writeHead(200, { 'content-type': 'application/json' }).end('{}')); }).listen(${port}, '127.0.0.1');`,
    ],
    { stdio: 'ignore' },
  );
  await sleep(300);
  return { url: `http://127.0.0.1:${port}`, child };
}

async function startStack(config, sinkUrl) {
  const [authPort, resourcePort, webappPort] = await Promise.all([freePort(), freePort(), freePort()]);
  const issuer = `http://127.0.0.1:${authPort}`;
  const audience = `http://127.0.0.1:${resourcePort}`;
  const tracing = config.name.startsWith('on')
    ? { OTEL_EXPORTER_OTLP_ENDPOINT: sinkUrl, OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json', ...config.env }
    : {};
  const common = {
    PATH: process.env.PATH,
    HOST: '127.0.0.1',
    LOG_LEVEL: 'info',
    APP_ENV: 'production',
    CONFIG_FILE: join(ROOT, 'no-such-config.json'),
    ISSUER: issuer,
    AUDIENCE: audience,
    AUTH_URL: issuer,
    RESOURCE_URL: audience,
    ...tracing,
  };
  const flags = config.flags ?? ['--enable-source-maps'];
  const start = (app, port) => {
    const child = spawn(
      process.execPath,
      [...RUNTIME_FLAGS, ...flags, join(ROOT, 'dist', 'apps', app, 'main.js')],
      { cwd: ROOT, env: { ...common, [`${app.toUpperCase()}_PORT`]: String(port) }, stdio: ['ignore', 'pipe', 'inherit'] },
    );
    child.stdout.on('data', () => {}); // read and dropped, as a container runtime reads them
    return { app, child, url: `http://127.0.0.1:${port}` };
  };
  const services = [start('auth', authPort), start('resource', resourcePort), start('webapp', webappPort)];
  for (const s of services) await waitHealthy(s.url);
  return services;
}

function run(url, duration) {
  return new Promise((resolve, reject) => {
    autocannon({ url, connections: CONNECTIONS, duration }, (err, result) => (err ? reject(err) : resolve(result)));
  });
}

async function measure(config, sinkUrl) {
  const services = await startStack(config, sinkUrl);
  try {
    const url = `${services[2].url}/current_time`;
    await run(url, 3); // warm-up
    const before = services.map((s) => cpuTicks(s.child.pid));
    const result = await run(url, DURATION);
    const after = services.map((s) => cpuTicks(s.child.pid));
    const count = result.requests.total || 1;
    const cpu = Object.fromEntries(
      services.map((s, i) => [s.app, Math.round((((after[i] - before[i]) / TICKS) * 1e6) / count)]),
    );
    return {
      rate: result.requests.average,
      p50: result.latency.p50,
      p99: result.latency.p99,
      failed: result.non2xx + result.errors + result.timeouts,
      cpu,
    };
  } finally {
    await Promise.all(
      services.map(
        (s) =>
          new Promise((resolve) => {
            s.child.once('exit', resolve);
            s.child.kill('SIGTERM');
          }),
      ),
    );
  }
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
};

async function main() {
  const sink = await startSink();
  const results = new Map(CONFIGS.map((c) => [c.name, []]));
  try {
    for (let round = 0; round < ROUNDS; round++) {
      // Rotate the order each round, so that no configuration always runs first or last.
      const order = CONFIGS.map((_, i) => CONFIGS[(i + round) % CONFIGS.length]);
      for (const config of order) {
        const row = await measure(config, sink.url);
        results.get(config.name).push(row);
        console.error(
          `round ${round + 1} ${config.name}: ${Math.round(row.rate)}/s p50 ${row.p50} ms p99 ${row.p99} ms failed ${row.failed} cpu ${JSON.stringify(row.cpu)}`,
        );
      }
    }
  } finally {
    sink.child.kill('SIGTERM');
  }
  console.log(`\nGET /current_time via the webapp, ${CONNECTIONS} connections, ${DURATION} s, median of ${ROUNDS} rounds\n`);
  console.log('| tracing | req/s | p50 ms | p99 ms | CPU µs/call auth | resource | webapp | failed |');
  console.log('|---|---|---|---|---|---|---|---|');
  for (const [name, rows] of results) {
    const cpu = (app) => median(rows.map((r) => r.cpu[app]));
    console.log(
      `| ${name} | ${Math.round(median(rows.map((r) => r.rate)))} | ${median(rows.map((r) => r.p50))} | ${median(rows.map((r) => r.p99))} | ${cpu('auth')} | ${cpu('resource')} | ${cpu('webapp')} | ${rows.reduce((n, r) => n + r.failed, 0)} |`,
    );
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
