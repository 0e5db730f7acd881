import { createHash, randomBytes } from 'node:crypto';

export interface PkcePair {
  verifier: string;
  challenge: string;
}

/** A fresh S256 pair: 32 random bytes as a 43-character verifier. @see https://www.rfc-editor.org/rfc/rfc7636#section-4.1 */
export function createPkcePair(): PkcePair {
  const verifier = randomBytes(32).toString('base64url');
  const challenge = createHash('sha256').update(verifier).digest('base64url');
  return { verifier, challenge };
}

/** An unguessable `state` for one flow. @see https://www.rfc-editor.org/rfc/rfc6749#section-10.12 */
export function createState(): string {
  return randomBytes(16).toString('base64url');
}
