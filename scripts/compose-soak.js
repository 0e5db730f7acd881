#!/usr/bin/env node
// The soak under the containers' memory limit (docker-compose.yml, mem_limit 256m): 60 s of
// end-to-end calls at 64 connections through the webapp, memory read from the engine at 30 s
// and at 60 s, then a check that no container was OOM-killed or restarted. Prints the figures.
//   node scripts/compose-soak.js <compose command...>    e.g. node scripts/compose-soak.js docker-compose
'use strict';
const { execFileSync } = require('node:child_process');
const autocannon = require('autocannon');

const compose = process.argv.slice(2);
const SERVICES = ['auth', 'resource', 'webapp'];
const run = (cmd, args) => execFileSync(cmd, args, { encoding: 'utf8' }).trim();
const ids = Object.fromEntries(SERVICES.map((s) => [s, run(compose[0], [...compose.slice(1), 'ps', '-q', s])]));

/** Each container's memory use in MB, as the engine counts it against the limit. */
function memory() {
  const out = {};
  for (const [service, id] of Object.entries(ids)) {
    const line = run('docker', ['stats', '--no-stream', '--format', '{{.MemUsage}}', id]);
    out[service] = line.split('/')[0].trim();
  }
  return out;
}

function state() {
  const out = {};
  for (const [service, id] of Object.entries(ids)) {
    const [oom, restarts, started] = run('docker', ['inspect', '-f', '{{.State.OOMKilled}} {{.RestartCount}} {{.State.StartedAt}}', id]).split(' ');
    out[service] = { oom, restarts, started };
  }
  return out;
}

async function main() {
  const before = state();
  console.log('compose-soak: memory idle', JSON.stringify(memory()));
  const at30 = new Promise((resolve) => setTimeout(() => resolve(memory()), 30_000));
  const result = await autocannon({ url: 'http://localhost:5003/current_time', connections: 64, duration: 60 });
  console.log('compose-soak: memory at 30 s', JSON.stringify(await at30));
  console.log('compose-soak: memory at 60 s', JSON.stringify(memory()));
  console.log(`compose-soak: ${Math.round(result.requests.average)} calls/s, p99 ${result.latency.p99} ms, non-2xx ${result.non2xx}, errors ${result.errors}`);
  const after = state();
  for (const service of SERVICES) {
    const [b, a] = [before[service], after[service]];
    if (a.oom !== 'false' || a.restarts !== b.restarts || a.started !== b.started) {
      throw new Error(`${service} was killed or restarted during the soak: ${JSON.stringify({ before: b, after: a })}`);
    }
  }
  if (result.errors > 0 || result.non2xx > 0) throw new Error('the soak had failed calls');
  console.log('compose-soak: ok  no container was OOM-killed or restarted under its 256 MB limit');
}

main().catch((err) => {
  console.error(`compose-soak: FAIL: ${err.message}`);
  process.exit(1);
});
