import { createHash } from 'node:crypto';
import { CODE_VERIFIER } from '@app/contracts';

/** A S256 code challenge: BASE64URL(SHA256(verifier)), 43 characters. @see https://www.rfc-editor.org/rfc/rfc7636#section-4.2 */
export const S256_CHALLENGE = /^[A-Za-z0-9_-]{43}$/;

/** Whether the verifier hashes to the challenge. @see https://www.rfc-editor.org/rfc/rfc7636#section-4.6 */
export function verifierMatches(verifier: string, challenge: string): boolean {
  if (!CODE_VERIFIER.test(verifier)) return false;
  return createHash('sha256').update(verifier, 'ascii').digest('base64url') === challenge;
}
