#!/usr/bin/env node
// Microseconds of CPU per validation, class-validator (the old pipe and parseReply) against the
// compiled validators, for the six validations of one user flow: the authorize query, the token
// form, the introspection form, and the token, introspection and time answers.
//   node -r ts-node/register/transpile-only -r tsconfig-paths/register bench/validation.js [--rounds 7]
// Each figure is the median of the rounds; each round runs one validation 20,000 times.
'use strict';
require('reflect-metadata');
const { ValidationPipe } = require('@nestjs/common');
const { plainToInstance } = require('class-transformer');
const { validateSync } = require('class-validator');
const contracts = require('@app/contracts');
const { createValidationPipe } = require('../libs/common/src/validation/validation.pipe');
const { parseReply, parseForm } = require('@app/common/http');

const rounds = Number(argument('--rounds') ?? 7);
const PER_ROUND = 20_000;

/** The pipe as it was before the compiled validators (libs/common/src/validation/validation.pipe.ts). */
const oldPipe = new ValidationPipe({
  whitelist: true,
  forbidNonWhitelisted: false,
  transform: true,
  forbidUnknownValues: false,
  validationError: { target: false, value: false },
  exceptionFactory: () => new Error('invalid'),
});
const newPipe = createValidationPipe(() => new Error('invalid'));

/** parseReply as it was: class-transformer, then class-validator. */
function oldParseReply(dto, json) {
  const instance = plainToInstance(dto, json);
  if (validateSync(instance, { forbidUnknownValues: false }).length > 0) throw new Error('invalid');
  return instance;
}

// Inputs of the shape and size the stack sends: a 43-character PKCE verifier and challenge, a
// 43-character state and code, an ES256 access token of about 600 characters.
const b64 = (n) => 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM'.repeat(20).slice(0, n);
const token = `eyJhbGciOiJFUzI1NiIsInR5cCI6ImF0K2p3dCJ9.${b64(420)}.${b64(86)}`;
// Fastify's query parser (fast-querystring) gives a null-prototype object, as parseForm does.
const authorizeQuery = parseForm(
  new URLSearchParams({
    response_type: 'code',
    client_id: '1234',
    redirect_uri: 'http://localhost:5003/callback',
    scope: 'current_time',
    state: b64(43),
    code_challenge: b64(43),
    code_challenge_method: 'S256',
  }).toString(),
);
const tokenForm = parseForm(
  new URLSearchParams({
    grant_type: 'authorization_code',
    code: b64(43),
    redirect_uri: 'http://localhost:5003/callback',
    code_verifier: b64(43),
  }).toString(),
);
const introspectionForm = parseForm(
  new URLSearchParams({ token, token_type_hint: 'access_token' }).toString(),
);
const tokenAnswer = JSON.stringify({
  access_token: token,
  token_type: 'Bearer',
  expires_in: 5,
  scope: 'current_time',
});
const introspectionAnswer = JSON.stringify({
  active: true,
  scope: 'current_time',
  client_id: '1234',
  username: 'demo',
  sub: 'demo',
  aud: 'http://localhost:5002',
  iss: 'http://localhost:5001',
  exp: 1795943051,
  iat: 1795943046,
  jti: 'b1c2d3e4-f5a6-4b7c-8d9e-0f1a2b3c4d5e',
  token_type: 'Bearer',
});
const timeAnswer = JSON.stringify({ current_time: '2026-11-29T09:04:06+00:00', user: 'demo' });

const CASES = [
  ['AuthorizationRequestDto (query)', 'query', contracts.AuthorizationRequestDto, authorizeQuery],
  ['TokenRequestDto (form)', 'body', contracts.TokenRequestDto, tokenForm],
  ['IntrospectionRequestDto (form)', 'body', contracts.IntrospectionRequestDto, introspectionForm],
  ['TokenResponseDto (answer)', 'reply', contracts.TokenResponseDto, tokenAnswer],
  ['IntrospectionResponseDto (answer)', 'reply', contracts.IntrospectionResponseDto, introspectionAnswer],
  ['CurrentTimeResponseDto (answer)', 'reply', contracts.CurrentTimeResponseDto, timeAnswer],
];

void main();

async function main() {
  const rows = [];
  for (const [name, kind, dto, input] of CASES) {
    const metadata = { type: kind, metatype: dto };
    // Answers are parsed outside the timed part, as the HTTP client does before parseReply.
    const fresh =
      kind === 'reply' ? () => JSON.parse(input) : () => Object.assign(Object.create(null), input);
    const old =
      kind === 'reply'
        ? async (value) => oldParseReply(dto, value)
        : (value) => oldPipe.transform(value, metadata);
    const compiled =
      kind === 'reply'
        ? (value) => parseReply('bench', dto, value)
        : (value) => newPipe.transform(value, metadata);
    // Same answers first: a benchmark of a validator that refuses everything measures nothing.
    const [before, after] = [await old(fresh()), compiled(fresh())];
    if (JSON.stringify(before) !== JSON.stringify(after)) {
      throw new Error(`${name}: the two validators disagree`);
    }
    rows.push([name, await measure(old, fresh), await measure(async (v) => compiled(v), fresh)]);
  }
  const total = (index) => rows.reduce((sum, row) => sum + row[index], 0);
  console.log(`validation            µs per call, median of ${rounds} rounds x ${PER_ROUND}`);
  console.log(`${'DTO'.padEnd(36)} ${'class-validator'.padStart(15)} ${'compiled'.padStart(9)}`);
  for (const [name, old, compiled] of rows) {
    console.log(`${name.padEnd(36)} ${old.toFixed(2).padStart(15)} ${compiled.toFixed(2).padStart(9)}`);
  }
  console.log(
    `${'one user flow (the six together)'.padEnd(36)} ${total(1).toFixed(2).padStart(15)} ${total(2).toFixed(2).padStart(9)}`,
  );
}

/**
 * Median CPU microseconds per call. Both sides are awaited per call, as Nest awaits every pipe,
 * and each call gets its own copy of the input (the old pipe deletes keys from what it is
 * given), made before the clock starts.
 */
async function measure(validate, fresh) {
  const perCall = [];
  for (let round = 0; round < rounds + 1; round++) {
    const inputs = Array.from({ length: PER_ROUND }, fresh);
    const started = process.cpuUsage();
    for (const input of inputs) await validate(input);
    const used = process.cpuUsage(started);
    // The first round warms up (JIT, the validators' caches).
    if (round > 0) perCall.push((used.user + used.system) / PER_ROUND);
  }
  perCall.sort((a, b) => a - b);
  return perCall[Math.floor(perCall.length / 2)];
}

function argument(name) {
  const index = process.argv.indexOf(name);
  return index === -1 ? undefined : process.argv[index + 1];
}
