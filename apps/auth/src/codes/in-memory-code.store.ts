import { createHash } from 'node:crypto';
import type { OnModuleDestroy } from '@nestjs/common';
import type { AuthorizationGrant, CodeStore, ConsumeResult } from './code-store.port';

interface Entry {
  grant: AuthorizationGrant;
  issuedJti?: string;
  /** Once used: when the entry may go (the issued token has expired by then). */
  forgetAt?: number;
}

/**
 * Codes in a Map keyed by their SHA-256, so a heap dump holds no redeemable code. Node runs one
 * JavaScript thread and `consume` checks and marks synchronously before it resolves, so it is
 * atomic. Expired entries are purged, and used ones as soon as their token has expired: under
 * load nearly every code is used within milliseconds, so the map holds seconds of traffic, not
 * a minute of it (a minute of codes at 2,000 flows/s was 100 MB).
 */
export class InMemoryCodeStore implements CodeStore, OnModuleDestroy {
  private readonly entries = new Map<string, Entry>();
  private readonly purger: NodeJS.Timeout;

  /**
   * @param keepUsedSeconds how long a used code is remembered, at least as long as the token it
   * gave lives, so that a replay within that time still revokes the token.
   * @param capacity the most codes held at once: a flood of authorization requests whose codes
   * are never redeemed fills memory for a minute otherwise.
   */
  constructor(
    private readonly nowSeconds: () => number,
    purgeEveryMs = 5_000,
    private readonly keepUsedSeconds = Number.POSITIVE_INFINITY,
    private readonly capacity = Number.POSITIVE_INFINITY,
  ) {
    this.purger = setInterval(() => this.purge(), purgeEveryMs);
    this.purger.unref();
  }

  save(code: string, grant: AuthorizationGrant): Promise<boolean> {
    if (this.entries.size >= this.capacity) this.purge();
    if (this.entries.size >= this.capacity) return Promise.resolve(false);
    this.entries.set(hash(code), { grant });
    return Promise.resolve(true);
  }

  peek(code: string, now: number): Promise<AuthorizationGrant | undefined> {
    const entry = this.entries.get(hash(code));
    return Promise.resolve(
      entry !== undefined && entry.grant.expiresAt > now ? entry.grant : undefined,
    );
  }

  consume(code: string, jti: string, now: number): Promise<ConsumeResult> {
    return Promise.resolve(this.consumeNow(code, jti, now));
  }

  /** Check and mark with no await in between, which is what makes `consume` atomic here. */
  private consumeNow(code: string, jti: string, now: number): ConsumeResult {
    const entry = this.entries.get(hash(code));
    if (entry === undefined || entry.grant.expiresAt <= now) return { status: 'unknown' };
    if (entry.issuedJti !== undefined) {
      return { status: 'replayed', grant: entry.grant, issuedJti: entry.issuedJti };
    }
    entry.issuedJti = jti;
    entry.forgetAt = now + this.keepUsedSeconds;
    return { status: 'redeemed', grant: entry.grant };
  }

  get size(): number {
    return this.entries.size;
  }

  purge(): void {
    const now = this.nowSeconds();
    for (const [key, entry] of this.entries) {
      if (entry.grant.expiresAt <= now || (entry.forgetAt ?? Infinity) <= now) {
        this.entries.delete(key);
      }
    }
  }

  onModuleDestroy(): void {
    clearInterval(this.purger);
  }
}

function hash(code: string): string {
  return createHash('sha256').update(code).digest('base64url');
}
