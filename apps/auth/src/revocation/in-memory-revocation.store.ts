import type { OnModuleDestroy } from '@nestjs/common';
import type { RevocationStore } from './revocation-store.port';

/** Revoked token ids in memory, purged once the tokens would have expired anyway. */
export class InMemoryRevocationStore implements RevocationStore, OnModuleDestroy {
  private readonly revoked = new Map<string, number>();
  private readonly purger: NodeJS.Timeout;

  constructor(
    private readonly nowSeconds: () => number,
    purgeEveryMs = 5_000,
  ) {
    this.purger = setInterval(() => this.purge(), purgeEveryMs);
    this.purger.unref();
  }

  revoke(jti: string, expiresAt: number): Promise<void> {
    this.revoked.set(jti, Math.max(expiresAt, this.revoked.get(jti) ?? 0));
    return Promise.resolve();
  }

  isRevoked(jti: string): Promise<boolean> {
    return Promise.resolve(this.revoked.has(jti));
  }

  get size(): number {
    return this.revoked.size;
  }

  purge(): void {
    const now = this.nowSeconds();
    for (const [jti, expiresAt] of this.revoked) {
      // Kept one second past expiry so that a leeway-free check never sees it alive again.
      if (expiresAt < now - 1) this.revoked.delete(jti);
    }
  }

  onModuleDestroy(): void {
    clearInterval(this.purger);
  }
}
