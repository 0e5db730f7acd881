import { createHash } from 'node:crypto';
import type { OnModuleDestroy } from '@nestjs/common';
import type { AuthorizationGrant, CodeStore, ConsumeResult } from './code-store.port';

interface Entry {
  grant: AuthorizationGrant;
  issuedJti?: string;
}

/**
 * Codes in a Map keyed by their SHA-256, so a heap dump holds no redeemable code. Node runs one
 * JavaScript thread and `consume` checks and marks synchronously before it resolves, so it is
 * atomic. Expired entries are purged.
 */
export class InMemoryCodeStore implements CodeStore, OnModuleDestroy {
  private readonly entries = new Map<string, Entry>();
  private readonly purger: NodeJS.Timeout;

  constructor(
    private readonly nowSeconds: () => number,
    purgeEveryMs = 5_000,
  ) {
    this.purger = setInterval(() => this.purge(), purgeEveryMs);
    this.purger.unref();
  }

  save(code: string, grant: AuthorizationGrant): Promise<void> {
    this.entries.set(hash(code), { grant });
    return Promise.resolve();
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
    return { status: 'redeemed', grant: entry.grant };
  }

  get size(): number {
    return this.entries.size;
  }

  purge(): void {
    const now = this.nowSeconds();
    for (const [key, entry] of this.entries) {
      if (entry.grant.expiresAt <= now) this.entries.delete(key);
    }
  }

  onModuleDestroy(): void {
    clearInterval(this.purger);
  }
}

function hash(code: string): string {
  return createHash('sha256').update(code).digest('base64url');
}
