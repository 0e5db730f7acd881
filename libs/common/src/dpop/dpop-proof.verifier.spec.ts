import { constants, createHash, generateKeyPairSync, type KeyObject, sign } from 'node:crypto';
import { thrown } from '../../test/doubles';
import { compactJws, es256, hs256, unsigned } from '../../test/jws';
import type { Clock } from '../clock/clock.port';
import { InvalidDpopProofError } from './dpop.errors';
import { DpopKey } from './dpop-proof.signer';
import {
  DEFAULT_DPOP_SIGNING_ALGS,
  type DpopProofExpectations,
  type DpopSigningAlg,
  normalizeHtu,
  verifyDpopProof,
} from './dpop-proof.verifier';
import { InMemoryDpopReplayCache } from './in-memory-dpop-replay.cache';
import { rejectDpopReplay } from './dpop-replay.port';
import { jwkThumbprint } from './jwk-thumbprint';

const NOW = 1_800_000_000;
const fixedClock: Clock = { nowSeconds: () => NOW };
const URL_ = 'https://server.example.com/token';
const RESOURCE = 'https://rs.example.com/current_time';
const TOKEN = 'eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJl';

const tokenRequest: DpopProofExpectations = { method: 'POST', url: URL_, nowSeconds: NOW };

const athOf = (token: string): string => createHash('sha256').update(token).digest('base64url');

/** A proof for the token endpoint, correct in every respect unless told otherwise. */
function claims(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return { jti: 'jti-0123456789abcdef', htm: 'POST', htu: URL_, iat: NOW, ...overrides };
}

/** A JWS signer for any algorithm the verifier knows, as RFC 7518 / RFC 8037 define it. */
function signerFor(alg: DpopSigningAlg, key: KeyObject): (input: Buffer) => Buffer {
  const hash = `sha${alg.slice(2)}`;
  if (alg.startsWith('ES')) return (input) => sign(hash, input, { key, dsaEncoding: 'ieee-p1363' });
  if (alg.startsWith('PS')) {
    return (input) =>
      sign(hash, input, {
        key,
        padding: constants.RSA_PKCS1_PSS_PADDING,
        saltLength: constants.RSA_PSS_SALTLEN_DIGEST,
      });
  }
  if (alg.startsWith('RS')) return (input) => sign(hash, input, key);
  return (input) => sign(null, input, key);
}

interface TestKey {
  privateKey: KeyObject;
  jwk: Record<string, unknown>;
}

function testKey(pair: { privateKey: KeyObject; publicKey: KeyObject }): TestKey {
  return { privateKey: pair.privateKey, jwk: pair.publicKey.export({ format: 'jwk' }) };
}

const p256 = testKey(generateKeyPairSync('ec', { namedCurve: 'P-256' }));
const otherP256 = testKey(generateKeyPairSync('ec', { namedCurve: 'P-256' }));
const p384 = testKey(generateKeyPairSync('ec', { namedCurve: 'P-384' }));
const p521 = testKey(generateKeyPairSync('ec', { namedCurve: 'P-521' }));
const rsa = testKey(generateKeyPairSync('rsa', { modulusLength: 2048 }));
const ed25519 = testKey(generateKeyPairSync('ed25519'));

const keyFor: Record<DpopSigningAlg, TestKey> = {
  ES256: p256,
  ES384: p384,
  ES512: p521,
  PS256: rsa,
  PS384: rsa,
  PS512: rsa,
  RS256: rsa,
  RS384: rsa,
  RS512: rsa,
  Ed25519: ed25519,
  EdDSA: ed25519,
};

/** A proof signed with `key` for `alg`, the header and claims overridable. */
function proofWith(
  options: {
    alg?: DpopSigningAlg;
    key?: TestKey;
    header?: Record<string, unknown>;
    payload?: Record<string, unknown>;
  } = {},
): string {
  const alg = options.alg ?? 'ES256';
  const key = options.key ?? keyFor[alg];
  const header = { typ: 'dpop+jwt', alg, jwk: key.jwk, ...options.header };
  return compactJws(header, options.payload ?? claims(), signerFor(alg, key.privateKey));
}

/** The InvalidDpopProofError the verification throws. */
function refusal(proof: string, expectations: DpopProofExpectations = tokenRequest) {
  const err = thrown(() => verifyDpopProof(proof, expectations));
  expect(err).toBeInstanceOf(InvalidDpopProofError);
  return err as InvalidDpopProofError;
}

function expectRefused(
  proof: string,
  description: string,
  expectations: DpopProofExpectations = tokenRequest,
): InvalidDpopProofError {
  const err = refusal(proof, expectations);
  expect({ code: err.code, description: err.description }).toEqual({
    code: 'invalid_dpop_proof',
    description,
  });
  return err;
}

describe('verifyDpopProof (RFC 9449 4.3)', () => {
  describe('proofs that pass', () => {
    it('accepts a DpopKey proof and returns its thumbprint, jti, iat and replay window', () => {
      const key = DpopKey.generate(fixedClock);
      const proof = key.proof({ htm: 'POST', htu: URL_ });
      const verified = verifyDpopProof(proof, tokenRequest);
      const jti = JSON.parse(Buffer.from(proof.split('.')[1]!, 'base64url').toString()).jti;
      expect(verified).toEqual({
        jkt: key.thumbprint,
        jti,
        iat: NOW,
        replayKey: createHash('sha256').update(`${key.thumbprint}.${jti}`).digest('base64url'),
        expiresAt: NOW + 61,
      });
    });

    it('accepts the RFC 9449 Figure 2 example proof at its own iat, with the published jkt', () => {
      const rfcProof =
        'eyJ0eXAiOiJkcG9wK2p3dCIsImFsZyI6IkVTMjU2IiwiandrIjp7Imt0eSI6IkVDIiwieCI6Imw4dEZyaHgtMzR0VjNoUklDUkRZOXpDa0RscEJoRjQyVVFVZldWQVdCRnMiLCJ5IjoiOVZFNGpmX09rX282NHpiVFRsY3VOSmFqSG10NnY5VERWclUwQ2R2R1JEQSIsImNydiI6IlAtMjU2In19' +
        '.eyJqdGkiOiItQndDM0VTYzZhY2MybFRjIiwiaHRtIjoiUE9TVCIsImh0dSI6Imh0dHBzOi8vc2VydmVyLmV4YW1wbGUuY29tL3Rva2VuIiwiaWF0IjoxNTYyMjYyNjE2fQ' +
        '.2-GxA6T8lP4vfrg8v-FdWP0A0zdrj8igiMLvqRMUvwnQg4PtFLbdLXiOSsX0x7NVY-FNyJK70nfbV37xRZT3Lg';
      const verified = verifyDpopProof(rfcProof, { ...tokenRequest, nowSeconds: 1562262616 });
      expect(verified).toMatchObject({
        jkt: '0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I',
        jti: '-BwC3ESc6acc2lTc',
        iat: 1562262616,
      });
    });

    it('accepts a proof with ath, bound to the token key, at a resource', () => {
      const key = DpopKey.generate(fixedClock);
      const proof = key.proof({ htm: 'GET', htu: RESOURCE, accessToken: TOKEN });
      const verified = verifyDpopProof(proof, {
        method: 'GET',
        url: RESOURCE,
        nowSeconds: NOW,
        accessToken: TOKEN,
        jkt: key.thumbprint,
      });
      expect(verified.jkt).toBe(key.thumbprint);
    });

    it('ignores ath when no access token goes with the proof (the token endpoint)', () => {
      expect(
        verifyDpopProof(proofWith({ payload: claims({ ath: athOf('any') }) }), tokenRequest).jkt,
      ).toBe(jwkThumbprint(p256.jwk));
    });

    it('accepts iat at both edges of the window, and a custom window', () => {
      for (const iat of [NOW - 60, NOW + 5]) {
        expect(verifyDpopProof(proofWith({ payload: claims({ iat }) }), tokenRequest).iat).toBe(
          iat,
        );
      }
      const proof = proofWith({ payload: claims({ iat: NOW - 300 }) });
      const verified = verifyDpopProof(proof, { ...tokenRequest, maxAgeSeconds: 300 });
      expect(verified.expiresAt).toBe(NOW + 1);
    });

    it('ignores the query and the fragment, on both sides', () => {
      const proof = proofWith({ payload: claims({ htu: `${URL_}?a=1#frag` }) });
      expect(() => verifyDpopProof(proof, { ...tokenRequest, url: `${URL_}?b=2` })).not.toThrow();
      expect(() =>
        verifyDpopProof(proofWith(), { ...tokenRequest, url: `${URL_}#x` }),
      ).not.toThrow();
    });

    it.each([
      ['scheme and host case', 'HTTPS://Server.EXAMPLE.com/token'],
      ['the default port', 'https://server.example.com:443/token'],
      ['percent-encoded unreserved characters', 'https://server.example.com/%74oken'],
      ['dot segments', 'https://server.example.com/a/../token'],
    ])('compares htu after RFC 3986 normalisation: %s', (_what, htu) => {
      expect(() =>
        verifyDpopProof(proofWith({ payload: claims({ htu }) }), tokenRequest),
      ).not.toThrow();
    });

    it('matches the server nonce, or any of the nonces it still accepts', () => {
      const proof = proofWith({ payload: claims({ nonce: 'n-2' }) });
      expect(() => verifyDpopProof(proof, { ...tokenRequest, nonce: 'n-2' })).not.toThrow();
      expect(() =>
        verifyDpopProof(proof, { ...tokenRequest, nonce: ['n-1', 'n-2'] }),
      ).not.toThrow();
    });

    it.each(DEFAULT_DPOP_SIGNING_ALGS)('accepts %s under the default list', (alg) => {
      expect(verifyDpopProof(proofWith({ alg }), tokenRequest).jkt).toBe(
        jwkThumbprint(keyFor[alg].jwk),
      );
    });
  });

  describe('proofs that fail, each with its own description', () => {
    it('a proof for another method, or the method in another case', () => {
      const err = expectRefused(
        proofWith({ payload: claims({ htm: 'GET' }) }),
        'the DPoP proof htm does not match the request method',
      );
      expect(err.detail).toBe('htm "GET", request POST');
      expectRefused(
        proofWith({ payload: claims({ htm: 'post' }) }),
        'the DPoP proof htm does not match the request method',
      );
    });

    it.each([
      ['another path', 'https://server.example.com/introspect'],
      ['the same path at another host', 'https://evil.example.com/token'],
      ['another scheme', 'http://server.example.com/token'],
      ['another port', 'https://server.example.com:8443/token'],
      ['a trailing slash', 'https://server.example.com/token/'],
      ['userinfo', 'https://user@server.example.com/token'],
    ])('a proof for another URL: %s', (_what, htu) => {
      expectRefused(
        proofWith({ payload: claims({ htu }) }),
        'the DPoP proof htu does not match the request URL',
      );
    });

    it('an htu that is no absolute http(s) URL', () => {
      for (const htu of ['/token', 'urn:example:token', 'ftp://server.example.com/token']) {
        expectRefused(
          proofWith({ payload: claims({ htu }) }),
          'the DPoP proof htu is not an absolute http(s) URL',
        );
      }
    });

    it('iat too old, and too far ahead', () => {
      const old = expectRefused(
        proofWith({ payload: claims({ iat: NOW - 61 }) }),
        'the DPoP proof is too old',
      );
      expect(old.detail).toBe(`iat ${NOW - 61} is 61 s before now; at most 60`);
      expectRefused(
        proofWith({ payload: claims({ iat: NOW + 6 }) }),
        'the DPoP proof iat is in the future',
      );
      expectRefused(
        proofWith({ payload: claims({ iat: NOW + 2 }) }),
        'the DPoP proof iat is in the future',
        {
          ...tokenRequest,
          maxFutureSkewSeconds: 1,
        },
      );
    });

    it('a replayed jti, through the replay cache', async () => {
      const cache = new InMemoryDpopReplayCache(fixedClock);
      const key = DpopKey.generate(fixedClock);
      const proof = key.proof({ htm: 'POST', htu: URL_ });
      await rejectDpopReplay(cache, verifyDpopProof(proof, tokenRequest));
      const err = await rejectDpopReplay(cache, verifyDpopProof(proof, tokenRequest)).catch(
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(InvalidDpopProofError);
      expect(err).toMatchObject({
        code: 'invalid_dpop_proof',
        description: 'the DPoP proof has been used before',
      });
      // Another proof of the same key is a first use.
      await expect(
        rejectDpopReplay(
          cache,
          verifyDpopProof(key.proof({ htm: 'POST', htu: URL_ }), tokenRequest),
        ),
      ).resolves.toBeUndefined();
    });

    it('a proof signed by another key than the token is bound to (cnf.jkt)', () => {
      const proof = proofWith({
        key: otherP256,
        payload: claims({ htm: 'GET', htu: RESOURCE, ath: athOf(TOKEN) }),
      });
      expectRefused(proof, 'the DPoP proof key is not the key the access token is bound to', {
        method: 'GET',
        url: RESOURCE,
        nowSeconds: NOW,
        accessToken: TOKEN,
        jkt: jwkThumbprint(p256.jwk),
      });
    });

    it('ath of another token, and no ath when a token is presented', () => {
      const atResource = { method: 'GET', url: RESOURCE, nowSeconds: NOW, accessToken: TOKEN };
      const other = proofWith({
        payload: claims({ htm: 'GET', htu: RESOURCE, ath: athOf(`${TOKEN}x`) }),
      });
      expectRefused(other, 'the DPoP proof ath does not match the access token', atResource);
      const none = proofWith({ payload: claims({ htm: 'GET', htu: RESOURCE }) });
      expectRefused(none, 'the DPoP proof has no ath claim for the access token', atResource);
    });

    it.each(['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'])(
      'a private member %s in the jwk header',
      (member) => {
        const err = expectRefused(
          proofWith({ header: { jwk: { ...p256.jwk, [member]: 'AAAA' } } }),
          'the DPoP proof jwk header must not contain a private key',
        );
        expect(err.detail).toBe(`jwk has private members ${member}`);
      },
    );

    it('a whole private EC key as the jwk header', () => {
      const privateJwk = p256.privateKey.export({ format: 'jwk' });
      expectRefused(
        proofWith({ header: { jwk: privateJwk } }),
        'the DPoP proof jwk header must not contain a private key',
      );
    });

    it('alg none, with or without a signature', () => {
      const header = { typ: 'dpop+jwt', alg: 'none', jwk: p256.jwk };
      expectRefused(
        compactJws(header, claims(), unsigned),
        'the DPoP proof must be signed (alg none)',
      );
      expectRefused(
        compactJws(header, claims(), es256(p256.privateKey)),
        'the DPoP proof must be signed (alg none)',
      );
    });

    it('HS256 with the jwk as the secret', () => {
      for (const secret of [
        JSON.stringify(p256.jwk),
        Buffer.from(p256.jwk.x as string, 'base64url'),
      ]) {
        const proof = compactJws(
          { typ: 'dpop+jwt', alg: 'HS256', jwk: p256.jwk },
          claims(),
          hs256(secret),
        );
        expectRefused(proof, 'the DPoP proof alg must be asymmetric');
      }
    });

    it('an alg that is asymmetric but not listed, or unknown', () => {
      for (const alg of ['RS256', 'PS256', 'EdDSA', 'Ed25519', 'ES384'] as const) {
        const err = expectRefused(proofWith({ alg }), 'the DPoP proof alg is not supported', {
          ...tokenRequest,
          algorithms: ['ES256'],
        });
        expect(err.detail).toBe(`alg ${alg}; accepted: ES256`);
      }
      expectRefused(
        proofWith({ header: { alg: 'ES256K' } }),
        'the DPoP proof alg is not supported',
      );
      expectRefused(proofWith({ header: { alg: undefined } }), 'the DPoP proof has no alg header');
    });

    it.each([['JWT'], ['application/dpop+jwt'], ['DPOP+JWT'], [undefined]])('typ %s', (typ) => {
      expectRefused(proofWith({ header: { typ } }), 'the DPoP proof typ header must be dpop+jwt');
    });

    it('a critical header parameter', () => {
      expectRefused(
        proofWith({ header: { crit: ['exp'], exp: 1 } }),
        'the DPoP proof has critical header parameters this server does not understand',
      );
    });

    it('no jwk, or a jwk that is no object', () => {
      expectRefused(proofWith({ header: { jwk: undefined } }), 'the DPoP proof has no jwk header');
      expectRefused(
        proofWith({ header: { jwk: jwkThumbprint(p256.jwk) } }),
        'the DPoP proof jwk header is not a JSON object',
      );
      expectRefused(
        proofWith({ header: { jwk: [p256.jwk] } }),
        'the DPoP proof jwk header is not a JSON object',
      );
    });

    it.each([
      ['ES256', p384],
      ['ES384', p256],
      ['RS256', p256],
      ['PS256', ed25519],
      ['EdDSA', p256],
      ['ES256', rsa],
    ] as const)('a jwk that does not match alg %s', (alg, key) => {
      // The key type is checked before the signature, so a junk signature does.
      const proof = compactJws({ typ: 'dpop+jwt', alg, jwk: key.jwk }, claims(), unsigned);
      expectRefused(`${proof}AAAA`, 'the DPoP proof jwk does not match its alg');
    });

    it('an EdDSA jwk on another curve', () => {
      const ed448 = generateKeyPairSync('ed448').publicKey.export({ format: 'jwk' });
      expectRefused(
        proofWith({ alg: 'EdDSA', header: { jwk: ed448 } }),
        'the DPoP proof jwk does not match its alg',
      );
    });

    it('a jwk that is no valid public key', () => {
      const offCurve = { ...p256.jwk, y: p256.jwk.x };
      expectRefused(
        proofWith({ header: { jwk: offCurve } }),
        'the DPoP proof jwk is not a valid public key',
      );
      expectRefused(
        proofWith({ header: { jwk: { ...p256.jwk, x: 42 } } }),
        'the DPoP proof jwk is not a valid public key',
      );
      expectRefused(
        proofWith({ header: { jwk: { kty: 'EC', crv: 'P-256' } } }),
        'the DPoP proof jwk is not a valid public key',
      );
    });

    it('an RSA key under 2048 bits', () => {
      const weak = testKey(generateKeyPairSync('rsa', { modulusLength: 1024 }));
      const err = expectRefused(
        proofWith({ alg: 'RS256', key: weak }),
        'the DPoP proof RSA key must have 2048 to 8192 bits',
      );
      expect(err.detail).toBe('modulus of 1024 bits');
      // A refused key is not kept among the imported ones: it is refused again.
      expectRefused(
        proofWith({ alg: 'PS256', key: weak }),
        'the DPoP proof RSA key must have 2048 to 8192 bits',
      );
    });

    it('a signature that does not verify: tampered claims, another key, a truncated signature', () => {
      const [header, , signature] = proofWith().split('.');
      const tampered = `${header}.${Buffer.from(JSON.stringify(claims({ htm: 'GET' }))).toString('base64url')}.${signature}`;
      expectRefused(tampered, 'the DPoP proof signature is invalid', {
        ...tokenRequest,
        method: 'GET',
      });
      const foreign = compactJws(
        { typ: 'dpop+jwt', alg: 'ES256', jwk: p256.jwk },
        claims(),
        es256(otherP256.privateKey),
      );
      expectRefused(foreign, 'the DPoP proof signature is invalid');
      expectRefused(proofWith().slice(0, -4), 'the DPoP proof signature is invalid');
      expectRefused(
        proofWith({ alg: 'RS256' }).slice(0, -4),
        'the DPoP proof signature is invalid',
      );
      expectRefused(
        compactJws({ typ: 'dpop+jwt', alg: 'ES256', jwk: p256.jwk }, claims(), unsigned),
        'the DPoP proof signature is invalid',
      );
    });

    it('a DER-encoded ECDSA signature instead of the JWS r || s form', () => {
      const der = compactJws({ typ: 'dpop+jwt', alg: 'ES256', jwk: p256.jwk }, claims(), (input) =>
        sign('sha256', input, p256.privateKey),
      );
      expectRefused(der, 'the DPoP proof signature is invalid');
    });

    it('malformed base64url', () => {
      const [header, payload, signature] = proofWith().split('.') as [string, string, string];
      for (const proof of [
        `${header}*.${payload}.${signature}`,
        `${header}.${payload}.${signature}+`,
        `${header}.${payload}=.${signature}`,
        `${header}.${payload}.${signature}AAA`,
      ]) {
        expectRefused(proof, 'the DPoP proof is not a compact JWS');
      }
    });

    it('a header or payload that is no JSON object', () => {
      const encode = (text: string | Buffer) => Buffer.from(text).toString('base64url');
      const [header, payload, signature] = proofWith().split('.') as [string, string, string];
      expectRefused(
        `${encode('{"typ":')}.${payload}.${signature}`,
        'the DPoP proof header is not a JSON object',
      );
      expectRefused(`.${payload}.${signature}`, 'the DPoP proof header is not a JSON object');
      expectRefused(
        `${encode('null')}.${payload}.${signature}`,
        'the DPoP proof header is not a JSON object',
      );
      expectRefused(
        `${header}.${encode('[1,2]')}.${signature}`,
        'the DPoP proof payload is not a JSON object',
      );
      expectRefused(
        `${header}.${encode('"jti"')}.${signature}`,
        'the DPoP proof payload is not a JSON object',
      );
      const badUtf8 = Buffer.concat([
        Buffer.from('{"jti":"'),
        Buffer.from([0xc3, 0x28]),
        Buffer.from('"}'),
      ]);
      expectRefused(
        `${header}.${encode(badUtf8)}.${signature}`,
        'the DPoP proof payload is not a JSON object',
      );
    });

    it('too few or too many segments (a JWE has five)', () => {
      const proof = proofWith();
      for (const shape of [
        proof.split('.').slice(0, 2).join('.'),
        `${proof}.AAAA`,
        `${proof}.AAAA.AAAA`,
        'not-a-jws',
      ]) {
        expectRefused(shape, 'the DPoP proof is not a compact JWS');
      }
    });

    it('an oversized proof, by default and by configuration', () => {
      const big = proofWith({ payload: claims({ pad: 'x'.repeat(8192) }) });
      const err = expectRefused(big, 'the DPoP proof is too large');
      expect(err.detail).toBe(`${big.length} characters, at most 8192`);
      expectRefused(proofWith(), 'the DPoP proof is too large', {
        ...tokenRequest,
        maxProofLength: 100,
      });
    });

    it.each(['jti', 'htm', 'htu', 'iat'])('a missing %s claim', (claim) => {
      expectRefused(
        proofWith({ payload: claims({ [claim]: undefined }) }),
        `the DPoP proof has no ${claim} claim`,
      );
    });

    it('claims of the wrong type, and an overlong jti', () => {
      expectRefused(
        proofWith({ payload: claims({ jti: 7 }) }),
        'the DPoP proof jti claim is not a non-empty string',
      );
      expectRefused(
        proofWith({ payload: claims({ jti: '' }) }),
        'the DPoP proof jti claim is not a non-empty string',
      );
      expectRefused(
        proofWith({ payload: claims({ htu: ['https://server.example.com/token'] }) }),
        'the DPoP proof htu claim is not a non-empty string',
      );
      expectRefused(
        proofWith({ payload: claims({ iat: String(NOW) }) }),
        'the DPoP proof iat claim is not a number',
      );
      expectRefused(
        proofWith({ payload: claims({ jti: 'j'.repeat(257) }) }),
        'the DPoP proof jti claim is too long',
      );
    });

    it('a missing or stale nonce, with the use_dpop_nonce code', () => {
      const missing = refusal(proofWith(), { ...tokenRequest, nonce: 'n-2' });
      expect(missing).toMatchObject({
        code: 'use_dpop_nonce',
        description: 'the DPoP proof must carry the server-provided nonce',
      });
      const stale = refusal(proofWith({ payload: claims({ nonce: 'n-1' }) }), {
        ...tokenRequest,
        nonce: 'n-2',
      });
      expect(stale).toMatchObject({
        code: 'use_dpop_nonce',
        description: 'the DPoP proof nonce is not the current server nonce',
      });
    });

    it('says only the description to the client: the message is the description', () => {
      const err = expectRefused(
        proofWith({ payload: claims({ htm: 'GET' }) }),
        'the DPoP proof htm does not match the request method',
      );
      expect(err).toMatchObject({ name: 'InvalidDpopProofError', message: err.description });
    });
  });

  it('throws a TypeError, not a proof error, when the server passes no absolute URL', () => {
    expect(() => verifyDpopProof(proofWith(), { ...tokenRequest, url: '/token' })).toThrow(
      new TypeError('DpopProofExpectations.url must be an absolute http(s) URL'),
    );
  });
});

describe('normalizeHtu (RFC 3986 6.2.2, 6.2.3)', () => {
  it.each([
    ['HTTPS://Server.Example.COM:443/a/./b/../c?q=1#f', 'https://server.example.com/a/c'],
    ['http://server.example.com:80', 'http://server.example.com/'],
    ['https://server.example.com:8443/x', 'https://server.example.com:8443/x'],
    ['https://server.example.com/%7euser/%2f%41', 'https://server.example.com/~user/%2FA'],
  ])('%s is %s', (input, normalised) => {
    expect(normalizeHtu(input)).toBe(normalised);
  });

  it('is undefined for what is no absolute http(s) URL', () => {
    expect(normalizeHtu('server.example.com/token')).toBeUndefined();
    expect(normalizeHtu('mailto:a@example.com')).toBeUndefined();
  });
});
