#!/usr/bin/env node
// Proves that flows cross replicas in the scaled compose stack, through lb, by the X-Served-By
// header every answer carries (`<service>@<hostname>:<pid>`):
//   1. waits until lb spreads each port over the expected number of replicas;
//   2. runs authorization-code flows by hand until one has its code issued by one auth replica
//      and redeemed at another; that token is active at every auth replica and opens the
//      resource server; the code's replay, answered by yet another replica, fails and the token
//      is then inactive at every replica (RFC 6749 4.1.2);
//   3. calls the webapp until two of its replicas have answered.
//   node scripts/scale-crossing.js --auth 3 --resource 2 --webapp 2
'use strict';
const { createHash, randomBytes } = require('node:crypto');
const { parseArgs } = require('node:util');

const { values: opts } = parseArgs({
  options: {
    'auth-url': { type: 'string', default: 'http://localhost:5001' },
    'resource-url': { type: 'string', default: 'http://localhost:5002' },
    'webapp-url': { type: 'string', default: 'http://localhost:5003' },
    'redirect-uri': { type: 'string', default: 'http://localhost:5003/callback' },
    'client-id': { type: 'string', default: '1234' },
    'client-secret': { type: 'string', default: 'qwerty' },
    'resource-client-id': { type: 'string', default: 'resource-server' },
    'resource-client-secret': { type: 'string', default: 'resource-secret' },
    auth: { type: 'string', default: '3' },
    resource: { type: 'string', default: '2' },
    webapp: { type: 'string', default: '2' },
    'wait-ms': { type: 'string', default: '60000' },
  },
});

function fail(message) {
  console.error(`scale-crossing: FAIL: ${message}`);
  process.exit(1);
}

function basic(id, secret) {
  const encode = (v) => encodeURIComponent(v).replace(/%20/g, '+');
  return `Basic ${Buffer.from(`${encode(id)}:${encode(secret)}`).toString('base64')}`;
}

async function call(url, init = {}) {
  const res = await fetch(url, { redirect: 'manual', signal: AbortSignal.timeout(10_000), ...init });
  const text = await res.text();
  let json;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, json, text, by: res.headers.get('x-served-by') ?? '' };
}

function post(url, form, authorization) {
  return call(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', authorization },
    body: new URLSearchParams(form).toString(),
  });
}

/** Calls `url` until `count` different replicas have answered it, within the wait. */
async function replicasOf(service, url, count) {
  const seen = new Set();
  const deadline = Date.now() + Number(opts['wait-ms']);
  while (seen.size < count) {
    if (Date.now() > deadline) fail(`${service}: ${seen.size} replicas answered (${[...seen].join(', ')}), expected ${count}`);
    try {
      const reply = await call(url);
      if (reply.status === 200 && reply.by.startsWith(`${service}@`)) seen.add(reply.by);
    } catch {
      // lb not up yet, or no replica yet
    }
    if (seen.size < count) await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return seen;
}

/** One code from the authorization endpoint, and who issued it. */
async function obtainCode() {
  const verifier = randomBytes(32).toString('base64url');
  const challenge = createHash('sha256').update(verifier).digest('base64url');
  const state = randomBytes(8).toString('hex');
  const query = new URLSearchParams({
    response_type: 'code',
    client_id: opts['client-id'],
    redirect_uri: opts['redirect-uri'],
    scope: 'current_time',
    state,
    code_challenge: challenge,
    code_challenge_method: 'S256',
  });
  const reply = await call(`${opts['auth-url']}/authorize?${query}`, {
    headers: { authorization: basic('crossing', 'pw-Secret-123') },
  });
  if (reply.status !== 302) fail(`authorize answered ${reply.status} ${reply.text}`);
  const back = new URL(reply.headers.get('location')).searchParams;
  if (back.get('state') !== state || back.get('code') === null) fail(`authorize redirected to ${reply.headers.get('location')}`);
  return { code: back.get('code'), verifier, issuedBy: reply.by };
}

function redeem({ code, verifier }) {
  return post(
    `${opts['auth-url']}/token`,
    { grant_type: 'authorization_code', code, redirect_uri: opts['redirect-uri'], code_verifier: verifier },
    basic(opts['client-id'], opts['client-secret']),
  );
}

/** Introspects `token` through lb until every auth replica in `replicas` has answered; their verdicts. */
async function activeAtEach(token, replicas) {
  const verdicts = new Map();
  for (let i = 0; verdicts.size < replicas.size; i++) {
    if (i > 20 * replicas.size) fail(`introspection reached only ${[...verdicts.keys()].join(', ')}`);
    const reply = await post(
      `${opts['auth-url']}/introspect`,
      { token },
      basic(opts['resource-client-id'], opts['resource-client-secret']),
    );
    if (reply.status !== 200) fail(`introspection answered ${reply.status} ${reply.text}`);
    verdicts.set(reply.by, reply.json.active);
  }
  return verdicts;
}

async function main() {
  const auth = await replicasOf('auth', `${opts['auth-url']}/healthz`, Number(opts.auth));
  const resource = await replicasOf('resource', `${opts['resource-url']}/healthz`, Number(opts.resource));
  const webapps = await replicasOf('webapp', `${opts['webapp-url']}/healthz`, Number(opts.webapp));
  console.log(
    `scale-crossing: lb spreads over ${auth.size} auth, ${resource.size} resource, ${webapps.size} webapp replicas`,
  );

  let crossed;
  let flows = 0;
  for (; flows < 20 && crossed === undefined; flows++) {
    const code = await obtainCode();
    const reply = await redeem(code);
    if (reply.status !== 200) fail(`token endpoint answered ${reply.status} ${reply.text}`);
    if (reply.by !== code.issuedBy) crossed = { ...code, redeemedBy: reply.by, token: reply.json.access_token };
  }
  if (crossed === undefined) fail(`no flow out of ${flows} was redeemed at another replica than it was issued at`);
  console.log(`scale-crossing: a code issued by ${crossed.issuedBy} was redeemed at ${crossed.redeemedBy} (flow ${flows})`);

  const active = await activeAtEach(crossed.token, auth);
  if ([...active.values()].some((a) => a !== true)) fail(`the token is not active everywhere: ${[...active]}`);
  const api = await call(`${opts['resource-url']}/current_time`, { headers: { authorization: `Bearer ${crossed.token}` } });
  if (api.status !== 200 || api.json?.user !== 'crossing') fail(`resource answered ${api.status} ${api.text}`);
  console.log(`scale-crossing: the token is active at ${active.size} auth replicas and opened ${api.by}`);

  let replay;
  for (let i = 0; i < 10 && (replay === undefined || replay.by === crossed.redeemedBy); i++) replay = await redeem(crossed);
  if (replay.status !== 400 || replay.json?.error !== 'invalid_grant') fail(`the replay answered ${replay.status} ${replay.text}`);
  const after = await activeAtEach(crossed.token, auth);
  if ([...after.values()].some((a) => a !== false)) fail(`the replayed code's token is still active: ${[...after]}`);
  console.log(`scale-crossing: the replay at ${replay.by} failed and revoked the token at all ${after.size} auth replicas`);

  const webapp = new Set();
  for (let i = 0; i < 20 && webapp.size < Number(opts.webapp); i++) {
    const reply = await call(`${opts['webapp-url']}/current_time`);
    if (reply.status !== 200) fail(`webapp answered ${reply.status} ${reply.text}`);
    webapp.add(reply.by);
  }
  if (webapp.size < Number(opts.webapp)) fail(`only ${[...webapp].join(', ')} of the webapp answered`);
  console.log(`scale-crossing: ${webapp.size} webapp replicas answered /current_time: ${[...webapp].join(', ')}`);
}

main().catch((err) => fail(err instanceof Error ? err.stack : String(err)));
