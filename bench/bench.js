#!/usr/bin/env node
// npm run bench [-- --duration 10 --json results.json --quick --soak --floor --no-build]
//
// Builds, starts the three apps (and a second resource server in local-JWKS mode) as processes on
// free ports with production settings (LOG_LEVEL=info, logs to /dev/null through a pipe reader),
// drives them with autocannon, stops them, and prints a table: requests/s, p50, p99, non-2xx and
// errors per scenario and connection count, CPU microseconds per request for each service (from
// /proc/<pid>/stat), and each service's peak RSS. Only loopback addresses are used.
'use strict';
const { spawn, spawnSync } = require('node:child_process');
const { createHash, randomBytes } = require('node:crypto');
const { readFileSync, writeFileSync } = require('node:fs');
const net = require('node:net');
const { join } = require('node:path');
const autocannon = require('autocannon');

const ROOT = join(__dirname, '..');
const args = process.argv.slice(2);
const option = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i === -1 ? fallback : args[i + 1];
};
const DURATION = Number(option('duration', args.includes('--quick') ? 3 : 10));
const CONNECTIONS = (option('connections', '1,16,64')).split(',').map(Number);
const JSON_OUT = option('json', undefined);
const TICKS = 100; // /proc clock ticks per second (USER_HZ)

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

function cpuTicks(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return Number(fields[11]) + Number(fields[12]); // utime + stime
}

function peakRssMb(pid) {
  const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match ? Number(match[1]) / 1024 : NaN;
}

function rssMb(pid) {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match ? Number(match[1]) / 1024 : NaN;
}

async function startApp(name, app, env) {
  // The same V8 flags as the containers and `npm start`.
  const child = spawn(process.execPath, ['--max-semi-space-size=16', join(ROOT, 'dist', 'apps', app, 'main.js')], {
    cwd: ROOT,
    env: { ...process.env, LOG_LEVEL: 'info', APP_ENV: 'production', ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  // The logs are read (a pipe, as under a container runtime) and dropped.
  child.stdout.on('data', () => {});
  const port = env.AUTH_PORT ?? env.RESOURCE_PORT ?? env.WEBAPP_PORT;
  for (let i = 0; i < 100; i++) {
    try {
      const res = await fetch(`http://127.0.0.1:${port}/healthz`);
      if (res.ok) return { name, child, pid: child.pid, url: `http://127.0.0.1:${port}` };
    } catch {
      // not up yet
    }
    await sleep(100);
  }
  throw new Error(`${name} did not start`);
}

async function startStack() {
  const [authPort, resourcePort, jwksPort, webappPort] = await Promise.all([freePort(), freePort(), freePort(), freePort()]);
  const issuer = `http://127.0.0.1:${authPort}`;
  const audience = `http://127.0.0.1:${resourcePort}`;
  const auth = await startApp('auth', 'auth', { AUTH_PORT: String(authPort), ISSUER: issuer, AUDIENCE: audience });
  const shared = { ISSUER: issuer, AUDIENCE: audience, AUTH_URL: issuer };
  const resource = await startApp('resource', 'resource', { ...shared, RESOURCE_PORT: String(resourcePort) });
  const jwks = await startApp('resource-jwks', 'resource', { ...shared, RESOURCE_PORT: String(jwksPort), TOKEN_VALIDATION: 'jwks' });
  const webapp = await startApp('webapp', 'webapp', {
    ...shared,
    WEBAPP_PORT: String(webappPort),
    RESOURCE_URL: audience,
  });
  return { auth, resource, jwks, webapp, issuer };
}

const BASIC_CLIENT = `Basic ${Buffer.from('1234:qwerty').toString('base64')}`;
const BASIC_RESOURCE = `Basic ${Buffer.from('resource-server:resource-secret').toString('base64')}`;
const REDIRECT_URI = 'http://localhost:5003/callback';

/** One authorization code (and its verifier) from the authorization server. */
async function freshCode(authUrl, scope = 'current_time') {
  const verifier = randomBytes(32).toString('base64url');
  const challenge = createHash('sha256').update(verifier).digest('base64url');
  const query = new URLSearchParams({
    response_type: 'code', client_id: '1234', redirect_uri: REDIRECT_URI, scope, state: 's',
    code_challenge: challenge, code_challenge_method: 'S256',
  });
  const res = await fetch(`${authUrl}/authorize?${query}`, {
    redirect: 'manual',
    headers: { authorization: `Basic ${Buffer.from('bench:pw').toString('base64')}` },
  });
  const code = new URL(res.headers.get('location')).searchParams.get('code');
  return { code, verifier };
}

async function freshToken(authUrl) {
  const { code, verifier } = await freshCode(authUrl);
  const res = await fetch(`${authUrl}/token`, {
    method: 'POST',
    headers: { authorization: BASIC_CLIENT, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: REDIRECT_URI, code_verifier: verifier }),
  });
  return (await res.json()).access_token;
}

/** Keeps a live token at hand: tokens live 5 s, so a new one is fetched every 2 s. */
function tokenKeeper(authUrl) {
  const keeper = { token: undefined, timer: undefined };
  keeper.refresh = async () => {
    keeper.token = await freshToken(authUrl);
  };
  keeper.start = async () => {
    await keeper.refresh();
    keeper.timer = setInterval(() => void keeper.refresh(), 2000);
  };
  keeper.stop = () => clearInterval(keeper.timer);
  return keeper;
}

function run(options) {
  const settings = { duration: DURATION, ...options };
  // A run with a fixed number of requests (one per prepared code) has no duration.
  if (settings.amount !== undefined) delete settings.duration;
  return new Promise((resolve, reject) => {
    autocannon(settings, (err, result) => (err ? reject(err) : resolve(result)));
  });
}

async function measure(stack, label, connections, options) {
  const services = [stack.auth, stack.resource, stack.jwks, stack.webapp];
  const before = services.map((s) => cpuTicks(s.pid));
  const result = await run({ connections, ...options });
  const after = services.map((s) => cpuTicks(s.pid));
  const count = result.requests.total || 1;
  const cpu = {};
  services.forEach((s, i) => {
    const us = ((after[i] - before[i]) / TICKS) * 1e6 / count;
    if (us > 0.5) cpu[s.name] = Math.round(us);
  });
  const row = {
    scenario: label,
    connections,
    rate: Math.round(result.requests.average),
    p50: result.latency.p50,
    p99: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
    requests: result.requests.total,
    cpu_us_per_request: cpu,
  };
  console.error(`  ${label} c=${connections}: ${row.rate}/s p50 ${row.p50} ms p99 ${row.p99} ms non-2xx ${row.non2xx} errors ${row.errors}`);
  return row;
}

async function main() {
  if (!args.includes('--no-build')) {
    const build = spawnSync('npm', ['run', '--silent', 'build'], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
    if (build.status !== 0) throw new Error('build failed');
  }
  const stack = await startStack();
  const rows = [];
  const keeper = tokenKeeper(stack.auth.url);
  try {
    console.error(`warming up (${DURATION} s)`);
    await run({ url: `${stack.webapp.url}/current_time`, connections: 16, duration: Math.min(DURATION, 5) });

    for (const c of CONNECTIONS) {
      rows.push(await measure(stack, 'end-to-end GET /current_time (webapp)', c, { url: `${stack.webapp.url}/current_time` }));
    }

    // Token endpoint: codes are prepared before the clock starts; each is redeemed once.
    for (const c of CONNECTIONS) {
      const needed = Math.ceil(DURATION * 5000);
      const codes = [];
      while (codes.length < needed) {
        codes.push(...(await Promise.all(Array.from({ length: 64 }, () => freshCode(stack.auth.url)))));
      }
      let next = 0;
      rows.push(
        await measure(stack, 'POST /token (authorization_code)', c, {
          url: `${stack.auth.url}/token`,
          amount: codes.length,
          requests: [{
            method: 'POST',
            setupRequest: (request) => {
              const { code, verifier } = codes[next++ % codes.length];
              return {
                ...request,
                headers: { authorization: BASIC_CLIENT, 'content-type': 'application/x-www-form-urlencoded' },
                body: `grant_type=authorization_code&code=${code}&redirect_uri=${encodeURIComponent(REDIRECT_URI)}&code_verifier=${verifier}`,
              };
            },
          }],
        }),
      );
    }

    await keeper.start();
    for (const c of CONNECTIONS) {
      rows.push(
        await measure(stack, 'POST /introspect', c, {
          url: `${stack.auth.url}/introspect`,
          requests: [{
            method: 'POST',
            setupRequest: (request) => ({
              ...request,
              headers: { authorization: BASIC_RESOURCE, 'content-type': 'application/x-www-form-urlencoded' },
              body: `token=${keeper.token}`,
            }),
          }],
        }),
      );
    }
    for (const c of CONNECTIONS) {
      rows.push(
        await measure(stack, 'GET /current_time (resource, local JWKS)', c, {
          url: `${stack.jwks.url}/current_time`,
          requests: [{ method: 'GET', setupRequest: (request) => ({ ...request, headers: { authorization: `Bearer ${keeper.token}` } }) }],
        }),
      );
    }
    if (args.includes('--soak')) {
      // Memory under sustained load: RSS after 30 s and after a further 60 s at 64 connections.
      for (const seconds of [30, 60]) {
        const row = await measure(stack, `soak ${seconds} s end-to-end`, 64, { url: `${stack.webapp.url}/current_time`, duration: seconds });
        row.rss_mb = Object.fromEntries(
          [stack.auth, stack.resource, stack.webapp].map((s) => [s.name, Math.round(rssMb(s.pid))]),
        );
        console.error(`  RSS after ${seconds} s: ${JSON.stringify(row.rss_mb)}`);
        rows.push(row);
      }
    }
  } finally {
    keeper.stop();
    const services = [stack.auth, stack.resource, stack.jwks, stack.webapp];
    var memory = services.map((s) => ({ service: s.name, rss_mb: Math.round(rssMb(s.pid)), peak_rss_mb: Math.round(peakRssMb(s.pid)) }));
    for (const s of services) s.child.kill('SIGTERM');
    await Promise.all(services.map((s) => new Promise((resolve) => s.child.on('exit', resolve))));
  }

  const floor = args.includes('--floor') ? runFloor() : undefined;
  printTable(rows, memory, floor);
  if (JSON_OUT) {
    writeFileSync(JSON_OUT, JSON.stringify({ machine: machine(), duration_s: DURATION, rows, memory, floor }, null, 2));
    console.log(`\nwritten to ${JSON_OUT}`);
  }
  const bad = rows.filter((r) => r.non2xx > 0 || r.errors > 0);
  if (bad.length > 0) {
    console.error(`\n${bad.length} scenario(s) had non-2xx answers or errors`);
    process.exitCode = 1;
  }
}

/** The five-exchange floor (bench/floor.js) on this machine, for the ratio. */
function runFloor() {
  const out = spawnSync(process.execPath, [join(__dirname, 'floor.js'), '--duration', String(DURATION), '--connections', '16'], { encoding: 'utf8' });
  const match = /floor: (\d+) flows\/s/.exec(out.stdout ?? '');
  return match ? { text: out.stdout.trim(), rate: Number(match[1]) } : undefined;
}

function machine() {
  const cpus = require('node:os').cpus();
  return { cpus: cpus.length, model: cpus[0]?.model, node: process.version, memory_gb: Math.round(require('node:os').totalmem() / 2 ** 30) };
}

function printTable(rows, memory, floor) {
  const m = machine();
  console.log(`\n${m.cpus} x ${m.model}, Node ${m.node}, ${DURATION} s per run\n`);
  console.log('| scenario | conns | req/s | p50 ms | p99 ms | non-2xx | errors | CPU µs per request |');
  console.log('|---|---:|---:|---:|---:|---:|---:|---|');
  for (const r of rows) {
    const cpu = Object.entries(r.cpu_us_per_request).map(([k, v]) => `${k} ${v}`).join(', ');
    console.log(`| ${r.scenario} | ${r.connections} | ${r.rate} | ${r.p50} | ${r.p99} | ${r.non2xx} | ${r.errors} | ${cpu} |`);
  }
  if (floor) {
    const e2e = rows.find((r) => r.scenario.startsWith('end-to-end') && r.connections === 16);
    console.log(`\n${floor.text}`);
    if (e2e) console.log(`end-to-end at 16 connections: ${e2e.rate} flows/s = ${Math.round((100 * e2e.rate) / floor.rate)} % of the floor`);
  }
  for (const r of rows.filter((row) => row.rss_mb)) console.log(`RSS after ${r.scenario}: ${JSON.stringify(r.rss_mb)}`);
  console.log('\n| service | RSS MB at end | peak RSS MB |');
  console.log('|---|---:|---:|');
  for (const s of memory) console.log(`| ${s.service} | ${s.rss_mb} | ${s.peak_rss_mb} |`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
