/**
 * Every secret a suite sends (passwords, codes, code verifiers, whole access tokens, forged
 * tokens), so that the log check can prove none of them was written. Saved next to the logs.
 */
export interface UsedSecret {
  kind: string;
  value: string;
}

const USED = new Map<string, string>();

export function remember(kind: string, value: string): string {
  if (value.length >= 6) USED.set(value, kind);
  return value;
}

export function secretsUsed(): UsedSecret[] {
  return [...USED].map(([value, kind]) => ({ kind, value }));
}
