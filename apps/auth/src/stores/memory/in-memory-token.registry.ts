import type { OnModuleDestroy } from '@nestjs/common';
import { type Clock, ExpiryQueue } from '@app/common';
import type { AccessTokenClaims } from '@app/contracts';
import type { TokenRecord, TokenRegistry } from '../token-registry.port';

interface Entry {
  issued?: { tokenHash: string; claims: AccessTokenClaims };
  revoked: boolean;
  /** Kept through this second; only ever moved later. */
  until: number;
}

/**
 * Issued and revoked tokens of one process, by jti. An entry lives through the second its
 * `expiresAt` names, and a later `record` or `revoke` can only move that later, so a revoked
 * token cannot come alive again before it has expired. Entries leave through an
 * {@link ExpiryQueue} drained every second by an unref'd timer.
 */
export class InMemoryTokenRegistry implements TokenRegistry, OnModuleDestroy {
  private readonly entries = new Map<string, Entry>();
  private readonly expiries: ExpiryQueue<string>;
  private readonly sweeper: NodeJS.Timeout;

  constructor(
    private readonly clock: Clock,
    sweepEveryMs = 1_000,
  ) {
    this.expiries = new ExpiryQueue(clock.nowSeconds());
    this.sweeper = setInterval(() => this.sweep(this.clock.nowSeconds()), sweepEveryMs);
    this.sweeper.unref();
  }

  record(tokenHash: string, claims: AccessTokenClaims, expiresAt: number): Promise<void> {
    const entry = this.keep(claims.jti, expiresAt);
    entry.issued = { tokenHash, claims: structuredClone(claims) };
    return Promise.resolve();
  }

  lookup(jti: string): Promise<TokenRecord> {
    const entry = this.entries.get(jti);
    if (entry === undefined || entry.until < this.clock.nowSeconds()) {
      return Promise.resolve({ revoked: false });
    }
    const record: TokenRecord = { revoked: entry.revoked };
    if (entry.issued !== undefined) {
      record.issued = {
        tokenHash: entry.issued.tokenHash,
        claims: structuredClone(entry.issued.claims),
      };
    }
    return Promise.resolve(record);
  }

  revoke(jti: string, expiresAt: number): Promise<void> {
    this.keep(jti, expiresAt).revoked = true;
    return Promise.resolve();
  }

  /** Token ids held. */
  get size(): number {
    return this.entries.size;
  }

  /** Forgets the entries whose `until` is before `now`. */
  sweep(now: number): void {
    this.expiries.drain(now, (jti) => {
      const entry = this.entries.get(jti);
      if (entry !== undefined && entry.until < now) this.entries.delete(jti);
    });
  }

  onModuleDestroy(): void {
    clearInterval(this.sweeper);
  }

  /** The live entry of `jti`, made or kept until at least `expiresAt`. */
  private keep(jti: string, expiresAt: number): Entry {
    const now = this.clock.nowSeconds();
    this.sweep(now);
    let entry = this.entries.get(jti);
    if (entry === undefined) {
      entry = { revoked: false, until: expiresAt };
      this.entries.set(jti, entry);
      this.expiries.add(jti, expiresAt + 1);
    } else if (expiresAt > entry.until) {
      entry.until = expiresAt;
      this.expiries.add(jti, expiresAt + 1);
    }
    return entry;
  }
}
