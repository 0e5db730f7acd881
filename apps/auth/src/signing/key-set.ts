import {
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
} from 'node:crypto';
import { readFileSync } from 'node:fs';
import { jwkThumbprint } from '@app/common';
import type { PublicJwk } from '@app/contracts';

export interface VerificationKey {
  kid: string;
  publicKey: KeyObject;
  jwk: PublicJwk;
}

export interface SigningKey extends VerificationKey {
  privateKey: KeyObject;
}

/** The current signing key and every key whose tokens may still be alive. */
export interface KeySet {
  current: SigningKey;
  verification: ReadonlyMap<string, VerificationKey>;
  /** True when the current key was generated at start (and so may be rotated), not configured. */
  generated: boolean;
}

export class KeyError extends Error {
  override readonly name = 'KeyError';
}

/**
 * Builds the key set once at start, as KeyObjects (parsing a PEM per signature costs ten times
 * the signature). Without a key file a fresh P-256 key is generated; replicas then publish their
 * keys to each other through the key directory (SigningKeys).
 */
export function loadKeySet(signingKeyFile?: string, previousKeyFile?: string): KeySet {
  const current =
    signingKeyFile === undefined
      ? generateSigningKey()
      : signingKeyOf(readKey(signingKeyFile, 'SIGNING_KEY_FILE', (pem) => createPrivateKey(pem)));
  const verification = new Map<string, VerificationKey>([[current.kid, current]]);
  if (previousKeyFile !== undefined) {
    const previous = verificationKey(
      readKey(previousKeyFile, 'PREVIOUS_KEY_FILE', (pem) => createPublicKey(pem)),
      'PREVIOUS_KEY_FILE',
    );
    if (!verification.has(previous.kid)) verification.set(previous.kid, previous);
  }
  return { current, verification, generated: signingKeyFile === undefined };
}

/** A fresh P-256 signing key. */
export function generateSigningKey(): SigningKey {
  return signingKeyOf(generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey);
}

function signingKeyOf(privateKey: KeyObject): SigningKey {
  return { ...verificationKey(createPublicKey(privateKey), 'SIGNING_KEY_FILE'), privateKey };
}

function readKey(file: string, setting: string, parse: (pem: string) => KeyObject): KeyObject {
  try {
    return parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new KeyError(`invalid setting ${setting}: cannot read a PEM key from ${file}`, {
      cause: err,
    });
  }
}

function verificationKey(publicKey: KeyObject, setting: string): VerificationKey {
  const exported = publicKey.export({ format: 'jwk' });
  if (exported.kty !== 'EC' || exported.crv !== 'P-256' || !exported.x || !exported.y) {
    throw new KeyError(`invalid setting ${setting}: the key must be an EC P-256 key (ES256)`);
  }
  // The key id is the key's JWK thumbprint (RFC 7638 3).
  const kid = jwkThumbprint({ kty: 'EC', crv: exported.crv, x: exported.x, y: exported.y });
  return {
    kid,
    publicKey,
    jwk: { kty: 'EC', crv: 'P-256', x: exported.x, y: exported.y, kid, use: 'sig', alg: 'ES256' },
  };
}
