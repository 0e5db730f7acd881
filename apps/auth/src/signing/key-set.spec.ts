import { createHash, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { thrown } from '../../test/support/fakes';
import { generateSigningKey, KeyError, loadKeySet } from './key-set';

/** The RFC 7638 thumbprint of an EC key, computed here independently of the code under test. */
function thumbprintOf(key: KeyObject): string {
  const { crv, x, y } = key.export({ format: 'jwk' });
  return createHash('sha256')
    .update(`{"crv":"${crv}","kty":"EC","x":"${x}","y":"${y}"}`)
    .digest('base64url');
}

describe('loadKeySet', () => {
  let dir: string;
  const p256 = () => generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const write = (name: string, key: KeyObject): string => {
    const file = join(dir, name);
    const type = key.type === 'private' ? 'pkcs8' : 'spki';
    writeFileSync(file, key.export({ type, format: 'pem' }));
    return file;
  };

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'auth-keys-'));
  });

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('generates a P-256 key whose kid is its RFC 7638 thumbprint', () => {
    const keys = loadKeySet();
    expect(keys.current.kid).toBe(thumbprintOf(keys.current.publicKey));
    expect(keys.current.jwk).toEqual({
      kty: 'EC',
      crv: 'P-256',
      x: keys.current.publicKey.export({ format: 'jwk' }).x,
      y: keys.current.publicKey.export({ format: 'jwk' }).y,
      kid: keys.current.kid,
      use: 'sig',
      alg: 'ES256',
    });
    expect([...keys.verification.keys()]).toEqual([keys.current.kid]);
  });

  it('generates a different key each time', () => {
    expect(loadKeySet().current.kid).not.toBe(loadKeySet().current.kid);
  });

  it('reads the signing key from a PEM file', () => {
    const { privateKey, publicKey } = p256();
    const keys = loadKeySet(write('signing.pem', privateKey));
    expect(keys.current.kid).toBe(thumbprintOf(publicKey));
    expect(keys.current.privateKey.asymmetricKeyType).toBe('ec');
  });

  it('lists a previous public key for verification as well', () => {
    const current = p256();
    const previous = p256();
    const keys = loadKeySet(
      write('current.pem', current.privateKey),
      write('previous.pem', previous.publicKey),
    );
    expect(keys.current.kid).toBe(thumbprintOf(current.publicKey));
    expect([...keys.verification.keys()]).toEqual([
      thumbprintOf(current.publicKey),
      thumbprintOf(previous.publicKey),
    ]);
  });

  it('lists the key once when the previous key is the current one', () => {
    const { privateKey } = p256();
    const file = write('same.pem', privateKey);
    expect(loadKeySet(file, file).verification.size).toBe(1);
  });

  it('names SIGNING_KEY_FILE when the file cannot be read', () => {
    const missing = join(dir, 'missing.pem');
    const error = thrown(() => loadKeySet(missing));
    expect(error).toBeInstanceOf(KeyError);
    expect(error).toHaveProperty(
      'message',
      `invalid setting SIGNING_KEY_FILE: cannot read a PEM key from ${missing}`,
    );
  });

  it('names SIGNING_KEY_FILE for a key that is not P-256', () => {
    const p384 = generateKeyPairSync('ec', { namedCurve: 'P-384' }).privateKey;
    expect(() => loadKeySet(write('p384.pem', p384))).toThrow(
      'invalid setting SIGNING_KEY_FILE: the key must be an EC P-256 key (ES256)',
    );
  });

  it('names PREVIOUS_KEY_FILE for a previous key that is not EC', () => {
    const ed25519 = generateKeyPairSync('ed25519').publicKey;
    expect(() => loadKeySet(undefined, write('ed25519.pem', ed25519))).toThrow(
      'invalid setting PREVIOUS_KEY_FILE: the key must be an EC P-256 key (ES256)',
    );
  });

  it('refuses a public key as the signing key', () => {
    expect(() => loadKeySet(write('public.pem', p256().publicKey))).toThrow(
      'invalid setting SIGNING_KEY_FILE: cannot read a PEM key from',
    );
  });
});

describe('generateSigningKey', () => {
  it('makes a fresh P-256 key whose kid is its thumbprint and whose JWK is public only', () => {
    const key = generateSigningKey();
    expect(key.privateKey.asymmetricKeyType).toBe('ec');
    expect(key.privateKey.asymmetricKeyDetails?.namedCurve).toBe('prime256v1');
    expect(key.kid).toBe(thumbprintOf(key.publicKey));
    expect(Object.keys(key.jwk).sort()).toEqual(['alg', 'crv', 'kid', 'kty', 'use', 'x', 'y']);
    expect(generateSigningKey().kid).not.toBe(key.kid);
  });
});
