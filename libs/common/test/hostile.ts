import { Readable } from 'node:stream';
import fc from 'fast-check';
import type { InjectOptions, LightMyRequestResponse } from 'fastify';

/**
 * Arbitraries for hostile HTTP input and the one assertion every answer must pass: below 500,
 * JSON errors of exactly `{error, error_description}`, and an `X-Request-ID` on everything.
 * Shared by the hostile-input specs of the three apps.
 */

export const METHODS = ['GET', 'POST', 'PUT', 'DELETE', 'PATCH'] as const;
export type Method = (typeof METHODS)[number];

/**
 * fast-check settings for each property: enough runs to matter, and a hang fails the run.
 * `FC_NUM_RUNS=5000 npx jest ...` searches harder.
 */
export const RUNS = { numRuns: Number(process.env.FC_NUM_RUNS ?? 150), timeout: 5_000 } as const;

/** Jest's limit for one property: generous, since fast-check's `timeout` already catches a hang. */
export const PROPERTY_TIMEOUT_MS = Math.max(30_000, RUNS.numRuns * 40);

/** The limit of a body (config.bodyLimit's default). */
export const BODY_LIMIT = 16_384;

/** What the request id of an answer may look like: an echoed sane id or a fresh UUID. */
export const SANE_REQUEST_ID = /^[A-Za-z0-9][A-Za-z0-9._:@/+=-]{0,127}$/;

/** Names with a meaning somewhere in the stack, and names that have bitten JavaScript before. */
export const PARAMETER_NAMES = [
  'response_type',
  'client_id',
  'redirect_uri',
  'scope',
  'state',
  'code_challenge',
  'code_challenge_method',
  'access_token',
  'grant_type',
  'code',
  'code_verifier',
  'client_secret',
  'token',
  'token_type_hint',
  'username',
  'password',
] as const;

export const PROTOTYPE_NAMES = [
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'hasOwnProperty',
  'valueOf',
  '__proto__[polluted]',
  'constructor[prototype][polluted]',
  '__defineGetter__',
  'a[b]',
  'a[]',
  'a.b',
] as const;

/** Values that have broken parsers, decoders and validators. */
const GARBAGE = [
  '',
  ' ',
  '%',
  '%%',
  '%zz',
  '%00',
  '%0',
  '%u0041',
  '%E0%A4%A',
  '%C0%AF',
  '%FF%FE',
  '+',
  '&',
  '=',
  '==',
  ';',
  '..',
  '../../etc/passwd',
  '//evil.example',
  '\\',
  '<script>alert(1)</script>',
  '<html>',
  "'",
  '"',
  '{}',
  '[]',
  '{"a":1}',
  'null',
  'undefined',
  'NaN',
  '-1',
  '1e309',
  '0x10',
  'true',
  '__proto__',
  'constructor',
  '\u0000',
  '\r\n',
  '\n',
  '\t',
  '\uFEFF',
  '\uD800',
  '\uDFFF',
  '\uFFFD',
  '\u202E',
  '\u{1F600}',
  '\u00FF',
  '\u00E4',
  'current_time',
  'epoch_time',
  'current_time epoch_time',
  'openid',
  'code',
  'token',
  'S256',
  'plain',
  'authorization_code',
  'client_credentials',
  'refresh_token',
  '1234',
  'qwerty',
  'resource-server',
  'resource-secret',
  'http://localhost:5003/callback',
  'http://localhost:5003/callback?x=1',
  'http://localhost:5003/callback#frag',
  'http://localhost:5003/callback/',
  'HTTP://LOCALHOST:5003/callback',
  'http://evil.example/callback',
  'javascript:alert(1)',
  'data:text/html,<script>',
  'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
  'dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk',
  'eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.',
  'eyJhbGciOiJFUzI1NiIsInR5cCI6ImF0K2p3dCJ9.e30.AAAA',
] as const;

/** Any UTF-16 code unit, lone surrogates included. */
const codeUnit = fc.integer({ min: 0, max: 0xffff }).map((unit) => String.fromCharCode(unit));

/** Strings up to `max` (10 KB by default) of one repeated garbage piece. */
export function longString(min = 0, max = 10_240): fc.Arbitrary<string> {
  return fc
    .tuple(
      fc.integer({ min, max }),
      fc.constantFrom('a', 'A=', '%', '%zz', '\u00e9', '\u0000', '&a=b', '\u{1F600}', '+'),
    )
    .map(([length, piece]) => piece.repeat(Math.ceil(length / piece.length)).slice(0, length));
}

/** A value an attacker might put anywhere: garbage, random text, unicode, or 10 KB of it. */
export const hostileText: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...GARBAGE) },
  { weight: 3, arbitrary: fc.string({ maxLength: 40 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  { weight: 2, arbitrary: fc.string({ unit: codeUnit, maxLength: 20 }) },
  { weight: 1, arbitrary: longString() },
);

/** A parameter name: a real one, a prototype trap, or anything. */
export const hostileName: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...PARAMETER_NAMES) },
  { weight: 2, arbitrary: fc.constantFrom(...PROTOTYPE_NAMES) },
  { weight: 2, arbitrary: hostileText },
);

const UNRESERVED = /[A-Za-z0-9\-._~]/;

/** Percent-encodes every byte of `bytes` but the unreserved ones. */
export function percentEncodeBytes(bytes: Uint8Array): string {
  let out = '';
  for (const byte of bytes) {
    const char = String.fromCharCode(byte);
    out += UNRESERVED.test(char) ? char : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** Percent-encodes the UTF-8 of `text` (lone surrogates become U+FFFD, as on the wire). */
export function percentEncode(text: string): string {
  return percentEncodeBytes(Buffer.from(text, 'utf8'));
}

/** Printable ASCII sent as it is, so that `%`, `%zz`, `&` and `=` reach the parser raw. */
const rawAscii = fc.string({
  unit: fc.integer({ min: 0x21, max: 0x7e }).map((code) => String.fromCharCode(code)),
  maxLength: 30,
});

/** One name or value as it appears in a query string or form body. */
function component(text: fc.Arbitrary<string>): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 5, arbitrary: text.map(percentEncode) },
    { weight: 2, arbitrary: rawAscii.map((raw) => raw.replace(/#/g, '%23')) },
    { weight: 1, arbitrary: fc.uint8Array({ maxLength: 24 }).map(percentEncodeBytes) },
  );
}

/** A `name=value` pair, a bare name, or an empty piece. */
const pair: fc.Arbitrary<string> = fc.oneof(
  { weight: 8, arbitrary: fc.tuple(component(hostileName), component(hostileText)).map(join) },
  { weight: 1, arbitrary: component(hostileName) },
  { weight: 1, arbitrary: fc.constantFrom('', '=', '&', '==', '=x', 'a==b') },
);

function join([name, value]: [string, string]): string {
  return `${name}=${value}`;
}

/** A query string or form body of random pairs, some of them repeated. */
export const hostileEncodedPairs: fc.Arbitrary<string> = fc
  .array(pair, { maxLength: 12 })
  .chain((pairs) =>
    fc
      .subarray(pairs)
      .chain((repeated) => fc.shuffledSubarray([...pairs, ...repeated], { minLength: 0 }))
      .map((shuffled) => shuffled.join('&')),
  );

export type Parameters = Record<string, string>;

/** `usual` three times in four, else something from `other`. */
export function mostly<T>(usual: T, other: fc.Arbitrary<T>): fc.Arbitrary<T> {
  return fc.oneof({ weight: 3, arbitrary: fc.constant(usual) }, { weight: 1, arbitrary: other });
}

/** `base` without the parameters `names`. */
export function without(base: Parameters, ...names: string[]): Parameters {
  return Object.fromEntries(Object.entries(base).filter(([name]) => !names.includes(name)));
}

/**
 * A good set of parameters, mutated: some dropped, some replaced by hostile values, some sent
 * twice, hostile pairs appended. Reaches the logic behind the validators.
 */
export function mutatedParameters(base: Parameters): fc.Arbitrary<string> {
  const names = Object.keys(base);
  return fc
    .record({
      dropped: mostly<string[]>([], fc.subarray(names, { maxLength: 2 })),
      replaced: fc.dictionary(fc.constantFrom(...names), hostileText, { maxKeys: 2 }),
      repeated: mostly<string[]>([], fc.subarray(names, { minLength: 1, maxLength: 1 })),
      extra: mostly('', hostileEncodedPairs),
    })
    .map(({ dropped, replaced, repeated, extra }) => {
      const pieces: string[] = [];
      for (const name of names) {
        if (dropped.includes(name)) continue;
        const value = Object.prototype.hasOwnProperty.call(replaced, name)
          ? (replaced[name] ?? '')
          : (base[name] ?? '');
        pieces.push(`${percentEncode(name)}=${percentEncode(value)}`);
      }
      for (const name of repeated) pieces.push(`${percentEncode(name)}=${percentEncode('x')}`);
      if (extra !== '') pieces.push(extra);
      return pieces.join('&');
    });
}

/** Header values as they can arrive on the wire: visible ASCII, space, tab and obs-text. */
export function headerText(maxLength = 60): fc.Arbitrary<string> {
  return fc.string({
    unit: fc
      .oneof(fc.integer({ min: 0x20, max: 0x7e }), fc.integer({ min: 0x80, max: 0xff }))
      .map((code) => String.fromCharCode(code)),
    maxLength,
  });
}

function base64(text: string | Uint8Array): string {
  return Buffer.from(text).toString('base64');
}

/** `Authorization` headers: good and bad Basic, Bearer, other schemes, garbage, none. */
export const hostileAuthorization: fc.Arbitrary<string | undefined> = fc.oneof(
  { weight: 2, arbitrary: fc.constant(undefined) },
  {
    weight: 3,
    arbitrary: fc
      .tuple(hostileText, hostileText)
      .map(([user, password]) => `Basic ${base64(`${user}:${password}`)}`),
  },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      `Basic ${base64('alice:wonderland')}`,
      `Basic ${base64('1234:qwerty')}`,
      `Basic ${base64('resource-server:resource-secret')}`,
      `Basic ${base64(':')}`,
      `Basic ${base64(':password')}`,
      `Basic ${base64('alice:')}`,
      `Basic ${base64('nocolon')}`,
      `Basic ${base64('')}`,
      `Basic ${base64('a%zz:b')}`,
      `Basic ${base64('1234%:qwerty')}`,
      `Basic ${base64(Uint8Array.of(0x61, 0xff, 0x3a, 0x62))}`,
      'Basic',
      'Basic ',
      'Basic    ',
      'Basic =',
      'Basic ====',
      'Basic %%%',
      'Basic YWxpY2U6eA',
      'Basic YWxpY2U6eA===',
      'Basic\tYWxpY2U6eA==',
      'Basic  YWxpY2U6eA==',
      'Bearer',
      'Bearer ',
      '',
      ' ',
    ),
  },
  { weight: 1, arbitrary: fc.base64String({ maxLength: 80 }).map((value) => `Basic ${value}`) },
  { weight: 1, arbitrary: headerText().map((value) => `Basic ${value}`) },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 40 }).map((b) => `Basic ${base64(b)}`) },
  { weight: 1, arbitrary: hostileText.map((text) => `Basic ${base64(text.replace(/:/g, ''))}`) },
  {
    weight: 1,
    arbitrary: fc.integer({ min: 4_000, max: 10_000 }).map((n) => `Basic ${'A'.repeat(n)}`),
  },
  {
    weight: 2,
    arbitrary: fc
      .tuple(
        fc.constantFrom(
          'Basic',
          'basic',
          'BASIC',
          'Bearer',
          'bearer',
          'DPoP',
          'Digest',
          'Negotiate',
          '',
        ),
        fc.constantFrom(' ', '', '  ', '\t'),
        headerText(),
      )
      .map(([scheme, gap, rest]) => `${scheme}${gap}${rest}`),
  },
  { weight: 1, arbitrary: headerText(200) },
);

export const FORM_TYPES = [
  'application/x-www-form-urlencoded',
  'application/x-www-form-urlencoded; charset=utf-8',
  'application/x-www-form-urlencoded;charset=UTF-8',
] as const;

/** `Content-Type` headers, a form among them now and then; undefined means none. */
export const hostileContentType: fc.Arbitrary<string | undefined> = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom<string | undefined>(...FORM_TYPES) },
  {
    weight: 4,
    arbitrary: fc.constantFrom<string | undefined>(
      undefined,
      '',
      'application/json',
      'application/json; charset=utf-8',
      'text/plain',
      'text/plain; charset=utf-8',
      'text/html',
      'multipart/form-data',
      'multipart/form-data; boundary=x',
      'application/xml',
      'application/octet-stream',
      'application/x-www-form-urlencoded; charset=latin1',
      'application/x-www-form-urlencoded; charset=',
      'APPLICATION/X-WWW-FORM-URLENCODED',
      'application/x-www-form-urlencodedX',
      'application/x-www-form-urlencoded/json',
      'application/*',
      '*/*',
      '/',
      ';',
      ';;;',
      'garbage',
      'application/json; charset=utf-8; boundary="',
    ),
  },
  { weight: 2, arbitrary: headerText(80) },
);

/** What a body is made of: a form, raw bytes, JSON, multipart-looking text or nothing. */
export const hostileBody: fc.Arbitrary<string | Buffer | undefined> = fc.oneof(
  { weight: 4, arbitrary: hostileEncodedPairs },
  { weight: 2, arbitrary: fc.uint8Array({ maxLength: 2_048 }).map((bytes) => Buffer.from(bytes)) },
  {
    weight: 1,
    arbitrary: fc.jsonValue({ maxDepth: 3 }).map((value) => JSON.stringify(value) ?? 'null'),
  },
  {
    weight: 1,
    arbitrary: hostileText.map(
      (text) =>
        `--x\r\nContent-Disposition: form-data; name="grant_type"\r\n\r\n${text}\r\n--x--\r\n`,
    ),
  },
  { weight: 1, arbitrary: fc.constantFrom<string | undefined>(undefined, '', '{', '\u0000') },
);

/** A body over the limit, as a string, as bytes, or streamed chunked without a length. */
export interface OversizedBody {
  kind: 'string' | 'buffer' | 'stream';
  /** `Transfer-Encoding: chunked` for a stream: a body on the wire has a length or that. */
  headers: Record<string, string>;
  /** The payload; a stream is consumed once, so it is made per request. */
  make: () => InjectOptions['payload'];
}

export const oversizedBody: fc.Arbitrary<OversizedBody> = fc
  .tuple(
    fc.constantFrom<OversizedBody['kind']>('string', 'buffer', 'stream'),
    longString(BODY_LIMIT + 1, 3 * BODY_LIMIT),
  )
  .map(([kind, text]) => {
    const padded = Buffer.byteLength(text) > BODY_LIMIT ? text : text.padEnd(BODY_LIMIT + 1, 'a');
    const headers: Record<string, string> =
      kind === 'stream' ? { 'transfer-encoding': 'chunked' } : {};
    return {
      kind,
      headers,
      make: (): InjectOptions['payload'] =>
        kind === 'string'
          ? padded
          : kind === 'buffer'
            ? Buffer.from(padded)
            : Readable.from(chunks(Buffer.from(padded), 4_096)),
      toString: () => `${kind} of ${Buffer.byteLength(padded)} bytes`,
    };
  });

function chunks(buffer: Buffer, size: number): Buffer[] {
  const out: Buffer[] = [];
  for (let offset = 0; offset < buffer.length; offset += size) {
    out.push(buffer.subarray(offset, offset + size));
  }
  return out;
}

/** A path segment: plain, percent-encoded unicode, raw garbage, or long. */
const segment: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.stringMatching(/^[a-z_.-]{0,12}$/) },
  { weight: 2, arbitrary: hostileText.map((text) => percentEncode(text.slice(0, 300))) },
  // No '#' or '?' (they end the path) and no backslash (light-my-request reads '/\' as '//host').
  { weight: 2, arbitrary: rawAscii.map((raw) => raw.replace(/[#?\\]/g, '')) },
  {
    weight: 1,
    arbitrary: fc.constantFrom('%', '%zz', '%00', '%2F', '%2e%2e', '..', '.', '', '%C0%AF', ';x'),
  },
);

/** Random paths; some are known paths with something appended or changed. */
export function hostilePath(known: readonly string[]): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 3, arbitrary: fc.array(segment, { minLength: 1, maxLength: 5 }).map(toPath) },
    {
      weight: 2,
      arbitrary: fc
        .tuple(fc.constantFrom(...known), fc.constantFrom('/', '/x', '%00', '.json', '//', '/..'))
        .map(([path, suffix]) => `${path}${suffix}`),
    },
    { weight: 1, arbitrary: fc.constantFrom(...known).map((path) => path.toUpperCase()) },
    { weight: 1, arbitrary: longString(1, 4_000).map((text) => `/${percentEncode(text)}`) },
  );
}

function toPath(segments: string[]): string {
  return `/${segments.join('/')}`;
}

/**
 * The path a request for `path` arrives with, normalised as light-my-request does it (`//x` is
 * a path, not a host; dot segments are resolved).
 */
export function pathnameOf(path: string): string {
  const base = 'http://localhost';
  return (path.startsWith('//') ? new URL(`${base}${path}`) : new URL(path, base)).pathname;
}

/**
 * Whether a path holds a percent-escape that does not decode (a `%` without two hex digits, or
 * bytes that are not UTF-8, such as `%C0%AF` or `%FF`), which Fastify's router refuses
 * (FST_ERR_BAD_URL) before any hook runs. See the known-bug property in the specs.
 */
export function hasBadPercentEscape(path: string): boolean {
  try {
    decodeURIComponent(pathnameOf(path));
    return false;
  } catch {
    return true;
  }
}

/** Paths that the router's `hasRoute` cannot read as a pattern (checked to throw). */
export const routePatternPath: fc.Arbitrary<string> = fc.constantFrom(
  '/*x',
  '/*!',
  '/*/',
  '/*.json',
  '/*/token',
  '/**',
  '/*%21',
  '/:a(*)',
  '/:a(',
  '/:a((',
);

/** Paths with a malformed percent-escape somewhere: `/%`, `/a%zz`, `/token%4`, ... */
export function badlyEscapedPath(known: readonly string[]): fc.Arbitrary<string> {
  return fc
    .tuple(
      fc.oneof(fc.constantFrom('', ...known), hostilePath(known)),
      fc.constantFrom(
        '%',
        '%z',
        '%zz',
        '%4',
        '%%',
        '%g0',
        '%%41',
        '%/',
        '%C0%AF',
        '%FF',
        '%E0%A4%A',
      ),
      fc.constantFrom('', '/', 'x', '/x'),
    )
    .map(([path, escape, tail]) => `${path === '' ? '/' : path}${escape}${tail}`);
}

/** Inbound X-Request-ID values, sane and not. */
export const hostileRequestId: fc.Arbitrary<string | undefined> = fc.oneof(
  fc.constant(undefined),
  fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9._:@/+=-]{0,127}$/),
  headerText(300),
  fc.constantFrom('', '-abc', 'a'.repeat(129), 'abc 123', '<script>"x"', '../..', '\u00ff'),
);

/** Only the headers that are set. */
export function headersOf(headers: Record<string, string | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) out[name] = value;
  }
  return out;
}

function headerOf(response: LightMyRequestResponse, name: string): string | undefined {
  const value = response.headers[name];
  if (Array.isArray(value)) return value.join(', ');
  return value === undefined ? undefined : String(value);
}

/** What a failing property prints about an answer. */
function describeAnswer(response: LightMyRequestResponse): string {
  return `${response.statusCode} ${headerOf(response, 'content-type') ?? '(no content-type)'} ${response.body.slice(0, 300)}`;
}

/** Fails with the answer in the message, so that the counterexample says what came back. */
function check(condition: boolean, what: string, response: LightMyRequestResponse): void {
  if (!condition) throw new Error(`${what}; the answer was: ${describeAnswer(response)}`);
}

/**
 * The contract for any answer to any request: never a 5xx; an X-Request-ID of sane form; an
 * error is JSON with exactly a string `error` and a string `error_description`; a 405 names
 * what is allowed; a redirect has a location and no body; a success is JSON. With
 * `upstreamFailures`, the 502, 503 and 504 that the contract prescribes for a failing upstream
 * are allowed too (in the same JSON shape).
 */
export function expectContractAnswer(
  response: LightMyRequestResponse,
  options: { upstreamFailures?: boolean } = {},
): void {
  const status = response.statusCode;
  const gateway = options.upstreamFailures === true && [502, 503, 504].includes(status);
  check(gateway || (status >= 200 && status < 500), 'the status must be 2xx, 3xx or 4xx', response);
  const requestId = headerOf(response, 'x-request-id');
  check(
    requestId !== undefined && SANE_REQUEST_ID.test(requestId),
    'X-Request-ID must be present and of sane form',
    response,
  );
  const contentType = headerOf(response, 'content-type') ?? '';
  if (status >= 400) {
    check(contentType.startsWith('application/json'), 'an error must be JSON', response);
    let body: unknown;
    try {
      body = JSON.parse(response.body);
    } catch {
      check(false, 'an error body must parse as JSON', response);
    }
    check(
      typeof body === 'object' && body !== null && !Array.isArray(body),
      'an error must be an object',
      response,
    );
    const record = body as Record<string, unknown>;
    check(
      Object.keys(record).sort().join(',') === 'error,error_description',
      'an error must have exactly error and error_description',
      response,
    );
    check(
      typeof record.error === 'string' && record.error.length > 0,
      'error must be a non-empty string',
      response,
    );
    check(
      typeof record.error_description === 'string',
      'error_description must be a string',
      response,
    );
    if (status === 405) {
      check((headerOf(response, 'allow') ?? '') !== '', 'a 405 must carry Allow', response);
    }
    return;
  }
  if (status >= 300) {
    check(status === 302, 'the only redirect is a 302', response);
    check((headerOf(response, 'location') ?? '') !== '', 'a redirect needs a location', response);
    check(response.body === '', 'a redirect has no body', response);
    return;
  }
  check(/^application\/([a-z-]+\+)?json/.test(contentType), 'a success must be JSON', response);
  check(isJson(response.body), 'a success body must parse as JSON', response);
}

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/** The parsed error body of a checked error answer. */
export function errorOf(response: LightMyRequestResponse): {
  error: string;
  error_description: string;
} {
  return JSON.parse(response.body) as { error: string; error_description: string };
}
