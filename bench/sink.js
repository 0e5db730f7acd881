#!/usr/bin/env node
// A local stand-in for an OTLP/HTTP collector and for Sentry's envelope endpoint, so that the
// tracing and Sentry variants of the benchmark run without any external service: it answers 200
// to any POST and counts the bodies (and their bytes) per path. `GET /stats` returns the counts.
//   node bench/sink.js [--port 0]     prints "sink listening on port N" once it listens
// Hand-written: a collector that only acknowledges is a dozen lines; a real one would add its
// own CPU to the run being measured.
'use strict';
const http = require('node:http');

function createSink() {
  const stats = { posts: 0, bytes: 0, paths: {} };
  const server = http.createServer((req, res) => {
    if (req.method === 'GET' && req.url === '/stats') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(stats));
      return;
    }
    if (req.method !== 'POST') {
      req.resume();
      res.writeHead(405, { allow: 'POST' });
      res.end();
      return;
    }
    let bytes = 0;
    req.on('data', (chunk) => {
      bytes += chunk.length;
    });
    req.on('end', () => {
      const path = req.url.split('?')[0];
      stats.posts++;
      stats.bytes += bytes;
      const entry = (stats.paths[path] ??= { posts: 0, bytes: 0 });
      entry.posts++;
      entry.bytes += bytes;
      // OTLP/HTTP exporters parse the answer as an (empty) export response in their own encoding.
      const json = /json/.test(req.headers['content-type'] ?? '');
      res.writeHead(200, { 'content-type': json ? 'application/json' : 'application/x-protobuf' });
      res.end(json ? '{}' : '');
    });
  });
  server.keepAliveTimeout = 65_000;
  return { server, stats };
}

if (require.main === module) {
  const i = process.argv.indexOf('--port');
  const port = i === -1 ? 0 : Number(process.argv[i + 1]);
  const { server } = createSink();
  server.listen(port, '127.0.0.1', () => console.log(`sink listening on port ${server.address().port}`));
  process.on('SIGTERM', () => server.close(() => process.exit(0)));
}

module.exports = { createSink };
