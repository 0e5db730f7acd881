import { createPublicKey, type KeyObject } from 'node:crypto';
import type { OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import type { Clock, RequestOutcome } from '@app/common';
import type { PublicJwk } from '@app/contracts';
import type { KeyDirectory } from '../stores/key-directory.port';
import { StoreUnavailableError } from '@app/common';
import { generateSigningKey, type KeySet, type SigningKey } from './key-set';

export interface SigningKeysOptions {
  /** Lifetime of a token, plus the leeway: how long a key must stay listed after its last use. */
  tokenLifetimeSeconds: number;
  /** Seconds between two rotations of a generated key (a configured one never rotates); 0: never. */
  rotationSeconds: number;
  /** Seconds between two re-publications of the current key. */
  heartbeatSeconds: number;
}

/**
 * The signing keys of this replica, published in the shared key directory: the current key is
 * listed before it signs anything (a token is never issued under a key a resource server cannot
 * find), re-published on a heartbeat while it signs, and, once rotated out or once this replica
 * is gone, still listed for as long as the tokens it signed can live. Every replica's JWKS is the
 * directory's list, and a token of any replica verifies under a key found there.
 */
export class SigningKeys implements OnModuleInit, OnModuleDestroy {
  private current: SigningKey;
  private published = false;
  private rotatedAt: number;
  private timer: NodeJS.Timeout | undefined;
  /** Verification keys by kid: this replica's own, and those found in the directory. */
  private readonly known = new Map<string, KeyObject>();
  private lookedUpAt = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly keySet: KeySet,
    private readonly directory: KeyDirectory,
    private readonly clock: Clock,
    private readonly outcome: RequestOutcome,
    private readonly options: SigningKeysOptions,
  ) {
    this.current = keySet.current;
    this.rotatedAt = clock.nowSeconds();
    for (const key of keySet.verification.values()) this.known.set(key.kid, key.publicKey);
  }

  /** Publishes the current key before the server takes requests; retried on the heartbeat. */
  async onModuleInit(): Promise<void> {
    await this.heartbeat();
    this.timer = setInterval(() => void this.heartbeat(), this.options.heartbeatSeconds * 1000);
    this.timer.unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.timer);
  }

  /** True once the current key is listed, so that its tokens verify everywhere. */
  get ready(): boolean {
    return this.published;
  }

  /** The key to sign with now. */
  signingKey(): SigningKey {
    if (!this.published) {
      throw new StoreUnavailableError('keys', 'the signing key is not published yet');
    }
    return this.current;
  }

  /** Every key whose tokens may still be alive, from every replica. */
  async publicJwks(): Promise<PublicJwk[]> {
    return this.directory.list(this.clock.nowSeconds());
  }

  /** The public key of `kid`, looked up in the directory (at most once a second) when unknown. */
  async verificationKey(kid: string): Promise<KeyObject | undefined> {
    const known = this.known.get(kid);
    if (known !== undefined) return known;
    const now = this.clock.nowSeconds();
    if (now - this.lookedUpAt < 1) return undefined;
    this.lookedUpAt = now;
    for (const jwk of await this.directory.list(now)) {
      if (this.known.has(jwk.kid) || jwk.kty !== 'EC' || jwk.crv !== 'P-256') continue;
      this.known.set(
        jwk.kid,
        createPublicKey({ key: { kty: 'EC', crv: 'P-256', x: jwk.x, y: jwk.y }, format: 'jwk' }),
      );
    }
    return this.known.get(kid);
  }

  /** Rotates when due, then (re-)publishes every key this replica still vouches for. */
  private async heartbeat(): Promise<void> {
    const now = this.clock.nowSeconds();
    const { rotationSeconds, heartbeatSeconds, tokenLifetimeSeconds } = this.options;
    // Listed until well past the next heartbeat, and for a token lifetime beyond: a replica that
    // dies leaves its key listed for as long as its last tokens live.
    const until = now + 3 * heartbeatSeconds + tokenLifetimeSeconds;
    try {
      // Only a generated key rotates; a configured one is the operator's to replace.
      const due = rotationSeconds > 0 && now - this.rotatedAt >= rotationSeconds;
      if (this.published && this.keySet.generated && due) {
        const next = generateSigningKey();
        await this.directory.publish(next.jwk, until);
        this.known.set(next.kid, next.publicKey);
        // The old key was published until a heartbeat ahead, which covers its last tokens.
        this.current = next;
        this.rotatedAt = now;
        this.outcome.warn('signing_key_rotated', { kid: next.kid }, 'signing key rotated');
      }
      // A configured previous key stays listed while it is configured; a key rotated out is
      // not published again: its last publication covers the tokens it signed.
      for (const key of this.keySet.verification.values()) {
        if (key.kid !== this.current.kid && key.kid !== this.keySet.current.kid) {
          await this.directory.publish(key.jwk, until);
        }
      }
      await this.directory.publish(this.current.jwk, until);
      this.published = true;
    } catch (err) {
      this.outcome.warn(
        'signing_key_unpublished',
        { detail: err instanceof Error ? err.message : String(err) },
        'the signing key could not be published; retrying',
      );
    }
  }
}
