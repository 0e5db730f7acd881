import { createHash, generateKeyPairSync } from 'node:crypto';
import { InvalidJwkError, jwkThumbprint } from './jwk-thumbprint';

/** RFC 7638 3.1: the RSA key of RFC 7517 A.1 and its published thumbprint. */
const RFC7638_RSA = {
  kty: 'RSA',
  n:
    '0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRX' +
    'jBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaS' +
    'qzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksIN' +
    'HaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw',
  e: 'AQAB',
  alg: 'RS256',
  kid: '2011-04-29',
};

/** RFC 9449 4.1 (Figure 2) and 6.1 (Figure 8): the example proof key and its published `jkt`. */
const RFC9449_EC = {
  kty: 'EC',
  x: 'l8tFrhx-34tV3hRICRDY9zCkDlpBhF42UQUfWVAWBFs',
  y: '9VE4jf_Ok_o64zbTTlcuNJajHmt6v9TDVrU0CdvGRDA',
  crv: 'P-256',
};

/** RFC 8037 A.2 and A.3: the Ed25519 public key and its published thumbprint. */
const RFC8037_OKP = {
  kty: 'OKP',
  crv: 'Ed25519',
  x: '11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo',
};

describe('jwkThumbprint (RFC 7638)', () => {
  it('gives the RFC 7638 3.1 thumbprint of its RSA example, optional members ignored', () => {
    expect(jwkThumbprint(RFC7638_RSA)).toBe('NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs');
  });

  it('gives the jkt RFC 9449 publishes for its example EC P-256 key', () => {
    expect(jwkThumbprint(RFC9449_EC)).toBe('0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I');
  });

  it('gives the RFC 8037 A.3 thumbprint of its Ed25519 key', () => {
    expect(jwkThumbprint(RFC8037_OKP)).toBe('kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k');
  });

  it('hashes the required members only, in sorted order, whatever order the JWK has', () => {
    const reordered = {
      y: RFC9449_EC.y,
      crv: 'P-256',
      x: RFC9449_EC.x,
      kty: 'EC',
      kid: 'k',
      use: 'sig',
    };
    expect(jwkThumbprint(reordered)).toBe(jwkThumbprint(RFC9449_EC));
  });

  it.each(['P-256', 'P-384', 'P-521'] as const)(
    'thumbprints EC %s keys as Node exports them',
    (namedCurve) => {
      const jwk = generateKeyPairSync('ec', { namedCurve }).publicKey.export({ format: 'jwk' });
      // The RFC 7638 3.3 canonical form spelled out by hand.
      const canonical = `{"crv":"${namedCurve}","kty":"EC","x":"${jwk.x}","y":"${jwk.y}"}`;
      expect(jwkThumbprint(jwk)).toBe(createHash('sha256').update(canonical).digest('base64url'));
    },
  );

  it('refuses an unknown kty and a missing or non-string required member', () => {
    expect(() => jwkThumbprint({ kty: 'oct', k: 'c2VjcmV0' })).toThrow(
      new InvalidJwkError('cannot thumbprint a JWK of kty "oct"'),
    );
    expect(() => jwkThumbprint({ x: 'a', y: 'b', crv: 'P-256' })).toThrow(InvalidJwkError);
    expect(() => jwkThumbprint({ kty: 'toString' })).toThrow(InvalidJwkError);
    expect(() => jwkThumbprint({ kty: 'EC', crv: 'P-256', x: RFC9449_EC.x })).toThrow(
      new InvalidJwkError('a JWK of kty EC needs the string member y'),
    );
    expect(() => jwkThumbprint({ kty: 'RSA', n: RFC7638_RSA.n, e: 65537 })).toThrow(
      new InvalidJwkError('a JWK of kty RSA needs the string member e'),
    );
  });
});
