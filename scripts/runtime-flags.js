// The Node.js flags every service runs with: the containers (the Dockerfile's CMD repeats them),
// `npm start` and the benchmark (the e2e harness runs V8's defaults). Measured on this project's
// 2-core machine (README, Performance): an 8 MB young generation and a 128 MB old generation keep
// a service's RSS near 145 MB under 64 connections (290 MB with V8's own sizing), inside a
// 256 MB container, at no throughput difference that interleaved runs could resolve. Source maps
// make stack traces (logs, Sentry) name the TypeScript file and line, at no measurable cost.
'use strict';

module.exports.RUNTIME_FLAGS = [
  '--enable-source-maps',
  '--max-semi-space-size=8',
  '--max-old-space-size=128',
];
