#!/usr/bin/env node
// A steady stream of user calls with one fault in the middle, for the scaled compose test:
// `concurrency` callers each GET `url` in a loop; after `warmup-ms` the fault command runs (a
// shell command: stop a replica, kill one, restart Redis); the stream goes on for `after-ms`
// past the command's end. Prints the figures (calls made, failed, how long the failures lasted,
// when the service was whole again) as one JSON line, and exits 1 when they break the bounds:
//   node scripts/scale-load.js --label 'SIGTERM one auth replica' --fault 'docker stop abc' \
//     --url http://localhost:5003/current_time --concurrency 4 --max-failed 0
// A failure is any answer but a 200 JSON body, or no answer within `timeout-ms`.
'use strict';
const http = require('node:http');
const { spawn } = require('node:child_process');
const { parseArgs } = require('node:util');

const { values: opts } = parseArgs({
  options: {
    url: { type: 'string', default: 'http://localhost:5003/current_time' },
    label: { type: 'string', default: 'fault' },
    fault: { type: 'string' },
    concurrency: { type: 'string', default: '4' },
    'warmup-ms': { type: 'string', default: '3000' },
    'after-ms': { type: 'string', default: '6000' },
    'timeout-ms': { type: 'string', default: '10000' },
    /** Most failed calls allowed. */
    'max-failed': { type: 'string' },
    /** Fewest failed calls expected: proof that the fault was seen at all. */
    'min-failed': { type: 'string', default: '0' },
    /** The only status a failure may have (e.g. 503 while Redis is down). */
    'failure-status': { type: 'string' },
    /** Longest time from the fault's start to the end of the last failed call. */
    'max-recovery-ms': { type: 'string' },
  },
});
if (opts.fault === undefined) {
  console.error('scale-load: --fault <shell command> is required');
  process.exit(2);
}
const concurrency = Number(opts.concurrency);
const timeoutMs = Number(opts['timeout-ms']);
// One connection per caller, kept alive: a user agent, not a flood of handshakes.
const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
const t0 = performance.now();
const now = () => performance.now() - t0;

/** One call: when it started and ended (ms since t0), and how it went. */
function oneCall() {
  const start = now();
  return new Promise((resolve) => {
    const done = (outcome) => resolve({ start, end: now(), ...outcome });
    const req = http.get(opts.url, { agent, timeout: timeoutMs }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => (body += chunk));
      res.on('end', () => {
        let json;
        try {
          json = JSON.parse(body);
        } catch {
          json = undefined;
        }
        const ok = res.statusCode === 200 && json !== undefined && typeof json.user === 'string';
        done({ ok, status: res.statusCode, error: ok ? undefined : (json?.error ?? 'not JSON') });
      });
      res.on('error', (err) => done({ ok: false, error: err.code ?? err.message }));
    });
    req.on('timeout', () => req.destroy(Object.assign(new Error('timeout'), { code: 'TIMEOUT' })));
    req.on('error', (err) => done({ ok: false, error: err.code ?? err.message }));
  });
}

function runFault(command) {
  return new Promise((resolve) => {
    const child = spawn('sh', ['-c', command], { stdio: ['ignore', 'ignore', 'inherit'] });
    child.on('exit', (code) => resolve(code));
  });
}

async function main() {
  const calls = [];
  let running = true;
  const callers = Array.from({ length: concurrency }, async () => {
    while (running) calls.push(await oneCall());
  });

  await new Promise((resolve) => setTimeout(resolve, Number(opts['warmup-ms'])));
  const faultStart = now();
  const faultCode = await runFault(opts.fault);
  const faultEnd = now();
  await new Promise((resolve) => setTimeout(resolve, Number(opts['after-ms'])));
  running = false;
  await Promise.all(callers);
  agent.destroy();

  const failed = calls.filter((c) => !c.ok);
  const before = failed.filter((c) => c.end < faultStart);
  const byKind = {};
  for (const c of failed) {
    const kind = c.status === undefined ? c.error : `${c.status} ${c.error}`;
    byKind[kind] = (byKind[kind] ?? 0) + 1;
  }
  const lastFailureEnd = failed.length === 0 ? faultStart : Math.max(...failed.map((c) => c.end));
  const firstFailureStart = failed.length === 0 ? faultStart : Math.min(...failed.map((c) => c.start));
  const latencies = calls.map((c) => c.end - c.start).sort((a, b) => a - b);
  const figures = {
    fault: opts.label,
    calls: calls.length,
    failed: failed.length,
    failures: byKind,
    fault_command_ms: Math.round(faultEnd - faultStart),
    // The service is whole again when the last failed call ended.
    recovered_ms_after_fault_start: Math.round(Math.max(0, lastFailureEnd - faultStart)),
    recovered_ms_after_fault_end: Math.round(Math.max(0, lastFailureEnd - faultEnd)),
    failing_window_ms: Math.round(failed.length === 0 ? 0 : lastFailureEnd - firstFailureStart),
    p50_ms: Math.round(latencies[Math.floor(latencies.length * 0.5)] ?? 0),
    max_ms: Math.round(latencies[latencies.length - 1] ?? 0),
  };
  console.log(`scale-load: ${JSON.stringify(figures)}`);

  const problems = [];
  if (faultCode !== 0) problems.push(`the fault command exited with ${faultCode}`);
  if (before.length > 0) problems.push(`${before.length} calls failed before the fault`);
  if (opts['max-failed'] !== undefined && failed.length > Number(opts['max-failed']))
    problems.push(`${failed.length} failed calls, at most ${opts['max-failed']} allowed`);
  if (failed.length < Number(opts['min-failed']))
    problems.push(`${failed.length} failed calls, at least ${opts['min-failed']} expected`);
  if (opts['failure-status'] !== undefined) {
    const other = failed.filter((c) => String(c.status) !== opts['failure-status']);
    if (other.length > 0) problems.push(`failures other than ${opts['failure-status']}: ${other.length}`);
  }
  if (
    opts['max-recovery-ms'] !== undefined &&
    figures.recovered_ms_after_fault_start > Number(opts['max-recovery-ms'])
  )
    problems.push(`recovered after ${figures.recovered_ms_after_fault_start} ms, bound ${opts['max-recovery-ms']} ms`);
  // Whole again means whole until the end: the last second of the stream must be clean.
  if (failed.some((c) => c.end > now() - 1000)) problems.push('calls still failed in the last second');
  if (problems.length > 0) {
    console.error(`scale-load: FAIL (${opts.label}): ${problems.join('; ')}`);
    process.exit(1);
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
