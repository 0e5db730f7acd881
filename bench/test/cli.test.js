'use strict';
const assert = require('node:assert/strict');
const { describe, it } = require('node:test');
const { parseArgs, parseSetting, parseVariant, envFor } = require('../lib/cli');

describe('parseSetting', () => {
  it('splits app, key and value at the first colon and the first equals sign', () => {
    assert.deepEqual(parseSetting('auth:REDIS_URL=redis://127.0.0.1:6379/0?a=b'), { app: 'auth', key: 'REDIS_URL', value: 'redis://127.0.0.1:6379/0?a=b' });
    assert.deepEqual(parseSetting('*:OTEL_TRACES_SAMPLER_ARG=0.1'), { app: '*', key: 'OTEL_TRACES_SAMPLER_ARG', value: '0.1' });
    assert.deepEqual(parseSetting('webapp:DPOP='), { app: 'webapp', key: 'DPOP', value: '' });
  });
  it('refuses an unknown app and a missing equals sign', () => {
    assert.throws(() => parseSetting('gateway:X=1'), /not app:KEY=VALUE/);
    assert.throws(() => parseSetting('auth:X'), /not app:KEY=VALUE/);
  });
});

describe('parseVariant', () => {
  it('splits settings at the commas that start a new app:KEY= and keeps commas inside values', () => {
    assert.deepEqual(parseVariant('mixed:auth:LIST=a,b,webapp:DPOP=false,*:SENTRY_DSN=http://k@h/1'), {
      name: 'mixed',
      settings: [
        { app: 'auth', key: 'LIST', value: 'a,b' },
        { app: 'webapp', key: 'DPOP', value: 'false' },
        { app: '*', key: 'SENTRY_DSN', value: 'http://k@h/1' },
      ],
    });
  });
  it('refuses a variant without settings', () => {
    assert.throws(() => parseVariant('nodpop'), /not name:app:KEY=VALUE/);
  });
});

describe('envFor', () => {
  it('gives an app its own settings and the * ones, later entries winning', () => {
    const settings = [parseSetting('*:A=1'), parseSetting('auth:A=2'), parseSetting('resource:B=3'), parseSetting('*:C=4')];
    assert.deepEqual(envFor('auth', settings), { A: '2', C: '4' });
    assert.deepEqual(envFor('resource', settings), { A: '1', B: '3', C: '4' });
    assert.deepEqual(envFor('webapp', settings), { A: '1', C: '4' });
  });
});

describe('parseArgs', () => {
  it('defaults to one round of 10 s runs at 1, 16 and 64 connections with a 15 s warm-up', () => {
    const o = parseArgs([]);
    assert.equal(o.rounds, 1);
    assert.equal(o.duration, 10);
    assert.deepEqual(o.connections, [1, 16, 64]);
    assert.equal(o.warmup, 15);
    assert.equal(o.build, true);
    assert.equal(o.peers, false);
  });
  it('--quick means 3 s runs at 16 connections only', () => {
    const o = parseArgs(['--', '--quick', '--rounds', '1', '--peers']);
    assert.equal(o.duration, 3);
    assert.deepEqual(o.connections, [16]);
    assert.equal(o.peers, true);
  });
  it('collects repeated --env and --variant', () => {
    const o = parseArgs(['--env', 'auth:A=1', '--env', '*:B=2', '--variant', 'x:webapp:DPOP=false', '--variant', 'y:auth:C=3']);
    assert.deepEqual(o.env, [{ app: 'auth', key: 'A', value: '1' }, { app: '*', key: 'B', value: '2' }]);
    assert.deepEqual(o.variants.map((v) => v.name), ['x', 'y']);
  });
  it('refuses unknown arguments, bad numbers and clashing variant names', () => {
    assert.throws(() => parseArgs(['--round', '3']), /unknown argument "--round"/);
    assert.throws(() => parseArgs(['--rounds', '0']), /--rounds must be a positive integer/);
    assert.throws(() => parseArgs(['--connections', '16,x']), /--connections must be a positive integer/);
    assert.throws(() => parseArgs(['--redis', '--variant', 'redis:auth:A=1']), /variant name "redis" is taken/);
    assert.throws(() => parseArgs(['--variant', 'stack:auth:A=1']), /variant name "stack" is taken/);
    assert.throws(() => parseArgs(['--profile', 'floor']), /--profile takes one of auth, resource, webapp/);
  });
});
