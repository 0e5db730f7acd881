// Command-line options of bench/bench.js, parsed without side effects so that they can be tested.
'use strict';

const APPS = ['auth', 'resource', 'webapp'];
const FLAGS = new Set(['quick', 'peers', 'soak', 'floor', 'no-build', 'redis', 'tracing', 'sentry', 'dpop']);
const VALUED = new Set(['duration', 'connections', 'rounds', 'warmup', 'json', 'env', 'variant', 'profile', 'perf-data', 'flow-connections']);
const REPEATABLE = new Set(['env', 'variant']);

/** One setting for one service, or for every service (`app` is `*`). */
function parseSetting(text) {
  const match = /^(auth|resource|webapp|\*):([A-Za-z_][A-Za-z0-9_]*)=(.*)$/s.exec(text);
  if (match === null) throw new Error(`setting "${text}" is not app:KEY=VALUE (app: ${APPS.join(', ')} or *)`);
  return { app: match[1], key: match[2], value: match[3] };
}

/**
 * `name:app:KEY=VALUE,app:KEY=VALUE`. A comma separates settings only where the next setting
 * starts, so a value may itself hold commas (`auth:LIST=a,b`).
 */
function parseVariant(text) {
  const match = /^([A-Za-z0-9][A-Za-z0-9._-]*):(.+)$/s.exec(text);
  if (match === null) throw new Error(`variant "${text}" is not name:app:KEY=VALUE[,app:KEY=VALUE...]`);
  const settings = match[2].split(/,(?=(?:auth|resource|webapp|\*):[A-Za-z_][A-Za-z0-9_]*=)/).map(parseSetting);
  return { name: match[1], settings };
}

/** The environment one service instance gets from a list of settings (later ones win). */
function envFor(app, settings) {
  const env = {};
  for (const s of settings) if (s.app === '*' || s.app === app) env[s.key] = s.value;
  return env;
}

function positiveInt(name, text) {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} must be a positive integer, not "${text}"`);
  return n;
}

/** Parses argv (without node and the script) into the run's options; throws on anything unknown. */
function parseArgs(argv) {
  const flags = new Set();
  const values = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--') continue;
    const name = arg.startsWith('--') ? arg.slice(2) : undefined;
    if (name !== undefined && FLAGS.has(name)) {
      flags.add(name);
    } else if (name !== undefined && VALUED.has(name)) {
      const value = argv[++i];
      if (value === undefined) throw new Error(`--${name} needs a value`);
      if (REPEATABLE.has(name)) (values[name] ??= []).push(value);
      else values[name] = value;
    } else {
      throw new Error(`unknown argument "${arg}"`);
    }
  }
  const quick = flags.has('quick');
  const connections = (values.connections ?? (quick ? '16' : '1,16,64')).split(',').map((c) => positiveInt('connections', c));
  const variants = (values.variant ?? []).map(parseVariant);
  const names = new Set();
  for (const v of [...variants.map((x) => x.name), ...(flags.has('redis') ? ['redis'] : []), ...(flags.has('tracing') ? ['otel-100', 'otel-10'] : []), ...(flags.has('sentry') ? ['sentry'] : []), ...(flags.has('dpop') ? ['dpop'] : [])]) {
    if (v === 'stack' || v === 'floor' || v === 'oidc-provider' || names.has(v)) throw new Error(`variant name "${v}" is taken`);
    names.add(v);
  }
  if (values.profile !== undefined && !APPS.includes(values.profile)) throw new Error(`--profile takes one of ${APPS.join(', ')}`);
  return {
    quick,
    duration: positiveInt('duration', values.duration ?? (quick ? 3 : 10)),
    connections,
    rounds: positiveInt('rounds', values.rounds ?? 1),
    warmup: positiveInt('warmup', values.warmup ?? 15),
    flowConnections: positiveInt('flow-connections', values['flow-connections'] ?? 16),
    json: values.json,
    build: !flags.has('no-build'),
    peers: flags.has('peers'),
    soak: flags.has('soak'),
    redis: flags.has('redis'),
    tracing: flags.has('tracing'),
    sentry: flags.has('sentry'),
    dpop: flags.has('dpop'),
    env: (values.env ?? []).map(parseSetting),
    variants,
    profile: values.profile,
    perfData: values['perf-data'],
  };
}

module.exports = { APPS, parseArgs, parseSetting, parseVariant, envFor };
