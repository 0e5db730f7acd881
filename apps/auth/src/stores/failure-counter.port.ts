/**
 * Counts failures per key in a window (failed client authentications per client and address,
 * and per address). Shared by every replica when the store is shared.
 */
export interface FailureCounter {
  /** Seconds until `key` may try again; 0 when it is below its limit now. */
  blockedFor(key: string): Promise<number>;
  /** Counts one failure of `key`. */
  record(key: string): Promise<void>;
}

export interface FailureCounterLimits {
  /** Failures allowed per key in each window. */
  limit: number;
  windowSeconds: number;
}

export const FAILURE_COUNTER = Symbol('FAILURE_COUNTER');
