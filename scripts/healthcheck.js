#!/usr/bin/env node
// The containers' HEALTHCHECK: GET /healthz on this app's own port, without curl or wget.
// Exits 0 on a 200 within two seconds, 1 otherwise.
'use strict';
const http = require('node:http');

const PORTS = { auth: ['AUTH_PORT', 5001], resource: ['RESOURCE_PORT', 5002], webapp: ['WEBAPP_PORT', 5003] };
const [variable, fallback] = PORTS[process.env.APP] ?? ['PORT', 5003];
const port = Number(process.env[variable] ?? fallback);

const request = http.get({ host: '127.0.0.1', port, path: '/healthz', timeout: 2000 }, (res) => {
  res.resume();
  process.exit(res.statusCode === 200 ? 0 : 1);
});
request.on('timeout', () => request.destroy(new Error('timeout')));
request.on('error', () => process.exit(1));
