/**
 * Keys due at a given second, in buckets by second: adding is O(1) and draining costs the keys
 * that are due, never a scan of everything held (the old stores walked their whole Map every few
 * seconds, which showed up in profiles). Hand-written because it is twenty lines: a heap library
 * (heap-js and the like) would cost O(log n) per code for ordering that the buckets get for free.
 *
 * A key may sit in several buckets (a code is queued at its expiry, then again at its forget
 * time once used): the owner re-checks the key's current deadline when it comes due. Used by the
 * in-memory code store, token registry and DPoP replay cache.
 */
export class ExpiryQueue<K> {
  private readonly buckets = new Map<number, K[]>();
  /** Every second up to and including this one has been drained. */
  private drainedUpTo: number;

  constructor(start: number) {
    this.drainedUpTo = start;
  }

  /** Queues `key` to come due at second `at` (at once, on the next drain, if `at` has passed). */
  add(key: K, at: number): void {
    const second = Math.max(Math.ceil(at), this.drainedUpTo + 1);
    const bucket = this.buckets.get(second);
    if (bucket === undefined) this.buckets.set(second, [key]);
    else bucket.push(key);
  }

  /** Hands every key due at or before `now` to `due`, once per time it was queued. */
  drain(now: number, due: (key: K) => void): void {
    if (now <= this.drainedUpTo) return;
    if (now - this.drainedUpTo <= this.buckets.size) {
      for (let second = this.drainedUpTo + 1; second <= now; second++) this.take(second, due);
    } else {
      // The clock jumped further than there are buckets (a suspended laptop, a test's clock):
      // walking the buckets is then cheaper than walking the seconds.
      for (const second of [...this.buckets.keys()].filter((s) => s <= now).sort((a, b) => a - b)) {
        this.take(second, due);
      }
    }
    this.drainedUpTo = now;
  }

  /** Keys queued and not drained yet (a key queued twice counts twice). */
  get pending(): number {
    let count = 0;
    for (const bucket of this.buckets.values()) count += bucket.length;
    return count;
  }

  private take(second: number, due: (key: K) => void): void {
    const bucket = this.buckets.get(second);
    if (bucket === undefined) return;
    this.buckets.delete(second);
    for (const key of bucket) due(key);
  }
}
