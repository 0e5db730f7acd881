import { createHash } from 'node:crypto';

/**
 * The code's SHA-256, base64url: what every code store keeps in place of the code, so that
 * neither a heap dump nor a Redis dump holds a redeemable code.
 */
export function hashOf(code: string): string {
  return createHash('sha256').update(code).digest('base64url');
}
