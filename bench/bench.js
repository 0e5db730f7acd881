#!/usr/bin/env node
// npm run bench [-- --rounds 3 --peers --quick --duration 10 --connections 1,16,64 --warmup 15
//                   --env app:KEY=VALUE ... --variant name:app:KEY=VALUE,app:KEY=VALUE ...
//                   --redis --tracing --sentry --dpop --soak --json results.json --no-build]
//
// Builds, then starts every participant once, on free loopback ports: the floor (bench/floor.js),
// the stack (the three apps with production settings, logs read from a pipe and dropped, plus a
// second resource server in local-JWKS mode), one more stack per variant, and with --peers
// node-oidc-provider (bench/peers/oidc-provider.js). Then, round after round, in alternating
// order (forward, backward, forward...), each participant is warmed with 15 s of load that is not
// counted and then measured with autocannon:
//   floor            end-to-end flow, at each connection count
//   stack            end-to-end GET /current_time through the webapp; POST /token with codes
//                    prepared before the clock starts; POST /introspect; the resource server in
//                    local-JWKS mode; and authorize -> token -> introspect chained per virtual
//                    user with the auth process pinned to CPU 0 and autocannon to CPU 1
//   each variant     the end-to-end flow
//   oidc-provider    POST /token (client_credentials -> ES256 JWT), POST /token/introspection
// The machine is shared and drifts, so runs are compared only within one round: the final table
// gives, per comparison, the median over the rounds of the same-round ratios.
// CPU per request is read from /proc/<pid>/stat; memory from /proc/<pid>/status. The floor is
// always a participant (--floor is still accepted). --soak adds, after the rounds, RSS idle and
// after 30 s and a further 60 s at 64 connections. bench/profile.sh uses --profile <app>.
'use strict';
const { spawn, spawnSync } = require('node:child_process');
const os = require('node:os');
const { mkdirSync, writeFileSync } = require('node:fs');
const { join } = require('node:path');
const { RUNTIME_FLAGS } = require('../scripts/runtime-flags');
const { parseArgs, envFor } = require('./lib/cli');
const P = require('./lib/processes');
const L = require('./lib/load');
const peers = require('./lib/peers');
const R = require('./lib/report');
const { startFloor } = require('./floor');

const ROOT = join(__dirname, '..');
const FLOW_TARGET = 2500;

async function startApp(name, app, env, nodeFlags = []) {
  // The same V8 flags as the containers and `npm start`.
  const service = P.spawnService(name, process.execPath, [...RUNTIME_FLAGS, ...nodeFlags, join(ROOT, 'dist', 'apps', app, 'main.js')], {
    cwd: ROOT,
    env: { ...process.env, LOG_LEVEL: 'info', APP_ENV: 'production', ...env },
  });
  const port = env.AUTH_PORT ?? env.RESOURCE_PORT ?? env.WEBAPP_PORT;
  service.url = `http://127.0.0.1:${port}`;
  await P.waitHealthy(`${service.url}/healthz`, service.child, name);
  return service;
}

/**
 * The three apps (and, for the plain stack, a resource server in local-JWKS mode). `settings`
 * are app:KEY=VALUE entries, applied over the defaults here; `nodeFlags` maps an app to extra
 * node flags (the profiler's).
 */
async function startStack(name, settings, { jwks = true, nodeFlags = {} } = {}) {
  const prefix = name === 'stack' ? '' : `${name}/`;
  const [authPort, resourcePort, jwksPort, webappPort] = await Promise.all([P.freePort(), P.freePort(), P.freePort(), P.freePort()]);
  const issuer = `http://127.0.0.1:${authPort}`;
  const audience = `http://127.0.0.1:${resourcePort}`;
  const shared = { ISSUER: issuer, AUDIENCE: audience, AUTH_URL: issuer };
  const services = [];
  const start = async (svcName, app, env) => {
    const s = await startApp(`${prefix}${svcName}`, app, { ...env, ...envFor(app, settings) }, nodeFlags[app]);
    services.push(s);
    return s;
  };
  try {
    // The token scenario prepares 50,000 codes from this one address before the clock starts;
    // the per-address quota of unredeemed codes (1000 by default) exists to refuse exactly that.
    const auth = await start('auth', 'auth', { AUTH_PORT: String(authPort), ISSUER: issuer, AUDIENCE: audience, CODE_QUOTA_PER_ADDRESS: '1000000' });
    const resource = await start('resource', 'resource', { ...shared, RESOURCE_PORT: String(resourcePort) });
    const jwksServer = jwks ? await start('resource-jwks', 'resource', { ...shared, RESOURCE_PORT: String(jwksPort), TOKEN_VALIDATION: 'jwks' }) : undefined;
    // Bearer tokens unless a variant says otherwise: the floor's five exchanges carry no proof.
    const webapp = await start('webapp', 'webapp', { ...shared, WEBAPP_PORT: String(webappPort), RESOURCE_URL: audience, DPOP: 'false' });
    return { name, auth, resource, jwks: jwksServer, webapp, services };
  } catch (err) {
    await Promise.all(services.map((s) => P.stopService(s)));
    throw err;
  }
}

/** Every participant has services (for CPU and memory), a warm-up, its measured runs, and a stop. */
function stackParticipant(opts, stack, { full }) {
  const e2eUrl = `${stack.webapp.url}/current_time`;
  const meta = (round, scenario, label) => ({ round, participant: stack.name, scenario, label });
  return {
    name: stack.name,
    services: stack.services,
    // The end-to-end load warms auth, resource and webapp; the local-JWKS resource server is
    // warmed alongside it, since the flow never reaches it.
    async warm() {
      const e2e = L.run({ url: e2eUrl, connections: 16, duration: opts.warmup });
      if (!stack.jwks) return e2e;
      const keeper = L.tokenKeeper(stack.auth.url);
      await keeper.start();
      try {
        await Promise.all([e2e, L.run({ url: `${stack.jwks.url}/current_time`, connections: 4, duration: opts.warmup, requests: L.bearerRequests(keeper) })]);
      } finally {
        keeper.stop();
      }
    },
    async measure(round) {
      const rows = [];
      const label = stack.name === 'stack' ? 'end-to-end GET /current_time (webapp)' : `end-to-end GET /current_time (webapp), variant ${stack.name}`;
      const flow = [stack.auth, stack.resource, stack.webapp];
      for (const c of opts.connections) {
        rows.push(await L.measure(flow, meta(round, 'e2e', label), { url: e2eUrl, connections: c, duration: opts.duration }));
      }
      if (!full) return rows;
      const authOnly = [stack.auth];
      for (const c of opts.connections) {
        const codes = await L.prepareCodes(stack.auth.url, opts.duration * 5000);
        const clock = { last: 0 };
        rows.push(await L.measure(authOnly, meta(round, 'token', 'POST /token (authorization_code)'), {
          url: `${stack.auth.url}/token`, connections: c, amount: codes.length, requests: L.tokenRequests(codes, clock),
        }, { clock }));
      }
      const keeper = L.tokenKeeper(stack.auth.url);
      await keeper.start();
      try {
        for (const c of opts.connections) {
          rows.push(await L.measure(authOnly, meta(round, 'introspect', 'POST /introspect'), {
            url: `${stack.auth.url}/introspect`, connections: c, duration: opts.duration, requests: L.introspectRequests(keeper),
          }));
        }
        for (const c of opts.connections) {
          rows.push(await L.measure([stack.jwks], meta(round, 'jwks', 'GET /current_time (resource, local JWKS)'), {
            url: `${stack.jwks.url}/current_time`, connections: c, duration: opts.duration, requests: L.bearerRequests(keeper),
          }));
        }
      } finally {
        keeper.stop();
      }
      const pinned = await pinnedFlows(opts, stack, meta(round, 'flows', 'authorize → token → introspect, auth alone on CPU 0 (flows/s)'));
      if (pinned) rows.push(pinned);
      return rows;
    },
    stop: () => Promise.all(stack.services.map((s) => P.stopService(s))),
  };
}

/**
 * The authorization server alone on one core: the auth process is pinned to CPU 0 and this
 * process (autocannon) to CPU 1, for a short settling run and the measured one, then both get
 * their CPUs back. Complete flows per second are counted, not requests.
 */
async function pinnedFlows(opts, stack, meta) {
  if (os.cpus().length < 2 || !P.hasTaskset()) {
    console.error('  (skipping the pinned flow scenario: it needs two CPUs and taskset from util-linux)');
    return undefined;
  }
  const authCpus = P.affinity(stack.auth.pid);
  const ownCpus = P.affinity(process.pid);
  P.pin(stack.auth.pid, '0');
  P.pin(process.pid, '1');
  try {
    const url = stack.auth.url;
    await L.run({ url, connections: opts.flowConnections, duration: 3, requests: L.flowRequests({ completed: 0, failed: 0 }) });
    const counters = { completed: 0, failed: 0 };
    return await L.measure([stack.auth], meta, { url, connections: opts.flowConnections, duration: opts.duration, requests: L.flowRequests(counters) }, { flows: counters });
  } finally {
    P.pin(stack.auth.pid, authCpus);
    P.pin(process.pid, ownCpus);
  }
}

function floorParticipant(opts, floor) {
  return {
    name: 'floor',
    services: floor.services,
    warm: () => L.run({ url: floor.url, connections: 16, duration: opts.warmup }),
    async measure(round) {
      const rows = [];
      for (const c of opts.connections) {
        rows.push(await L.measure(floor.services, { round, participant: 'floor', scenario: 'e2e', label: 'floor: the same five exchanges, trivial handlers' }, { url: floor.url, connections: c, duration: opts.duration }));
      }
      return rows;
    },
    stop: () => floor.stop(),
  };
}

function oidcProviderParticipant(opts, peer) {
  const tokenRun = (extra) => ({ url: peer.url, requests: peers.peerTokenRequests(), ...extra });
  const introspectRun = async (extra) => ({ url: peer.url, requests: peers.peerIntrospectRequests(await peers.peerToken(peer.url)), ...extra });
  return {
    name: 'oidc-provider',
    services: [peer],
    async warm() {
      const half = Math.ceil(opts.warmup / 2);
      await L.run(tokenRun({ connections: 16, duration: half }));
      await L.run(await introspectRun({ connections: 16, duration: half }));
    },
    async measure(round) {
      const rows = [];
      const meta = (scenario, label) => ({ round, participant: 'oidc-provider', scenario, label });
      for (const c of opts.connections) {
        rows.push(await L.measure([peer], meta('token', `oidc-provider ${peer.version} POST /token (client_credentials → ES256 JWT)`), tokenRun({ connections: c, duration: opts.duration })));
      }
      for (const c of opts.connections) {
        // A fresh opaque token before each run (obtained before the clock starts).
        rows.push(await L.measure([peer], meta('introspect', `oidc-provider ${peer.version} POST /token/introspection (opaque token)`), await introspectRun({ connections: c, duration: opts.duration })));
      }
      return rows;
    },
    stop: () => P.stopService(peer),
  };
}

/** The variants asked for by name, plus those that --redis, --tracing, --sentry and --dpop stand for. */
function allVariants(opts, aux) {
  const variants = [...opts.variants];
  if (aux.redis) {
    variants.push({
      name: 'redis',
      settings: ['auth', 'resource'].map((app) => ({ app, key: 'REDIS_URL', value: aux.redis.url })),
    });
  }
  // The webapp's own default; the plain stack runs the Bearer flow, as the floor carries no proof.
  if (opts.dpop) variants.push({ name: 'dpop', settings: [{ app: 'webapp', key: 'DPOP', value: 'true' }] });
  if (aux.sink && opts.tracing) {
    const otel = (name, sampler, arg) => ({
      name,
      settings: [
        { app: '*', key: 'OTEL_EXPORTER_OTLP_ENDPOINT', value: `${aux.sink.url}/${name}` },
        { app: '*', key: 'OTEL_TRACES_SAMPLER', value: sampler },
        ...(arg ? [{ app: '*', key: 'OTEL_TRACES_SAMPLER_ARG', value: arg }] : []),
      ],
    });
    variants.push(otel('otel-100', 'parentbased_always_on'), otel('otel-10', 'parentbased_traceidratio', '0.1'));
  }
  if (aux.sink && opts.sentry) variants.push({ name: 'sentry', settings: [{ app: '*', key: 'SENTRY_DSN', value: `http://key@127.0.0.1:${aux.sink.port}/1` }] });
  return variants;
}

function build(opts) {
  if (!opts.build) return;
  const out = spawnSync('npm', ['run', '--silent', 'build'], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
  if (out.status !== 0) throw new Error('build failed');
}

const memoryOf = (services) => services.map((s) => ({ service: s.name, rss_mb: P.rssMb(s.pid), peak_rss_mb: P.peakRssMb(s.pid) }));

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  if (opts.warmup < 15) console.error(`warning: --warmup ${opts.warmup} is under 15 s; a cold process runs slower for its first ~15 s`);
  build(opts);
  if (opts.profile) return profile(opts);

  const started = Date.now();
  const aux = {};
  const participants = [];
  const rows = [];
  const idle = new Map();
  const timings = [];
  let memory = [];
  let sinkStats;
  try {
    if (opts.tracing || opts.sentry) aux.sink = await peers.startSink();
    if (opts.redis) aux.redis = await peers.startRedis();
    const variants = allVariants(opts, aux);
    participants.push(floorParticipant(opts, await startFloor()));
    const stack = await startStack('stack', opts.env);
    participants.push(stackParticipant(opts, stack, { full: true }));
    for (const v of variants) participants.push(stackParticipant(opts, await startStack(v.name, [...opts.env, ...v.settings], { jwks: false }), { full: false }));
    if (opts.peers) participants.push(oidcProviderParticipant(opts, await peers.startOidcProvider()));

    for (let round = 1; round <= opts.rounds; round++) {
      const order = round % 2 === 1 ? participants : [...participants].reverse();
      console.error(`round ${round} of ${opts.rounds}: ${order.map((p) => p.name).join(', ')}`);
      for (const p of order) {
        const blockStart = Date.now();
        console.error(`  warming ${p.name} (${opts.warmup} s, not counted)`);
        await p.warm();
        await P.sleep(1000);
        for (const s of p.services) if (!idle.has(s.name)) idle.set(s.name, P.rssMb(s.pid));
        rows.push(...(await p.measure(round)));
        const seconds = Math.round((Date.now() - blockStart) / 1000);
        timings.push({ round, participant: p.name, seconds });
        console.error(`  ${p.name}: ${seconds} s of wall time this round`);
      }
    }
    if (opts.soak) rows.push(...(await soak(opts, stack)));
  } finally {
    const services = participants.flatMap((p) => p.services);
    memory = memoryOf(services).map((m) => ({ ...m, idle_rss_mb: idle.get(m.service) }));
    if (aux.sink) sinkStats = await aux.sink.stats().catch(() => undefined);
    await Promise.all(participants.map((p) => p.stop()));
    await Promise.all(Object.values(aux).map((s) => P.stopService(s)));
  }

  const variantNames = participants.map((p) => p.name).filter((n) => !['floor', 'stack', 'oidc-provider'].includes(n));
  const summary = R.summarise(rows);
  const ratios = R.sameRoundRatios(rows, variantNames);
  const m = machine();
  const wall = Math.round((Date.now() - started) / 1000);
  console.log(`\n${m.cpus} x ${m.model}, Node ${m.node}; ${opts.rounds} round(s), ${opts.duration} s per run, ${opts.warmup} s warm-up per participant and round; ${wall} s of wall time after the build\n`);
  if (opts.rounds > 1) console.log(`Per round:\n\n${R.roundsTable(rows)}\n`);
  console.log(`${opts.rounds > 1 ? `Median of ${opts.rounds} rounds` : 'One round'}:\n\n${R.summaryTable(summary)}\n`);
  console.log(`Median same-round ratios (A/B, rate against rate; per round in order):\n\n${R.ratioTable(ratios)}\n`);
  const flows = summary.find((r) => r.scenario === 'flows');
  if (flows) console.log(`Auth alone on CPU 0, ${opts.flowConnections} virtual users: ${flows.rate} complete flows/s (median; its p50/p99 are per request), target ≥ ${FLOW_TARGET.toLocaleString('en-US')}: ${flows.rate >= FLOW_TARGET ? 'met' : 'not met'}\n`);
  for (const r of rows.filter((row) => row.rss_mb)) {
    if (r.rss_idle_before_mb) console.log(`RSS MB idle before the soak: ${JSON.stringify(r.rss_idle_before_mb)}`);
    console.log(`RSS MB after ${r.label}: ${JSON.stringify(r.rss_mb)}`);
  }
  if (sinkStats) console.log(`\nsink: ${Object.entries(sinkStats.paths).map(([path, s]) => `${path} ${s.posts} bodies, ${s.bytes} bytes`).join('; ') || 'no bodies received'}`);
  console.log(`\n${R.memoryTable(memory)}`);

  if (opts.json) {
    writeFileSync(opts.json, JSON.stringify({ machine: m, duration_s: opts.duration, warmup_s: opts.warmup, rounds: opts.rounds, connections: opts.connections, wall_s: wall, timings, rows, summary, ratios, memory, sink: sinkStats }, null, 2));
    console.log(`\nwritten to ${opts.json}`);
  }
  const bad = rows.filter(R.failed);
  if (bad.length > 0) {
    console.error(`\n${bad.length} run(s) had non-2xx answers or errors (flagged ⚠ above)`);
    process.exitCode = 1;
  }
}

/** Memory under sustained load: RSS idle, then after 30 s and after a further 60 s at 64 connections. */
async function soak(opts, stack) {
  const rss = () => Object.fromEntries([stack.auth, stack.resource, stack.webapp].map((s) => [s.name, P.rssMb(s.pid)]));
  const rows = [];
  const idleRss = rss();
  console.error(`  RSS idle before the soak: ${JSON.stringify(idleRss)}`);
  for (const seconds of [30, 60]) {
    const row = await L.measure([stack.auth, stack.resource, stack.webapp], { round: 'soak', participant: 'stack', scenario: `soak-${seconds}`, label: `end-to-end, soak ${seconds} s${seconds === 60 ? ' more' : ''}` }, { url: `${stack.webapp.url}/current_time`, connections: 64, duration: seconds });
    if (seconds === 30) row.rss_idle_before_mb = idleRss;
    row.rss_mb = rss();
    console.error(`  RSS after ${seconds} s: ${JSON.stringify(row.rss_mb)}`);
    rows.push(row);
  }
  return rows;
}

/**
 * For bench/profile.sh: the stack with `app` started under --perf-basic-prof (so perf can name
 * JIT-compiled functions), warmed, then the end-to-end load at 16 connections while
 * `perf record -g` samples that one process into opts.perfData.
 */
async function profile(opts) {
  // V8 writes a log beside --perf-basic-prof's /tmp/perf-<pid>.map; keep it out of the work tree.
  const perfDir = join(ROOT, 'bench', '.perf');
  mkdirSync(perfDir, { recursive: true });
  const flags = ['--perf-basic-prof', '--interpreted-frames-native-stack', `--logfile=${join(perfDir, `${opts.profile}-v8.log`)}`, '--no-logfile-per-isolate'];
  const stack = await startStack('stack', opts.env, { jwks: false, nodeFlags: { [opts.profile]: flags } });
  try {
    const target = stack[opts.profile];
    const url = `${stack.webapp.url}/current_time`;
    console.error(`warming (${opts.warmup} s)`);
    await L.run({ url, connections: 16, duration: opts.warmup });
    const perf = spawn('perf', ['record', '-g', '-F', '999', '-p', String(target.pid), '-o', opts.perfData ?? 'perf.data', '--', 'sleep', String(opts.duration)], { stdio: ['ignore', 'inherit', 'inherit'] });
    const recorded = new Promise((resolve) => perf.once('exit', resolve));
    const row = await L.measure(stack.services, { round: 1, participant: 'stack', scenario: 'e2e', label: `end-to-end under perf record (${opts.profile})` }, { url, connections: 16, duration: opts.duration });
    const status = await recorded;
    if (status !== 0) throw new Error(`perf record exited with ${status}`);
    console.log(`profiled ${opts.profile} pid=${target.pid}: ${row.rate} flows/s under the profiler, p99 ${row.p99} ms`);
  } finally {
    await Promise.all(stack.services.map((s) => P.stopService(s)));
  }
}

function machine() {
  const cpus = os.cpus();
  return { cpus: cpus.length, model: cpus[0]?.model, node: process.version, memory_gb: Math.round(os.totalmem() / 2 ** 30) };
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
