import { createHash } from 'node:crypto';

/** A S256 code challenge: BASE64URL(SHA256(verifier)), 43 characters. @see https://www.rfc-editor.org/rfc/rfc7636#section-4.2 */
export const S256_CHALLENGE = /^[A-Za-z0-9_-]{43}$/;

/** A code verifier: 43 to 128 unreserved characters. @see https://www.rfc-editor.org/rfc/rfc7636#section-4.1 */
export const CODE_VERIFIER = /^[A-Za-z0-9._~-]{43,128}$/;

/** Whether the verifier hashes to the challenge. @see https://www.rfc-editor.org/rfc/rfc7636#section-4.6 */
export function verifierMatches(verifier: string, challenge: string): boolean {
  if (!CODE_VERIFIER.test(verifier)) return false;
  return createHash('sha256').update(verifier, 'ascii').digest('base64url') === challenge;
}
