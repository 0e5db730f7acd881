import type { Clock } from '../clock/clock.port';
import { ExpiryQueue } from '../clock/expiry-queue';
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
  /** Longest lifetime accepted, in seconds. */
  horizonSeconds?: number;
}

/**
 * A single-process replay cache: a Map for lookups plus an ExpiryQueue of one-second buckets.
 * Every call first drains the seconds that have passed, so each key is dropped once, in O(1)
 * amortised, with no scan of the whole map. Replicas that share traffic need a shared cache
 * instead (RedisDpopReplayCache).
 */
export class InMemoryDpopReplayCache implements DpopReplayCache {
  private readonly entries = new Set<string>();
  private readonly expiries: ExpiryQueue<string>;
  private readonly maxEntries: number;
  private readonly horizon: number;
  private readonly clock: Clock;

  constructor(clock: Clock, options: InMemoryDpopReplayCacheOptions = {}) {
    this.clock = clock;
    this.maxEntries = options.maxEntries ?? 1_000_000;
    this.horizon = options.horizonSeconds ?? 600;
    this.expiries = new ExpiryQueue(clock.nowSeconds());
  }

  get size(): number {
    return this.entries.size;
  }

  async firstUse(key: string, expiresAt: number): Promise<boolean> {
    const now = this.clock.nowSeconds();
    this.expiries.drain(now, (expired) => this.entries.delete(expired));
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
    this.entries.add(key);
    this.expiries.add(key, second);
    return true;
  }
}
