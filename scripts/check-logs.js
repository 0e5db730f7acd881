#!/usr/bin/env node
// Checks a service's log file: every line a JSON object with event, service, level and time;
// every request line (the one with req and res) with its request_id; no secret, code or token.
//   node scripts/check-logs.js <service> <file> [secret ...]
'use strict';
const { readFileSync } = require('node:fs');

const [service, file, ...extraSecrets] = process.argv.slice(2);
const secrets = ['qwerty', 'resource-secret', ...extraSecrets];
const lines = readFileSync(file, 'utf8').split('\n').filter((line) => line.trim() !== '');
const fail = (message) => {
  console.error(`check-logs: ${service}: ${message}`);
  process.exit(1);
};
if (lines.length === 0) fail('no log lines');
let requests = 0;
lines.forEach((line, index) => {
  const where = `line ${index + 1}`;
  let entry;
  try {
    entry = JSON.parse(line);
  } catch {
    fail(`${where} is not JSON: ${line.slice(0, 200)}`);
  }
  for (const key of ['event', 'service', 'level', 'time']) {
    if (!(key in entry)) fail(`${where} lacks "${key}": ${line.slice(0, 200)}`);
  }
  if (entry.req !== undefined) {
    if (!entry.request_id) fail(`${where} lacks request_id`);
    requests += 1;
  }
  for (const secret of secrets) if (line.includes(secret)) fail(`${where} contains a secret`);
  if (/eyJ[A-Za-z0-9_-]{10,}\./.test(line)) fail(`${where} contains a JWT`);
  if (/code=[A-Za-z0-9_-]{20,}/.test(line)) fail(`${where} contains an authorization code`);
});
if (requests === 0) fail('no request lines');
console.log(`check-logs: ok  ${service}: ${lines.length} JSON lines, ${requests} requests, no secrets`);
