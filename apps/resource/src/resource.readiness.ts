import { Inject, Injectable } from '@nestjs/common';
import type { ReadinessProbe } from '@app/common';
import type { UpstreamClient } from '@app/common/http';

/** The authorization server's paths this server calls. */
export const AUTH_PATHS = { introspection: '/introspect', jwks: '/jwks.json', health: '/healthz' };

export const AUTH_UPSTREAM = Symbol('AUTH_UPSTREAM');
/** The Redis connection of the DPoP replay cache, when there is one. */
export const REPLAY_STORE = Symbol('REPLAY_STORE');

/**
 * Ready when the authorization server answers (no token can be judged without it) and, with a
 * shared replay cache, when Redis does (no DPoP proof can be checked without it).
 */
@Injectable()
export class ResourceReadiness implements ReadinessProbe {
  constructor(
    @Inject(AUTH_UPSTREAM) private readonly auth: UpstreamClient,
    @Inject(REPLAY_STORE) private readonly store: { ping(): Promise<boolean> } | undefined,
  ) {}

  async check(): Promise<Record<string, boolean>> {
    const auth = await this.auth.answers(AUTH_PATHS.health);
    return this.store === undefined ? { auth } : { auth, store: await this.store.ping() };
  }
}
