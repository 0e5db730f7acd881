// The peers the stack is compared with: node-oidc-provider 9.x, installed from the npm registry
// into bench/.peers/ (gitignored, reused when present), and started with our configuration
// (bench/peers/oidc-provider.js). Also the auxiliary services of the variants: redis-server and
// the sink (bench/sink.js) that stands in for an OTLP collector and for Sentry.
'use strict';
const { spawn, spawnSync } = require('node:child_process');
const { mkdirSync, readFileSync, writeFileSync } = require('node:fs');
const net = require('node:net');
const { join } = require('node:path');
const { createInterface } = require('node:readline');
const { BASIC_CLIENT, FORM } = require('./load');
const { freePort, sleep, waitHealthy } = require('./processes');

const PEERS_DIR = join(__dirname, '..', '.peers');
const OIDC_PROVIDER_DIR = join(PEERS_DIR, 'node_modules', 'oidc-provider');
const RESOURCE = 'http://localhost:5002';

/** Lines of a child's pipe, passed on to our stderr with a prefix (the pipe is read, never left full). */
function relay(stream, prefix) {
  createInterface({ input: stream }).on('line', (line) => console.error(`  [${prefix}] ${line}`));
}

function installedMajor() {
  try {
    return Number(JSON.parse(readFileSync(join(OIDC_PROVIDER_DIR, 'package.json'), 'utf8')).version.split('.')[0]);
  } catch {
    return undefined;
  }
}

/** Installs oidc-provider@9 into bench/.peers/ unless a 9.x is already there; returns its version. */
function ensureOidcProvider() {
  if (installedMajor() !== 9) {
    mkdirSync(PEERS_DIR, { recursive: true });
    writeFileSync(join(PEERS_DIR, 'package.json'), `${JSON.stringify({ private: true, description: 'bench peers, not in git', dependencies: { 'oidc-provider': '^9' } }, null, 2)}\n`);
    console.error('installing oidc-provider@^9 into bench/.peers/');
    const out = spawnSync('npm', ['install', '--no-audit', '--no-fund', '--omit=dev'], { cwd: PEERS_DIR, stdio: ['ignore', 'inherit', 'inherit'] });
    if (out.status !== 0 || installedMajor() !== 9) throw new Error('npm install of oidc-provider@^9 into bench/.peers/ failed');
  }
  return JSON.parse(readFileSync(join(OIDC_PROVIDER_DIR, 'package.json'), 'utf8')).version;
}

async function startOidcProvider() {
  const version = ensureOidcProvider();
  const port = await freePort();
  const child = spawn(process.execPath, [join(__dirname, '..', 'peers', 'oidc-provider.js')], {
    env: { ...process.env, NODE_ENV: 'production', OIDC_PROVIDER_DIR, PEER_PORT: String(port), DEBUG: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  relay(child.stdout, 'oidc-provider');
  relay(child.stderr, 'oidc-provider');
  const url = `http://127.0.0.1:${port}`;
  await waitHealthy(`${url}/.well-known/openid-configuration`, child, 'oidc-provider');
  return { name: 'oidc-provider', child, pid: child.pid, url, version };
}

/** A client_credentials token from the peer: an ES256 JWT for the resource, or opaque without one. */
async function peerToken(url, resource) {
  const body = new URLSearchParams({ grant_type: 'client_credentials', scope: 'current_time', ...(resource ? { resource } : {}) });
  const res = await fetch(`${url}/token`, { method: 'POST', headers: { authorization: BASIC_CLIENT, 'content-type': FORM }, body });
  const json = await res.json();
  if (!json.access_token) throw new Error(`oidc-provider /token answered ${res.status} ${JSON.stringify(json)}`);
  return json.access_token;
}

const peerTokenRequests = () => [{
  method: 'POST',
  path: '/token',
  headers: { authorization: BASIC_CLIENT, 'content-type': FORM },
  body: `grant_type=client_credentials&scope=current_time&resource=${encodeURIComponent(RESOURCE)}`,
}];

const peerIntrospectRequests = (token) => [{
  method: 'POST',
  path: '/token/introspection',
  headers: { authorization: BASIC_CLIENT, 'content-type': FORM },
  body: `token=${token}`,
}];

/** redis-server on a free loopback port, no persistence; installs the Debian package if missing. */
async function startRedis() {
  if (spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status !== 0) {
    console.error('installing redis-server (apt-get)');
    let out = spawnSync('apt-get', ['install', '-y', 'redis-server'], { stdio: ['ignore', 'ignore', 'inherit'] });
    if (out.status !== 0) {
      spawnSync('apt-get', ['update'], { stdio: ['ignore', 'ignore', 'inherit'] });
      out = spawnSync('apt-get', ['install', '-y', 'redis-server'], { stdio: ['ignore', 'ignore', 'inherit'] });
    }
    if (out.status !== 0) throw new Error('apt-get install -y redis-server failed');
  }
  const port = await freePort();
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--daemonize', 'no', '--loglevel', 'warning'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  relay(child.stdout, 'redis');
  relay(child.stderr, 'redis');
  for (let i = 0; i < 100; i++) {
    if (await redisPing(port)) return { name: 'redis', child, pid: child.pid, url: `redis://127.0.0.1:${port}` };
    if (child.exitCode !== null) break;
    await sleep(100);
  }
  throw new Error('redis-server did not answer PING');
}

function redisPing(port) {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.setTimeout(500);
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('data', (data) => {
      socket.destroy();
      resolve(data.toString().startsWith('+PONG'));
    });
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
  });
}

/** bench/sink.js as its own process (its CPU is then not the load generator's). */
async function startSink() {
  const child = spawn(process.execPath, [join(__dirname, '..', 'sink.js')], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout });
    lines.once('line', (line) => resolve(Number(/port (\d+)/.exec(line)?.[1])));
    child.once('exit', (code) => reject(new Error(`sink exited with ${code}`)));
  });
  child.stdout.on('data', () => {});
  const url = `http://127.0.0.1:${port}`;
  const stats = async () => (await fetch(`${url}/stats`)).json();
  return { name: 'sink', child, pid: child.pid, url, port, stats };
}


module.exports = { RESOURCE, ensureOidcProvider, startOidcProvider, peerToken, peerTokenRequests, peerIntrospectRequests, startRedis, startSink };
