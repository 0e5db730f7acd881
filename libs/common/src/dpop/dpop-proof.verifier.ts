import { constants, createHash, createPublicKey, verify, type KeyObject } from 'node:crypto';
import { InvalidDpopProofError } from './dpop.errors';
import { jwkThumbprint } from './jwk-thumbprint';

// Why node:crypto and not a JOSE library. jose (jwtVerify + EmbeddedJWK) is the well-kept choice,
// but jose 6 is ESM-only: the webpack bundle would load it (Node 24 require(esm)), this project's
// Jest (CommonJS through ts-jest) does not without --experimental-vm-modules, which every suite
// that imports this folder would then need. It is also slower here. ES256, thousands of
// verifications per run, several runs on this project's shared 2-core machine: jose jwtVerify
// with EmbeddedJWK 405-522 µs per proof; this function 125-170 µs when the key was seen before
// (a client signs all its proofs with one key), 165-220 µs with a new key every time.
// jsonwebtoken (@nestjs/jwt) knows neither embedded keys nor `typ`, so it would do the signature
// only, which crypto.verify does in one call. What is hand-written below is the JWS framing and
// the RFC 9449 checks, which no library here does for us.

/**
 * The JWS algorithms this verifier implements, all asymmetric (RFC 9449 4.3 step 5), and the
 * default accepted list (the AS's `dpop_signing_alg_values_supported`, RFC 9449 5.1). `EdDSA`
 * is taken with Ed25519 keys only; `Ed25519` is its fully specified name (RFC 9864).
 * @see https://www.rfc-editor.org/rfc/rfc9449#section-5.1
 */
export const DEFAULT_DPOP_SIGNING_ALGS = [
  'ES256',
  'ES384',
  'ES512',
  'PS256',
  'PS384',
  'PS512',
  'RS256',
  'RS384',
  'RS512',
  'Ed25519',
  'EdDSA',
] as const;

export type DpopSigningAlg = (typeof DEFAULT_DPOP_SIGNING_ALGS)[number];

/** Whether `alg` names an algorithm this verifier implements (for checking configuration). */
export function isDpopSigningAlg(alg: string): alg is DpopSigningAlg {
  return (DEFAULT_DPOP_SIGNING_ALGS as readonly string[]).includes(alg);
}

/** The policy defaults; each can be overridden per call through the expectations. */
export const DPOP_PROOF_DEFAULTS = {
  /** How long after its `iat` a proof is accepted (RFC 9449 11.1 leaves the window to the server). */
  maxAgeSeconds: 60,
  /** How far ahead of this server's clock an `iat` may be (the client's clock running fast). */
  maxFutureSkewSeconds: 5,
  /** Longest proof accepted, in characters: an RSA-8192 proof with `ath` and `nonce` takes ~4000. */
  maxProofLength: 8192,
  /** Longest `jti` accepted; the RFC asks for 96 random bits, 16 base64url characters. */
  maxJtiLength: 256,
} as const;

/** What the request says and what the server expects of its proof. */
export interface DpopProofExpectations {
  /** The request's method; `htm` must equal it exactly (methods are case-sensitive). */
  method: string;
  /**
   * The request's absolute URL as clients address this server: the configured public origin plus
   * the path, never one built from a `Host` header. Query and fragment are ignored.
   */
  url: string;
  /** Now, in epoch seconds (the CLOCK port). */
  nowSeconds: number;
  /** The access token presented with the proof at a protected resource; `ath` must hash it. */
  accessToken?: string;
  /** The `cnf.jkt` of that access token; the proof's key must have this thumbprint. */
  jkt?: string;
  /** The server-provided nonce(s) currently accepted; absent: `nonce` is not checked. */
  nonce?: string | readonly string[];
  algorithms?: readonly DpopSigningAlg[];
  maxAgeSeconds?: number;
  maxFutureSkewSeconds?: number;
  maxProofLength?: number;
}

/** A proof that passed every check, with what the replay check needs. */
export interface VerifiedDpopProof {
  /** The RFC 7638 thumbprint of the proof's key: the `cnf.jkt` to bind a new token to. */
  jkt: string;
  jti: string;
  iat: number;
  /** A fixed-size key for the replay cache, from `jkt` and `jti`. */
  replayKey: string;
  /** Epoch second from which the proof is no longer accepted, so need no longer be remembered. */
  expiresAt: number;
}

interface AlgSpec {
  kty: 'EC' | 'RSA' | 'OKP';
  /** The curve an EC or OKP key must be on. */
  crv?: string;
  /** The digest passed to crypto.verify; EdDSA hashes internally (null). */
  hash: 'sha256' | 'sha384' | 'sha512' | null;
  /** The exact signature length in bytes, where the algorithm fixes it (RFC 7518 3.4, RFC 8037 3.1). */
  signatureBytes?: number;
  /** RSASSA-PSS rather than RSASSA-PKCS1-v1_5. */
  pss?: boolean;
}

const ALGS: Readonly<Record<DpopSigningAlg, AlgSpec>> = {
  ES256: { kty: 'EC', crv: 'P-256', hash: 'sha256', signatureBytes: 64 },
  ES384: { kty: 'EC', crv: 'P-384', hash: 'sha384', signatureBytes: 96 },
  ES512: { kty: 'EC', crv: 'P-521', hash: 'sha512', signatureBytes: 132 },
  PS256: { kty: 'RSA', hash: 'sha256', pss: true },
  PS384: { kty: 'RSA', hash: 'sha384', pss: true },
  PS512: { kty: 'RSA', hash: 'sha512', pss: true },
  RS256: { kty: 'RSA', hash: 'sha256' },
  RS384: { kty: 'RSA', hash: 'sha384' },
  RS512: { kty: 'RSA', hash: 'sha512' },
  Ed25519: { kty: 'OKP', crv: 'Ed25519', hash: null, signatureBytes: 64 },
  EdDSA: { kty: 'OKP', crv: 'Ed25519', hash: null, signatureBytes: 64 },
};

/** JWK members that carry private or symmetric key material (RFC 7518 6.2.2, 6.3.2, 6.4.1; RFC 8037 2). */
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'] as const;

/**
 * RSA bounds: RFC 7518 3.3 asks for 2048 bits at least; the upper bounds keep one verification
 * cheap (RSA-8192 with e = 65537 measured 261 µs here), since a large modulus or exponent would
 * make every forged proof cost the server milliseconds.
 */
const RSA_MIN_BITS = 2048;
const RSA_MAX_BITS = 8192;
const RSA_MAX_EXPONENT = 0xffff_ffffn;

const BASE64URL = /^[A-Za-z0-9_-]*$/;
const UTF8 = new TextDecoder('utf-8', { fatal: true });

function refuse(description: string, detail: string): never {
  throw new InvalidDpopProofError(description, detail);
}

/**
 * Checks a DPoP proof against the request it came with; returns its key's thumbprint and what the
 * replay check needs, or throws InvalidDpopProofError. The checks run in the order RFC 9449 4.3
 * lists them, except that the `jwk` is found to be public (step 7) before it is used (step 6).
 * Replay (step 11's `jti` uniqueness) is the caller's: see `rejectDpopReplay`.
 * @see https://www.rfc-editor.org/rfc/rfc9449#section-4.3
 */
export function verifyDpopProof(
  proof: string,
  expectations: DpopProofExpectations,
): VerifiedDpopProof {
  const expectedUrl = normalizeHtu(expectations.url);
  if (expectedUrl === undefined) {
    throw new TypeError('DpopProofExpectations.url must be an absolute http(s) URL');
  }
  // Step 2: one well-formed JWS in compact serialisation, of bounded size.
  const maxLength = expectations.maxProofLength ?? DPOP_PROOF_DEFAULTS.maxProofLength;
  if (proof.length > maxLength) {
    refuse('the DPoP proof is too large', `${proof.length} characters, at most ${maxLength}`);
  }
  const segments = proof.split('.');
  if (segments.length !== 3) {
    refuse('the DPoP proof is not a compact JWS', `${segments.length} dot-separated segments`);
  }
  const [encodedHeader, encodedPayload, encodedSignature] = segments as [string, string, string];
  const header = jsonSegment(encodedHeader, 'header');
  const payload = jsonSegment(encodedPayload, 'payload');
  const signature = base64urlSegment(encodedSignature, 'signature');

  // Step 3: the claims RFC 9449 4.2 requires, of the right types.
  const jti = requiredString(payload, 'jti');
  if (jti.length > DPOP_PROOF_DEFAULTS.maxJtiLength) {
    refuse('the DPoP proof jti claim is too long', `${jti.length} characters`);
  }
  const htm = requiredString(payload, 'htm');
  const htu = requiredString(payload, 'htu');
  const iat = payload.iat;
  if (iat === undefined) refuse('the DPoP proof has no iat claim', 'iat is missing');
  if (typeof iat !== 'number' || !Number.isFinite(iat)) {
    refuse('the DPoP proof iat claim is not a number', `iat is ${typeof iat}`);
  }

  // Step 4.
  if (header.typ !== 'dpop+jwt') {
    refuse('the DPoP proof typ header must be dpop+jwt', `typ is ${JSON.stringify(header.typ)}`);
  }
  // RFC 7515 4.1.11: an extension marked critical must be understood, and none is here.
  if (header.crit !== undefined) {
    refuse(
      'the DPoP proof has critical header parameters this server does not understand',
      `crit is ${JSON.stringify(header.crit)}`,
    );
  }

  // Step 5.
  const alg = header.alg;
  if (typeof alg !== 'string') refuse('the DPoP proof has no alg header', 'alg is missing');
  if (alg === 'none') refuse('the DPoP proof must be signed (alg none)', 'alg is none');
  if (/^HS\d+$/.test(alg)) {
    refuse('the DPoP proof alg must be asymmetric', `alg is ${alg}, a MAC`);
  }
  const accepted = expectations.algorithms ?? DEFAULT_DPOP_SIGNING_ALGS;
  if (!isDpopSigningAlg(alg) || !accepted.includes(alg)) {
    refuse('the DPoP proof alg is not supported', `alg ${alg}; accepted: ${accepted.join(' ')}`);
  }
  const spec = ALGS[alg];

  // Step 7, then step 6.
  const jwk = publicJwk(header.jwk, alg, spec);
  const key = importKey(jwk, alg, spec);
  if (!signatureValid(spec, key, `${encodedHeader}.${encodedPayload}`, signature)) {
    refuse('the DPoP proof signature is invalid', `${alg} signature does not verify under its jwk`);
  }

  // Step 8.
  if (htm !== expectations.method) {
    refuse(
      'the DPoP proof htm does not match the request method',
      `htm ${JSON.stringify(htm)}, request ${expectations.method}`,
    );
  }
  // Step 9.
  const normalizedHtu = normalizeHtu(htu);
  if (normalizedHtu === undefined) {
    refuse('the DPoP proof htu is not an absolute http(s) URL', 'htu does not parse');
  }
  if (normalizedHtu !== expectedUrl) {
    refuse(
      'the DPoP proof htu does not match the request URL',
      `htu ${JSON.stringify(normalizedHtu)}, request ${expectedUrl}`,
    );
  }
  // Step 10.
  if (expectations.nonce !== undefined) checkNonce(payload.nonce, expectations.nonce);
  // Step 11 (the window; the replay half is the caller's).
  const maxAge = expectations.maxAgeSeconds ?? DPOP_PROOF_DEFAULTS.maxAgeSeconds;
  const maxSkew = expectations.maxFutureSkewSeconds ?? DPOP_PROOF_DEFAULTS.maxFutureSkewSeconds;
  const now = expectations.nowSeconds;
  if (iat < now - maxAge) {
    refuse(
      'the DPoP proof is too old',
      `iat ${iat} is ${now - iat} s before now; at most ${maxAge}`,
    );
  }
  if (iat > now + maxSkew) {
    refuse(
      'the DPoP proof iat is in the future',
      `iat ${iat} is ${iat - now} s after now; at most ${maxSkew}`,
    );
  }
  // Step 12.
  if (expectations.accessToken !== undefined) checkAth(payload.ath, expectations.accessToken);
  const jkt = jwkThumbprint(jwk);
  if (expectations.jkt !== undefined && jkt !== expectations.jkt) {
    refuse(
      'the DPoP proof key is not the key the access token is bound to',
      `proof key ${jkt}, token cnf.jkt ${expectations.jkt}`,
    );
  }

  return {
    jkt,
    jti,
    iat,
    replayKey: createHash('sha256').update(`${jkt}.${jti}`, 'utf8').digest('base64url'),
    // Accepted while iat >= now - maxAge, so through the second iat + maxAge.
    expiresAt: Math.floor(iat) + maxAge + 1,
  };
}

/**
 * RFC 3986 6.2.2 syntax-based and 6.2.3 scheme-based normalisation of an absolute http(s) URL,
 * without its query and fragment (RFC 9449 4.3 step 9); undefined when it is not one.
 * @see https://www.rfc-editor.org/rfc/rfc9449#section-4.3
 */
export function normalizeHtu(value: string): string | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return undefined;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return undefined;
  // WHATWG URL parsing already lowercases scheme and host, drops the default port, removes dot
  // segments and gives an empty path "/". Left to do: percent-encodings (RFC 3986 6.2.2.1-2),
  // hex digits in upper case and unreserved characters decoded.
  url.pathname = url.pathname.replace(/%[0-9A-Fa-f]{2}/g, (encoded) => {
    const char = String.fromCharCode(Number.parseInt(encoded.slice(1), 16));
    return /^[A-Za-z0-9._~-]$/.test(char) ? char : encoded.toUpperCase();
  });
  url.search = '';
  url.hash = '';
  // Userinfo stays in: an htu carrying one names another target than the server's own URL.
  return url.href;
}

function base64urlSegment(segment: string, part: string): Buffer {
  // Buffer's decoder skips characters outside the alphabet, so the alphabet is checked first;
  // a length of 4n+1 cannot come from any byte string.
  if (!BASE64URL.test(segment) || segment.length % 4 === 1) {
    refuse('the DPoP proof is not a compact JWS', `the ${part} segment is not base64url`);
  }
  return Buffer.from(segment, 'base64url');
}

function jsonSegment(segment: string, part: 'header' | 'payload'): Record<string, unknown> {
  const bytes = base64urlSegment(segment, part);
  let value: unknown;
  try {
    value = JSON.parse(UTF8.decode(bytes));
  } catch {
    refuse(`the DPoP proof ${part} is not a JSON object`, `the ${part} is not UTF-8 JSON`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    refuse(`the DPoP proof ${part} is not a JSON object`, `the ${part} is JSON but no object`);
  }
  return value as Record<string, unknown>;
}

function requiredString(payload: Record<string, unknown>, claim: string): string {
  const value = payload[claim];
  if (value === undefined) refuse(`the DPoP proof has no ${claim} claim`, `${claim} is missing`);
  if (typeof value !== 'string' || value.length === 0) {
    refuse(
      `the DPoP proof ${claim} claim is not a non-empty string`,
      `${claim} is ${typeof value}`,
    );
  }
  return value;
}

/** The `jwk` header as a public key of the type `alg` needs, private members refused. */
function publicJwk(value: unknown, alg: DpopSigningAlg, spec: AlgSpec): Record<string, unknown> {
  if (value === undefined) refuse('the DPoP proof has no jwk header', 'jwk is missing');
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    refuse('the DPoP proof jwk header is not a JSON object', `jwk is ${typeof value}`);
  }
  const jwk = value as Record<string, unknown>;
  const secret = PRIVATE_MEMBERS.filter((member) => Object.hasOwn(jwk, member));
  if (secret.length > 0) {
    refuse(
      'the DPoP proof jwk header must not contain a private key',
      `jwk has private members ${secret.join(' ')}`,
    );
  }
  if (jwk.kty !== spec.kty || (spec.crv !== undefined && jwk.crv !== spec.crv)) {
    refuse(
      'the DPoP proof jwk does not match its alg',
      `alg ${alg} needs kty ${spec.kty}${spec.crv === undefined ? '' : ` crv ${spec.crv}`}; ` +
        `jwk has kty ${JSON.stringify(jwk.kty)} crv ${JSON.stringify(jwk.crv)}`,
    );
  }
  return jwk;
}

/**
 * Keys imported lately, by their members: a client signs all its proofs with one key, and
 * importing a JWK is a third of a verification (createPublicKey 76 µs of ~230 µs, measured).
 * Bounded, oldest first out; a flood of fresh keys costs the imports it would cost anyway.
 */
const IMPORTED_KEYS_MAX = 1024;
const importedKeys = new Map<string, KeyObject>();

/** The public key from the JWK's required members only, within the RSA bounds. */
function importKey(jwk: Record<string, unknown>, alg: DpopSigningAlg, spec: AlgSpec): KeyObject {
  const members: Record<string, unknown> =
    spec.kty === 'EC'
      ? { kty: 'EC', crv: jwk.crv, x: jwk.x, y: jwk.y }
      : spec.kty === 'OKP'
        ? { kty: 'OKP', crv: jwk.crv, x: jwk.x }
        : { kty: 'RSA', n: jwk.n, e: jwk.e };
  if (!Object.values(members).every((member) => typeof member === 'string')) {
    refuse('the DPoP proof jwk is not a valid public key', `a ${spec.kty} member is not a string`);
  }
  const cacheKey = JSON.stringify(members);
  const cached = importedKeys.get(cacheKey);
  if (cached !== undefined) return cached;
  let key: KeyObject;
  try {
    key = createPublicKey({ key: members, format: 'jwk' });
  } catch (err) {
    refuse('the DPoP proof jwk is not a valid public key', `${alg}: ${(err as Error).message}`);
  }
  if (spec.kty === 'RSA') {
    const { modulusLength = 0, publicExponent = 0n } = key.asymmetricKeyDetails ?? {};
    if (modulusLength < RSA_MIN_BITS || modulusLength > RSA_MAX_BITS) {
      refuse(
        `the DPoP proof RSA key must have ${RSA_MIN_BITS} to ${RSA_MAX_BITS} bits`,
        `modulus of ${modulusLength} bits`,
      );
    }
    if (publicExponent > RSA_MAX_EXPONENT) {
      refuse(
        'the DPoP proof RSA key has too large an exponent',
        `e of ${publicExponent.toString(2).length} bits`,
      );
    }
  }
  if (importedKeys.size >= IMPORTED_KEYS_MAX) {
    importedKeys.delete(importedKeys.keys().next().value as string);
  }
  importedKeys.set(cacheKey, key);
  return key;
}

function signatureValid(
  spec: AlgSpec,
  key: KeyObject,
  signingInput: string,
  signature: Buffer,
): boolean {
  if (spec.signatureBytes !== undefined && signature.length !== spec.signatureBytes) return false;
  const data = Buffer.from(signingInput, 'ascii');
  try {
    if (spec.kty === 'EC') {
      return verify(spec.hash, data, { key, dsaEncoding: 'ieee-p1363' }, signature);
    }
    if (spec.pss) {
      // RFC 7518 3.5: the salt is as long as the digest.
      const options = {
        key,
        padding: constants.RSA_PKCS1_PSS_PADDING,
        saltLength: constants.RSA_PSS_SALTLEN_DIGEST,
      };
      return verify(spec.hash, data, options, signature);
    }
    return verify(spec.hash, data, key, signature);
  } catch {
    // OpenSSL throws on some malformed signatures rather than returning false.
    return false;
  }
}

function checkNonce(value: unknown, expected: string | readonly string[]): void {
  if (value === undefined) {
    throw new InvalidDpopProofError(
      'the DPoP proof must carry the server-provided nonce',
      'nonce is missing',
      'use_dpop_nonce',
    );
  }
  const accepted: readonly string[] = typeof expected === 'string' ? [expected] : expected;
  if (typeof value !== 'string' || !accepted.includes(value)) {
    throw new InvalidDpopProofError(
      'the DPoP proof nonce is not the current server nonce',
      'nonce is stale or unknown',
      'use_dpop_nonce',
    );
  }
}

/**
 * `ath` must be the hash of the presented token. Without a token (the token endpoint), `ath` is
 * not looked at: RFC 9449 4.2 requires it only with a token and allows other claims, and the
 * proof stays bound to its request by `htm`, `htu`, `iat` and `jti`.
 * @see https://www.rfc-editor.org/rfc/rfc9449#section-4.2
 */
function checkAth(value: unknown, accessToken: string): void {
  if (value === undefined) {
    refuse('the DPoP proof has no ath claim for the access token', 'ath is missing');
  }
  const ath = createHash('sha256').update(accessToken, 'ascii').digest('base64url');
  if (value !== ath) {
    refuse(
      'the DPoP proof ath does not match the access token',
      'ath is the hash of another token',
    );
  }
}
