import type { PublicJwk } from '@app/contracts';
import { byKid } from '../jwk-order';
import type { KeyDirectory } from '../key-directory.port';

/**
 * The keys of the one process there is. A handful of keys at most (the current one and the
 * previous one), so `list` prunes them as it goes and no timer is needed.
 */
export class InMemoryKeyDirectory implements KeyDirectory {
  private readonly keys = new Map<string, { jwk: PublicJwk; until: number }>();

  publish(jwk: PublicJwk, until: number): Promise<void> {
    const listed = this.keys.get(jwk.kid);
    this.keys.set(jwk.kid, { jwk: { ...jwk }, until: Math.max(until, listed?.until ?? until) });
    return Promise.resolve();
  }

  list(now: number): Promise<PublicJwk[]> {
    const live: PublicJwk[] = [];
    for (const [kid, { jwk, until }] of this.keys) {
      if (until < now) this.keys.delete(kid);
      else live.push({ ...jwk });
    }
    return Promise.resolve(live.sort(byKid));
  }
}
