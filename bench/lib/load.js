// Load generation with autocannon and the request builders of each scenario: the end-to-end flow,
// the stack's token endpoint (codes prepared before the clock starts), introspection, the
// resource server in local-JWKS mode, the chained authorize -> token -> introspect flow, and the
// peer's client_credentials token and introspection endpoints.
'use strict';
const { createHash, randomBytes } = require('node:crypto');
const autocannon = require('autocannon');
const os = require('node:os');
const { TICKS, cpuTicks, machineBusyTicks } = require('./processes');

const BASIC_CLIENT = `Basic ${Buffer.from('1234:qwerty').toString('base64')}`;
const BASIC_RESOURCE = `Basic ${Buffer.from('resource-server:resource-secret').toString('base64')}`;
const BASIC_USER = `Basic ${Buffer.from('bench:pw').toString('base64')}`;
const REDIRECT_URI = 'http://localhost:5003/callback';
const FORM = 'application/x-www-form-urlencoded';

function run(options) {
  const settings = { ...options };
  // A run with a fixed number of requests (one per prepared code) has no duration.
  if (settings.amount !== undefined) delete settings.duration;
  return new Promise((resolve, reject) => {
    autocannon(settings, (err, result) => (err ? reject(err) : resolve(result)));
  });
}

/**
 * One autocannon run, with the CPU each of `services` spent per request (from /proc). `flows`,
 * when given, is the chained scenario's own count: its rate is complete flows per second and its
 * failures are the steps that did not answer as a flow needs (autocannon counts the 302 as
 * non-2xx, so its own count says nothing there). `clock`, for a run bounded by a number of
 * requests, holds the time of its last answer: autocannon ends such a run only at its next
 * one-second tick, so its own duration would undercount the rate by up to a second's worth.
 */
async function measure(services, meta, options, { flows, clock } = {}) {
  const before = services.map((s) => cpuTicks(s.pid));
  const ownBefore = cpuTicks(process.pid);
  const busyBefore = machineBusyTicks();
  const started = performance.now();
  const result = await run(options);
  const seconds = (performance.now() - started) / 1000;
  const elapsed = clock ? (clock.last - started) / 1000 : result.duration;
  const busy = machineBusyTicks() - busyBefore;
  const own = cpuTicks(process.pid) - ownBefore;
  const after = services.map((s) => cpuTicks(s.pid));
  const count = (flows ? flows.completed : result.requests.total) || 1;
  const cpu = {};
  services.forEach((s, i) => {
    const us = (((after[i] - before[i]) / TICKS) * 1e6) / count;
    if (us > 0.5) cpu[s.name] = Math.round(us);
  });
  const row = {
    ...meta,
    connections: options.connections,
    // Answers over elapsed seconds (autocannon's requests.average is the mean of its
    // per-second samples, which the last, partial second of a bounded run drags down).
    rate: Math.round((flows ? flows.completed : result.requests.total) / elapsed),
    seconds: Math.round(elapsed * 100) / 100,
    p50: result.latency.p50,
    p99: result.latency.p99,
    non2xx: flows ? flows.failed : result.non2xx,
    errors: result.errors + result.timeouts,
    requests: result.requests.total,
    cpu_us_per_request: cpu,
    // The share of the machine that neither the measured services nor autocannon used: other
    // tenants of this shared machine. A high figure means a noisy run.
    others_cpu_pct: Math.max(0, Math.round((100 * (busy - own - services.reduce((n, s, i) => n + after[i] - before[i], 0))) / TICKS / seconds / os.cpus().length)),
  };
  console.error(`  [round ${meta.round}] ${meta.participant}: ${meta.label} c=${row.connections}: ${row.rate}/s p50 ${row.p50} ms p99 ${row.p99} ms non-2xx ${row.non2xx} errors ${row.errors}, others' CPU ${row.others_cpu_pct} %`);
  return row;
}

function pkce() {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

function authorizePath(challenge, scope = 'current_time') {
  const query = new URLSearchParams({
    response_type: 'code', client_id: '1234', redirect_uri: REDIRECT_URI, scope, state: 's',
    code_challenge: challenge, code_challenge_method: 'S256',
  });
  return `/authorize?${query}`;
}

const tokenBody = (code, verifier) =>
  `grant_type=authorization_code&code=${encodeURIComponent(code)}&redirect_uri=${encodeURIComponent(REDIRECT_URI)}&code_verifier=${verifier}`;

/** One authorization code (and its verifier) from the authorization server. */
async function freshCode(authUrl) {
  const { verifier, challenge } = pkce();
  const res = await fetch(`${authUrl}${authorizePath(challenge)}`, { redirect: 'manual', headers: { authorization: BASIC_USER } });
  await res.arrayBuffer();
  const location = res.headers.get('location');
  const code = location ? new URL(location).searchParams.get('code') : null;
  if (!code) throw new Error(`/authorize answered ${res.status} without a code`);
  return { code, verifier };
}

async function freshToken(authUrl) {
  const { code, verifier } = await freshCode(authUrl);
  const res = await fetch(`${authUrl}/token`, {
    method: 'POST',
    headers: { authorization: BASIC_CLIENT, 'content-type': FORM },
    body: tokenBody(code, verifier),
  });
  const body = await res.json();
  if (!body.access_token) throw new Error(`/token answered ${res.status}`);
  return body.access_token;
}

/** Keeps a live stack token at hand: tokens live 5 s, so a new one is fetched every 2 s. */
function tokenKeeper(authUrl) {
  const keeper = { token: undefined, timer: undefined };
  keeper.refresh = async () => {
    keeper.token = await freshToken(authUrl);
  };
  keeper.start = async () => {
    await keeper.refresh();
    keeper.timer = setInterval(() => keeper.refresh().catch((err) => console.error(`token refresh: ${err.message}`)), 2000);
  };
  keeper.stop = () => clearInterval(keeper.timer);
  return keeper;
}

/**
 * `count` codes, fetched 64 at a time before the clock starts; each is redeemed once. Codes live
 * 60 s and the first ones fetched are redeemed first, so preparing stops after `maxMs` (25 s)
 * even when fewer are ready: on a slow machine the run then ends early rather than meeting
 * expired codes.
 */
async function prepareCodes(authUrl, count, maxMs = 25_000) {
  const codes = [];
  const deadline = Date.now() + maxMs;
  while (codes.length < count && Date.now() < deadline) codes.push(...(await Promise.all(Array.from({ length: 64 }, () => freshCode(authUrl)))));
  if (codes.length < count) console.error(`  (${codes.length} of ${count} codes ready after ${maxMs / 1000} s: the token run is shorter)`);
  return codes;
}

/** One request per prepared code; `clock.last` is set to the time of each answer. */
function tokenRequests(codes, clock) {
  let next = 0;
  return [{
    method: 'POST',
    setupRequest: (request) => {
      const { code, verifier } = codes[next++ % codes.length];
      return { ...request, headers: { authorization: BASIC_CLIENT, 'content-type': FORM }, body: tokenBody(code, verifier) };
    },
    onResponse: () => {
      clock.last = performance.now();
    },
  }];
}

function introspectRequests(keeper) {
  return [{
    method: 'POST',
    setupRequest: (request) => ({ ...request, headers: { authorization: BASIC_RESOURCE, 'content-type': FORM }, body: `token=${keeper.token}` }),
  }];
}

function bearerRequests(keeper) {
  return [{ method: 'GET', setupRequest: (request) => ({ ...request, headers: { authorization: `Bearer ${keeper.token}` } }) }];
}

/**
 * authorize -> token -> introspect, chained per virtual user: each step's answer (the code in the
 * redirect, then the token) is kept in the connection's context for the next step. A step that
 * got no usable answer returns nothing from setupRequest, which restarts that user's flow.
 */
function flowRequests(counters) {
  const { verifier, challenge } = pkce(); // one verifier serves every flow: each code is new
  const header = (headers, name) => headers[name] ?? Object.entries(headers).find(([k]) => k.toLowerCase() === name)?.[1];
  return [
    {
      method: 'GET',
      path: authorizePath(challenge),
      headers: { authorization: BASIC_USER },
      onResponse: (status, _body, context, headers) => {
        const location = status === 302 ? header(headers, 'location') : undefined;
        context.code = location ? new URL(location).searchParams.get('code') : undefined;
        if (!context.code) counters.failed++;
      },
    },
    {
      method: 'POST',
      path: '/token',
      setupRequest: (request, context) => context.code && { ...request, headers: { authorization: BASIC_CLIENT, 'content-type': FORM }, body: tokenBody(context.code, verifier) },
      onResponse: (status, body, context) => {
        context.token = status === 200 ? JSON.parse(body).access_token : undefined;
        if (!context.token) counters.failed++;
      },
    },
    {
      method: 'POST',
      path: '/introspect',
      setupRequest: (request, context) => context.token && { ...request, headers: { authorization: BASIC_RESOURCE, 'content-type': FORM }, body: `token=${context.token}` },
      onResponse: (status, body) => {
        if (status === 200 && JSON.parse(body).active === true) counters.completed++;
        else counters.failed++;
      },
    },
  ];
}

module.exports = {
  BASIC_CLIENT, FORM, run, measure, freshCode, freshToken, tokenKeeper, prepareCodes,
  tokenRequests, introspectRequests, bearerRequests, flowRequests,
};
