import type { PublicJwk } from '@app/contracts';

/** The key directory's stable order, the same in every adapter and on every replica: by kid. */
export function byKid(a: PublicJwk, b: PublicJwk): number {
  return a.kid < b.kid ? -1 : a.kid > b.kid ? 1 : 0;
}
