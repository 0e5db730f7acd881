import type { Clock } from '../clock/clock.port';
import { DpopReplayCacheFullError } from './dpop.errors';
import type { DpopReplayCache } from './dpop-replay.port';

export interface InMemoryDpopReplayCacheOptions {
  /**
   * Most keys held at once. Past it `firstUse` throws DpopReplayCacheFullError rather than
   * evicting: eviction would let whoever fills the cache (any client can mint keys and sign valid
   * proofs) push out real entries and replay them. Full, the server refuses DPoP requests until
   * entries expire, a denial of service and never a replay. The default, 1 000 000 entries of ~95
   * bytes (~95 MB when full, measured), is twice what two cores can fill in the default 61 s
   * window: a DPoP request costs ~280 µs of CPU (Fastify ~110, verification ~170), so at most
   * ~7 000 a second, ~430 000 in 61 s.
   */
  maxEntries?: number;
  /** Longest lifetime accepted, in seconds: the ring of expiry buckets has one per second. */
  horizonSeconds?: number;
}

/**
 * A single-process replay cache: a Map for lookups plus a ring of one-second buckets, each
 * listing the keys that expire in that second. Every call first empties the buckets whose second
 * has passed, so each key is dropped once, in O(1) amortised, with no scan of the whole map.
 * Replicas that share traffic need a shared cache instead (RedisDpopReplayCache).
 */
export class InMemoryDpopReplayCache implements DpopReplayCache {
  private readonly entries = new Map<string, number>();
  private readonly buckets: (string[] | undefined)[];
  private readonly maxEntries: number;
  private readonly horizon: number;
  private readonly clock: Clock;
  /** Every bucket up to this second has been emptied. */
  private sweptUpTo: number;

  constructor(clock: Clock, options: InMemoryDpopReplayCacheOptions = {}) {
    this.clock = clock;
    this.maxEntries = options.maxEntries ?? 1_000_000;
    this.horizon = options.horizonSeconds ?? 600;
    this.buckets = new Array<string[] | undefined>(this.horizon);
    this.sweptUpTo = clock.nowSeconds();
  }

  get size(): number {
    return this.entries.size;
  }

  async firstUse(key: string, expiresAt: number): Promise<boolean> {
    const now = this.clock.nowSeconds();
    this.sweep(now);
    if (this.entries.has(key)) return false;
    const second = Math.ceil(expiresAt);
    if (second <= now) return true;
    if (second > now + this.horizon) {
      throw new RangeError(
        `expiresAt is ${second - now} s ahead, past the ${this.horizon} s horizon`,
      );
    }
    if (this.entries.size >= this.maxEntries) {
      throw new DpopReplayCacheFullError(`the DPoP replay cache holds ${this.maxEntries} proofs`);
    }
    this.entries.set(key, second);
    const slot = second % this.horizon;
    const bucket = this.buckets[slot];
    if (bucket === undefined) this.buckets[slot] = [key];
    else bucket.push(key);
    return true;
  }

  /**
   * Drops the keys of every second in (sweptUpTo, now]. A bucket holds only keys of the one second
   * it is swept at, since nothing is stored more than `horizon` seconds ahead.
   */
  private sweep(now: number): void {
    if (now <= this.sweptUpTo) return; // the clock stood still or stepped back: keep everything
    if (now - this.sweptUpTo >= this.horizon) {
      // Everything stored expires within `horizon` seconds of being stored, so all of it is gone.
      this.entries.clear();
      this.buckets.fill(undefined);
    } else {
      for (let second = this.sweptUpTo + 1; second <= now; second++) {
        const slot = second % this.horizon;
        const bucket = this.buckets[slot];
        if (bucket === undefined) continue;
        for (const key of bucket) this.entries.delete(key);
        this.buckets[slot] = undefined;
      }
    }
    this.sweptUpTo = now;
  }
}
