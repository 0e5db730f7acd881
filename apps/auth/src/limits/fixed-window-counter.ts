/**
 * Counts hits per key in fixed windows of `windowSeconds`. One Map, purged of past windows as it
 * goes, so an attacker who varies keys costs memory for one window at most.
 */
export class FixedWindowCounter {
  private windowStart = 0;
  private counts = new Map<string, number>();

  constructor(private readonly windowSeconds: number) {}

  /** The count of `key` in the current window. */
  count(key: string, now: number): number {
    this.roll(now);
    return this.counts.get(key) ?? 0;
  }

  /** Adds one hit to `key` and returns its new count. */
  hit(key: string, now: number): number {
    this.roll(now);
    const count = (this.counts.get(key) ?? 0) + 1;
    this.counts.set(key, count);
    return count;
  }

  /** Seconds until the current window ends. */
  retryAfter(now: number): number {
    return Math.max(1, this.windowStart + this.windowSeconds - now);
  }

  private roll(now: number): void {
    const start = now - (now % this.windowSeconds);
    if (start !== this.windowStart) {
      this.windowStart = start;
      this.counts = new Map();
    }
  }
}
