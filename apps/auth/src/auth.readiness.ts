import { Inject, Injectable } from '@nestjs/common';
import type { ReadinessProbe } from '@app/common';
import { SigningKeys } from './signing/signing-keys';
import { STORE_HEALTH, type StoreHealth } from './stores/store-health.port';

/** Ready when the store answers and this replica's signing key is published. */
@Injectable()
export class AuthReadiness implements ReadinessProbe {
  constructor(
    @Inject(STORE_HEALTH) private readonly store: StoreHealth,
    @Inject(SigningKeys) private readonly keys: SigningKeys,
  ) {}

  async check(): Promise<Record<string, boolean>> {
    return { store: await this.store.ping(), signing_key: this.keys.ready };
  }
}
