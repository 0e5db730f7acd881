import { generateKeyPairSync, sign, verify } from 'node:crypto';
import { decodeJws } from '../../../../libs/common/test/jws';
import { derToJose, signEs256 } from './es256';

/** A DER ECDSA signature (SEQUENCE of two INTEGERs) from its integers' content bytes. */
function der(r: Buffer, s: Buffer): Buffer {
  const integer = (value: Buffer) => Buffer.concat([Buffer.from([0x02, value.length]), value]);
  const body = Buffer.concat([integer(r), integer(s)]);
  return Buffer.concat([Buffer.from([0x30, body.length]), body]);
}

describe('signEs256', () => {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });

  it('writes a compact JWS of the header and payload as given', () => {
    const token = signEs256({ alg: 'ES256', kid: 'k' }, { sub: 'alice', n: 1 }, privateKey);
    const { header, payload, signature } = decodeJws(token);
    expect(header).toEqual({ alg: 'ES256', kid: 'k' });
    expect(payload).toEqual({ sub: 'alice', n: 1 });
    expect(signature).toHaveLength(64);
  });

  it('signs what any JOSE verifier checks (r || s, 64 bytes), every time', () => {
    // 300 signatures meet r or s with a leading zero byte, or a top bit set, often enough.
    for (let i = 0; i < 300; i++) {
      const token = signEs256({ alg: 'ES256' }, { i }, privateKey);
      const { signingInput, signature } = decodeJws(token);
      const ok = verify(
        'sha256',
        Buffer.from(signingInput),
        { key: publicKey, dsaEncoding: 'ieee-p1363' },
        signature,
      );
      expect(ok).toBe(true);
    }
  });
});

describe('derToJose', () => {
  const r = Buffer.alloc(32, 0x11);
  const s = Buffer.alloc(32, 0x22);

  it('concatenates r and s of 32 bytes each', () => {
    expect(derToJose(der(r, s))).toEqual(Buffer.concat([r, s]));
  });

  it('drops the zero byte DER puts before an integer whose top bit is set', () => {
    const high = Buffer.alloc(32, 0xf0);
    expect(derToJose(der(Buffer.concat([Buffer.from([0]), high]), s))).toEqual(
      Buffer.concat([high, s]),
    );
    expect(derToJose(der(r, Buffer.concat([Buffer.from([0]), high])))).toEqual(
      Buffer.concat([r, high]),
    );
  });

  it('pads a short integer back to 32 bytes with leading zeros', () => {
    const short = Buffer.alloc(30, 0x33);
    expect(derToJose(der(short, s))).toEqual(Buffer.concat([Buffer.alloc(2), short, s]));
    expect(derToJose(der(r, short))).toEqual(Buffer.concat([r, Buffer.alloc(2), short]));
  });

  it('agrees with node’s own ieee-p1363 encoding', () => {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const data = Buffer.from('signing input');
    const jose = derToJose(sign('sha256', data, privateKey));
    expect(verify('sha256', data, { key: publicKey, dsaEncoding: 'ieee-p1363' }, jose)).toBe(true);
  });

  it.each([
    ['an integer of another tag', Buffer.from([0x30, 0x06, 0x04, 0x01, 0x01, 0x02, 0x01, 0x01])],
    ['an integer longer than 32 bytes', der(Buffer.alloc(33, 0x44), s)],
  ])('refuses %s', (_name, signature) => {
    expect(() => derToJose(signature)).toThrow();
  });
});
