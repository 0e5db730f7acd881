import { createHash } from 'node:crypto';

// Hand-written: node:crypto has no thumbprint, and jose's calculateJwkThumbprint (jose 6 is
// ESM-only) does not load under this project's Jest (CommonJS through ts-jest) without
// --experimental-vm-modules. RFC 7638 is a hash over a fixed member list, a dozen lines.

/**
 * The members RFC 7638 hashes for each key type (RFC 7638 3.2, RFC 8037 2 for OKP), already in
 * the lexicographic order the canonical JSON must have.
 */
const REQUIRED_MEMBERS = {
  EC: ['crv', 'kty', 'x', 'y'],
  OKP: ['crv', 'kty', 'x'],
  RSA: ['e', 'kty', 'n'],
} as const;

type ThumbprintKty = keyof typeof REQUIRED_MEMBERS;

/** A JWK that cannot be thumbprinted: unknown `kty`, or a required member missing or not a string. */
export class InvalidJwkError extends Error {
  override readonly name = 'InvalidJwkError';
}

/**
 * The RFC 7638 SHA-256 thumbprint of a public JWK, base64url-encoded (the `jkt` of RFC 9449 6.1);
 * optional members (`kid`, `alg`, `use`, ...) do not change it.
 * @see https://www.rfc-editor.org/rfc/rfc7638#section-3
 */
export function jwkThumbprint(jwk: object): string {
  const members = jwk as Readonly<Record<string, unknown>>;
  const kty = members.kty;
  if (typeof kty !== 'string' || !Object.hasOwn(REQUIRED_MEMBERS, kty)) {
    throw new InvalidJwkError(`cannot thumbprint a JWK of kty ${JSON.stringify(kty)}`);
  }
  const canonical: Record<string, string> = {};
  for (const name of REQUIRED_MEMBERS[kty as ThumbprintKty]) {
    const value = members[name];
    if (typeof value !== 'string' || value.length === 0) {
      throw new InvalidJwkError(`a JWK of kty ${kty} needs the string member ${name}`);
    }
    canonical[name] = value;
  }
  // JSON.stringify keeps insertion order (the sorted one above) and adds no whitespace, which is
  // the RFC 7638 3.3 form for base64url members.
  return createHash('sha256').update(JSON.stringify(canonical), 'utf8').digest('base64url');
}
