#!/usr/bin/env node
// The floor this design can approach: the same five HTTP exchanges per flow as the real stack
// (webapp -> authorize, token; resource -> introspect; webapp -> resource), with trivial Nest +
// Fastify handlers and keep-alive undici pools, no logging, no crypto, no validation.
//   node bench/floor.js [--duration 10] [--connections 16]
// One process per role, as in the stack; prints flows/s and CPU microseconds per flow.
'use strict';
require('reflect-metadata');
const { fork } = require('node:child_process');
const { readFileSync } = require('node:fs');

const role = process.env.FLOOR_ROLE;
if (role) serve(role);
else if (require.main === module) void main();

function serve(role) {
  const { Controller, Get, Post, HttpCode, Module, Redirect } = require('@nestjs/common');
  const { NestFactory } = require('@nestjs/core');
  const { FastifyAdapter } = require('@nestjs/platform-fastify');
  const { Pool } = require('undici');
  const ports = JSON.parse(process.env.FLOOR_PORTS);
  const pool = (port) => new Pool(`http://127.0.0.1:${port}`, { connections: 128 });
  const decorate = (decorators, target, key) => {
    const descriptor = Object.getOwnPropertyDescriptor(target.prototype, key);
    for (const d of decorators.reverse()) d(target.prototype, key, descriptor);
  };
  let controller;
  if (role === 'auth') {
    controller = class AuthController {
      authorize() { return { url: 'http://localhost:5003/callback?code=c&state=s&iss=i', statusCode: 302 }; }
      token() { return { access_token: 't', token_type: 'Bearer', expires_in: 5, scope: 'current_time' }; }
      introspect() { return { active: true, sub: 'demo', scope: 'current_time' }; }
    };
    decorate([Get('authorize'), Redirect()], controller, 'authorize');
    decorate([Post('token'), HttpCode(200)], controller, 'token');
    decorate([Post('introspect'), HttpCode(200)], controller, 'introspect');
  } else if (role === 'resource') {
    const auth = pool(ports.auth);
    controller = class ResourceController {
      async time() {
        const res = await auth.request({ method: 'POST', path: '/introspect', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'token=t' });
        const body = await res.body.json();
        return { current_time: new Date().toISOString(), user: body.sub };
      }
    };
    decorate([Get('current_time')], controller, 'time');
  } else {
    const auth = pool(ports.auth);
    const resource = pool(ports.resource);
    controller = class WebappController {
      async time() {
        const a = await auth.request({ method: 'GET', path: '/authorize?client_id=1234' });
        await a.body.text();
        const t = await auth.request({ method: 'POST', path: '/token', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'code=c' });
        const token = await t.body.json();
        const r = await resource.request({ method: 'GET', path: '/current_time', headers: { authorization: `Bearer ${token.access_token}` } });
        return r.body.json();
      }
    };
    decorate([Get('current_time')], controller, 'time');
  }
  Controller()(controller);
  class AppModule {}
  Module({ controllers: [controller] })(AppModule);
  NestFactory.create(AppModule, new FastifyAdapter(), { logger: false })
    .then((app) => app.listen(ports[role], '127.0.0.1'))
    .then(() => process.send('ready'));
}

/**
 * Starts the three floor processes on free loopback ports and resolves once all listen; bench.js
 * drives them as one participant of its rounds. `stop()` ends them.
 */
async function startFloor() {
  const { freePort } = require('./lib/processes');
  const [auth, resource, webapp] = await Promise.all([freePort(), freePort(), freePort()]);
  const ports = { auth, resource, webapp };
  const services = [];
  for (const r of ['auth', 'resource', 'webapp']) {
    const child = fork(__filename, [], { env: { ...process.env, FLOOR_ROLE: r, FLOOR_PORTS: JSON.stringify(ports) } });
    await new Promise((resolve, reject) => {
      child.once('message', resolve);
      child.once('exit', (code) => reject(new Error(`floor ${r} exited with ${code} before it listened`)));
    });
    services.push({ name: `floor-${r}`, child, pid: child.pid });
  }
  const stop = async () => {
    await Promise.all(services.map((s) => new Promise((resolve) => {
      if (s.child.exitCode !== null || s.child.signalCode !== null) return resolve();
      s.child.once('exit', resolve);
      s.child.kill('SIGTERM');
    })));
  };
  return { services, url: `http://127.0.0.1:${ports.webapp}/current_time`, stop };
}

async function main() {
  const autocannon = require('autocannon');
  const args = process.argv.slice(2);
  const option = (name, fallback) => (args.includes(`--${name}`) ? args[args.indexOf(`--${name}`) + 1] : fallback);
  const duration = Number(option('duration', 10));
  const connections = Number(option('connections', 16));
  const floor = await startFloor();
  const ticks = (pid) => { const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' '); return Number(f[11]) + Number(f[12]); };
  const { url } = floor;
  await new Promise((resolve) => autocannon({ url, connections, duration: 3 }, resolve));
  const before = floor.services.map((s) => ticks(s.pid));
  const result = await new Promise((resolve, reject) => autocannon({ url, connections, duration }, (e, r) => (e ? reject(e) : resolve(r))));
  const cpu = floor.services.map((s, i) => `${s.name.slice('floor-'.length)} ${Math.round(((ticks(s.pid) - before[i]) * 1e4) / result.requests.total)}`);
  console.log(`floor: ${Math.round(result.requests.average)} flows/s at ${connections} connections, p50 ${result.latency.p50} ms, p99 ${result.latency.p99} ms, non-2xx ${result.non2xx}; CPU µs per flow: ${cpu.join(', ')}`);
  await floor.stop();
}

module.exports = { startFloor };
