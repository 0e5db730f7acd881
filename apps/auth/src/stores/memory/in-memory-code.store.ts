import type { OnModuleDestroy } from '@nestjs/common';
import { type Clock, ExpiryQueue } from '@app/common';
import type {
  AuthorizationGrant,
  CodeStore,
  CodeStoreLimits,
  ConsumeResult,
  SaveResult,
} from '../code-store.port';
import { hashOf } from '../code-hash';

interface Entry {
  grant: AuthorizationGrant;
  /** Set at redemption: the jti of the token the code gave. */
  issuedJti?: string;
  /** Set at redemption: when the used code is forgotten (its token has expired by then). */
  forgetAt?: number;
}

/**
 * Codes for one process, keyed by their SHA-256 so that a heap dump holds no redeemable code.
 * Node runs one JavaScript thread and every method checks and changes the maps with no await in
 * between, so `consume` is atomic. Entries leave through an {@link ExpiryQueue} drained every
 * second by an unref'd timer, and up to the caller's `now` before a quota is checked, so that a
 * quota counts exactly the codes unexpired at that `now`.
 */
export class InMemoryCodeStore implements CodeStore, OnModuleDestroy {
  private readonly entries = new Map<string, Entry>();
  /** Unredeemed codes per owner that have not been drained as expired. */
  private readonly held = new Map<string, number>();
  private readonly expiries: ExpiryQueue<string>;
  private readonly sweeper: NodeJS.Timeout;

  constructor(
    private readonly limits: CodeStoreLimits,
    private readonly clock: Clock,
    sweepEveryMs = 1_000,
  ) {
    this.expiries = new ExpiryQueue(clock.nowSeconds());
    this.sweeper = setInterval(() => this.sweep(this.clock.nowSeconds()), sweepEveryMs);
    this.sweeper.unref();
  }

  save(code: string, grant: AuthorizationGrant, now: number): Promise<SaveResult> {
    return Promise.resolve(this.saveNow(hashOf(code), grant, now));
  }

  consume(code: string, clientId: string, jti: string, now: number): Promise<ConsumeResult> {
    return Promise.resolve(this.consumeNow(hashOf(code), clientId, jti, now));
  }

  /** Codes held, used ones included. */
  get size(): number {
    return this.entries.size;
  }

  /** Forgets what is due at `now`: unused codes past their expiry, used ones past `forgetAt`. */
  sweep(now: number): void {
    this.expiries.drain(now, (hash) => {
      const entry = this.entries.get(hash);
      if (entry === undefined) return;
      if (entry.issuedJti === undefined) {
        if (entry.grant.expiresAt > now) return;
        this.release(entry.grant.owner);
      } else if ((entry.forgetAt ?? 0) > now) {
        return;
      }
      this.entries.delete(hash);
    });
  }

  onModuleDestroy(): void {
    clearInterval(this.sweeper);
  }

  private saveNow(hash: string, grant: AuthorizationGrant, now: number): SaveResult {
    this.sweep(now);
    if ((this.held.get(grant.owner) ?? 0) >= this.limits.quotaPerOwner) return 'quota_exceeded';
    if (this.entries.size >= this.limits.capacity) return 'full';
    const previous = this.entries.get(hash);
    if (previous !== undefined && previous.issuedJti === undefined) {
      this.release(previous.grant.owner);
    }
    this.entries.set(hash, { grant: { ...grant } });
    this.held.set(grant.owner, (this.held.get(grant.owner) ?? 0) + 1);
    this.expiries.add(hash, grant.expiresAt);
    return 'saved';
  }

  /** Check and mark with no await in between, which is what makes `consume` atomic here. */
  private consumeNow(hash: string, clientId: string, jti: string, now: number): ConsumeResult {
    const entry = this.entries.get(hash);
    if (entry === undefined) return { status: 'unknown' };
    if (entry.issuedJti !== undefined) {
      if ((entry.forgetAt ?? 0) <= now) return { status: 'unknown' };
      // Another client holding a used code learns nothing, and revokes nothing.
      if (entry.grant.clientId !== clientId) return { status: 'other_client' };
      return { status: 'replayed', grant: { ...entry.grant }, issuedJti: entry.issuedJti };
    }
    if (entry.grant.expiresAt <= now) return { status: 'unknown' };
    if (entry.grant.clientId !== clientId) return { status: 'other_client' };
    entry.issuedJti = jti;
    entry.forgetAt = now + this.limits.keepUsedSeconds;
    this.release(entry.grant.owner);
    this.expiries.add(hash, entry.forgetAt);
    return { status: 'redeemed', grant: { ...entry.grant } };
  }

  private release(owner: string): void {
    const count = (this.held.get(owner) ?? 0) - 1;
    if (count > 0) this.held.set(owner, count);
    else this.held.delete(owner);
  }
}
