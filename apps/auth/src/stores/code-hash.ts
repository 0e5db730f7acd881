import { createHash } from 'node:crypto';

/**
 * A code's or a token's SHA-256, base64url: what the stores keep in place of the code or token
 * itself, so that neither a heap dump nor a Redis dump holds a redeemable code or a usable token.
 */
export function hashOf(secret: string): string {
  return createHash('sha256').update(secret).digest('base64url');
}
