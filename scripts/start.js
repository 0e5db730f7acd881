#!/usr/bin/env node
// Runs the three services as local processes in the foreground, for machines without Docker:
//   node scripts/start.js          builds what is stale, then runs dist/apps/<app>/main.js
//   node scripts/start.js --watch  runs `nest start <app> --watch` for each (development)
// Ctrl-C (or SIGTERM) stops all three; if one exits, the others are stopped too.
'use strict';
const { spawn, spawnSync } = require('node:child_process');
const { existsSync, readdirSync, statSync } = require('node:fs');
const { join } = require('node:path');
const { RUNTIME_FLAGS } = require('./runtime-flags');

const ROOT = join(__dirname, '..');
const APPS = ['auth', 'resource', 'webapp'];
const watch = process.argv.includes('--watch');
const nest = join(ROOT, 'node_modules', '.bin', 'nest');

function newestSource(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== 'test') newest = Math.max(newest, newestSource(path));
    }
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.spec.ts')) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

function buildIfStale() {
  const sources = Math.max(newestSource(join(ROOT, 'apps')), newestSource(join(ROOT, 'libs')));
  for (const app of APPS) {
    const main = join(ROOT, 'dist', 'apps', app, 'main.js');
    if (existsSync(main) && statSync(main).mtimeMs >= sources) continue;
    console.error(`building ${app}...`);
    const result = spawnSync(nest, ['build', app], { cwd: ROOT, stdio: 'inherit' });
    if (result.status !== 0) process.exit(result.status ?? 1);
  }
}

if (!watch) buildIfStale();
const children = APPS.map((app) => {
  const [command, args] = watch
    ? [nest, ['start', app, '--watch', '--preserveWatchOutput']]
    : [process.execPath, [...RUNTIME_FLAGS, join(ROOT, 'dist', 'apps', app, 'main.js')]];
  const child = spawn(command, args, { cwd: ROOT, stdio: 'inherit' });
  child.on('exit', (code, signal) => {
    if (!stopping) {
      console.error(`${app} exited (${signal ?? code}); stopping the others`);
      stop(code ?? 1);
    }
  });
  return child;
});

let stopping = false;
function stop(exitCode) {
  stopping = true;
  for (const child of children) if (child.exitCode === null) child.kill('SIGTERM');
  Promise.all(children.map((c) => (c.exitCode !== null ? null : new Promise((r) => c.on('exit', r))))).then(
    () => process.exit(exitCode),
  );
}
process.on('SIGINT', () => stop(0));
process.on('SIGTERM', () => stop(0));
