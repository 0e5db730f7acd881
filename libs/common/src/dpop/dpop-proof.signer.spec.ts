import { createHash, createPublicKey, type JsonWebKey, verify } from 'node:crypto';
import { decodeJws } from '../../test/jws';
import type { Clock } from '../clock/clock.port';
import { DpopKey } from './dpop-proof.signer';
import { jwkThumbprint } from './jwk-thumbprint';

const NOW = 1_800_000_000;

class StepClock implements Clock {
  now = NOW;
  nowSeconds(): number {
    return this.now;
  }
}

describe('DpopKey (RFC 9449 4.2)', () => {
  const clock = new StepClock();
  const key = DpopKey.generate(clock);

  it('signs a compact JWS with typ dpop+jwt, ES256 and the public jwk only', () => {
    const { header, signingInput, signature } = decodeJws(
      key.proof({ htm: 'GET', htu: 'https://rs.example/x' }),
    );
    expect(header).toEqual({
      typ: 'dpop+jwt',
      alg: 'ES256',
      jwk: { kty: 'EC', crv: 'P-256', x: key.publicJwk.x, y: key.publicJwk.y },
    });
    const publicKey = createPublicKey({ key: header.jwk as JsonWebKey, format: 'jwk' });
    expect(
      verify(
        'sha256',
        Buffer.from(signingInput),
        { key: publicKey, dsaEncoding: 'ieee-p1363' },
        signature,
      ),
    ).toBe(true);
    expect(signature).toHaveLength(64);
  });

  it('puts htm, htu without query and fragment, iat from its clock and a fresh jti', () => {
    clock.now = NOW + 7;
    const first = decodeJws(
      key.proof({ htm: 'POST', htu: 'https://as.example/token?x=1#y' }),
    ).payload;
    const second = decodeJws(key.proof({ htm: 'POST', htu: 'https://as.example/token#y' })).payload;
    expect(first).toEqual({
      jti: expect.stringMatching(/^[A-Za-z0-9_-]{22}$/),
      htm: 'POST',
      htu: 'https://as.example/token',
      iat: NOW + 7,
    });
    expect(second.htu).toBe('https://as.example/token');
    expect(second.jti).not.toBe(first.jti);
  });

  it('adds ath for an access token and the nonce when given', () => {
    const { payload } = decodeJws(
      key.proof({ htm: 'GET', htu: 'https://rs.example/x', accessToken: 'tok.en', nonce: 'n-1' }),
    );
    expect(payload.ath).toBe(createHash('sha256').update('tok.en').digest('base64url'));
    expect(payload.nonce).toBe('n-1');
  });

  it('has the RFC 7638 thumbprint of its public key, and each key is its own', () => {
    expect(key.thumbprint).toBe(jwkThumbprint(key.publicJwk));
    expect(DpopKey.generate(clock).thumbprint).not.toBe(key.thumbprint);
  });
});
