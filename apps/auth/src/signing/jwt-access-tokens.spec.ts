import { generateKeyPairSync } from 'node:crypto';
import { JwtService } from '@nestjs/jwt';
import type { AccessTokenClaims } from '@app/contracts';
import { T0, claimsFor } from '../../test/support/fakes';
import { compactJws, decodeJws, es256, hs256, unsigned } from '../../../../libs/common/test/jws';
import { JwtAccessTokens } from './jwt-access-tokens';
import { type KeySet, loadKeySet } from './key-set';

const ISSUER = 'http://localhost:5001';

describe('JwtAccessTokens', () => {
  const keys = loadKeySet();
  const kid = keys.current.kid;
  const tokens = new JwtAccessTokens(keys, ISSUER, 0);
  const claims: AccessTokenClaims = claimsFor({ iat: T0, exp: T0 + 5, jti: 'jti-1' });
  const header = { alg: 'ES256', typ: 'at+jwt', kid };

  /** A token made by hand exactly as the server makes it, then changed as each test says. */
  const forge = (
    headerChanges: object = {},
    claimChanges: object = {},
    signer = es256(keys.current.privateKey),
  ): string => compactJws({ ...header, ...headerChanges }, { ...claims, ...claimChanges }, signer);

  describe('sign', () => {
    it('round-trips: what it signs, it verifies to the same claims', () => {
      expect(tokens.verify(tokens.sign(claims), T0)).toEqual(claims);
    });

    it('writes an RFC 9068 header: typ at+jwt, alg ES256, kid of the JWKS key', () => {
      const { header: written } = decodeJws(tokens.sign(claims));
      expect(written).toEqual({ alg: 'ES256', typ: 'at+jwt', kid });
      expect(tokens.publicJwks().map((jwk) => jwk.kid)).toEqual([kid]);
    });

    it('writes the claims and nothing else', () => {
      expect(decodeJws(tokens.sign(claims)).payload).toEqual({ ...claims });
    });

    it('publishes only public key material', () => {
      expect(tokens.publicJwks()).toEqual([
        {
          kty: 'EC',
          crv: 'P-256',
          x: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
          y: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
          kid,
          use: 'sig',
          alg: 'ES256',
        },
      ]);
    });
  });

  describe('verify', () => {
    it('accepts a token forged exactly like its own (the control for the cases below)', () => {
      expect(tokens.verify(forge(), T0)).toEqual(claims);
    });

    it('accepts typ application/at+jwt (RFC 9068 2.1)', () => {
      expect(tokens.verify(forge({ typ: 'application/at+jwt' }), T0)).toEqual(claims);
    });

    it('rejects alg none', () => {
      expect(tokens.verify(forge({ alg: 'none' }, {}, unsigned), T0)).toBeUndefined();
    });

    it('rejects HS256 signed with the public key’s PEM as the secret', () => {
      const pem = keys.current.publicKey.export({ type: 'spki', format: 'pem' });
      expect(tokens.verify(forge({ alg: 'HS256' }, {}, hs256(pem)), T0)).toBeUndefined();
    });

    it('rejects HS256 signed with the public JWK as the secret', () => {
      const jwk = JSON.stringify(tokens.publicJwks()[0]);
      expect(tokens.verify(forge({ alg: 'HS256' }, {}, hs256(jwk)), T0)).toBeUndefined();
    });

    it('rejects a tampered payload', () => {
      const [head, , signature] = tokens.sign(claims).split('.');
      const payload = Buffer.from(JSON.stringify({ ...claims, sub: 'mallory' })).toString(
        'base64url',
      );
      expect(tokens.verify(`${head}.${payload}.${signature}`, T0)).toBeUndefined();
    });

    it('rejects a token signed by a foreign P-256 key under the known kid', () => {
      const foreign = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
      expect(tokens.verify(forge({}, {}, es256(foreign)), T0)).toBeUndefined();
    });

    it('rejects an unknown kid', () => {
      expect(tokens.verify(forge({ kid: 'someone-else' }), T0)).toBeUndefined();
    });

    it('rejects a token without kid', () => {
      expect(tokens.verify(forge({ kid: undefined }), T0)).toBeUndefined();
    });

    it('accepts a token one second before exp and rejects it at exp exactly', () => {
      const token = tokens.sign(claims);
      expect(tokens.verify(token, T0 + 4)).toEqual(claims);
      expect(tokens.verify(token, T0 + 5)).toBeUndefined();
    });

    it('tolerates the configured leeway past exp, and no more', () => {
      const lenient = new JwtAccessTokens(keys, ISSUER, 2);
      const token = tokens.sign(claims);
      expect(lenient.verify(token, T0 + 6)).toEqual(claims);
      expect(lenient.verify(token, T0 + 7)).toBeUndefined();
    });

    it('rejects a token of another issuer', () => {
      expect(tokens.verify(forge({}, { iss: 'http://evil.example' }), T0)).toBeUndefined();
      const elsewhere = new JwtAccessTokens(keys, 'http://auth:5001', 0);
      expect(elsewhere.verify(tokens.sign(claims), T0)).toBeUndefined();
    });

    it.each([
      ['typ JWT', { typ: 'JWT' }],
      ['no typ', { typ: undefined }],
      ['typ at+jwt with a suffix', { typ: 'at+jwtx' }],
    ])('rejects %s', (_name, changes) => {
      expect(tokens.verify(forge(changes), T0)).toBeUndefined();
    });

    it.each([
      ['an empty sub', { sub: '' }],
      ['no sub', { sub: undefined }],
      ['a scope that opens both endpoints', { scope: 'current_time epoch_time' }],
      ['no jti', { jti: undefined }],
      ['no client_id', { client_id: undefined }],
      ['an aud list', { aud: ['http://localhost:5002'] }],
    ])('rejects a well-signed token with %s', (_name, changes) => {
      expect(tokens.verify(forge({}, changes), T0)).toBeUndefined();
    });

    it.each(['', 'garbage', 'a.b.c', '.e30.', `${'a'.repeat(4097)}.e30.sig`])(
      'rejects %p',
      (token) => {
        expect(tokens.verify(token, T0)).toBeUndefined();
      },
    );

    it('accepts tokens of a previous key still in the key set', () => {
      const previous = loadKeySet();
      const rotated: KeySet = {
        current: keys.current,
        verification: new Map([...keys.verification, ...previous.verification]),
      };
      const old = new JwtAccessTokens(previous, ISSUER, 0).sign(claims);
      const verifier = new JwtAccessTokens(rotated, ISSUER, 0);
      expect(verifier.verify(old, T0)).toEqual(claims);
      expect(verifier.publicJwks().map((jwk) => jwk.kid)).toEqual([kid, previous.current.kid]);
      expect(tokens.verify(old, T0)).toBeUndefined();
    });
  });
});

describe('JwtAccessTokens: tokens of this process', () => {
  it('verifies a token it signed without a signature check, and only until it expires', () => {
    const tokens = new JwtAccessTokens(loadKeySet(), 'http://localhost:5001', 0);
    const claims = {
      iss: 'http://localhost:5001',
      sub: 'alice',
      aud: 'http://localhost:5002',
      client_id: '1234',
      scope: 'current_time' as const,
      iat: 1_000,
      exp: 1_005,
      jti: 'j-1',
    };
    const token = tokens.sign(claims);
    const verify = jest.spyOn(JwtService.prototype, 'verify');
    expect(tokens.verify(token, 1_004)).toEqual(claims);
    expect(verify).not.toHaveBeenCalled();
    expect(tokens.verify(token, 1_005)).toBeUndefined();
    // A copy with one byte changed is not the token we signed: it gets the full check and fails.
    const at = token.length - 2;
    const tampered = `${token.slice(0, at)}${token[at] === 'A' ? 'B' : 'A'}${token.slice(at + 1)}`;
    expect(tampered).not.toBe(token);
    expect(tokens.verify(tampered, 1_004)).toBeUndefined();
    expect(verify).toHaveBeenCalled();
    verify.mockRestore();
  });
});
