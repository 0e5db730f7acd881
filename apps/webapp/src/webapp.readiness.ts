import { Inject, Injectable } from '@nestjs/common';
import type { ReadinessProbe } from '@app/common';
import type { UpstreamClient } from '@app/common/http';
import { AuthServerDiscovery } from './clients/discovery';

export const AUTH_UPSTREAM = Symbol('AUTH_UPSTREAM');
export const RESOURCE_UPSTREAM = Symbol('RESOURCE_UPSTREAM');

/** Ready when both servers answer and the authorization server's metadata is discovered. */
@Injectable()
export class WebappReadiness implements ReadinessProbe {
  constructor(
    @Inject(AUTH_UPSTREAM) private readonly auth: UpstreamClient,
    @Inject(RESOURCE_UPSTREAM) private readonly resource: UpstreamClient,
    @Inject(AuthServerDiscovery) private readonly discovery: AuthServerDiscovery,
  ) {}

  async check(): Promise<Record<string, boolean>> {
    const [authorization, resource] = await Promise.all([
      this.auth.answers('/healthz'),
      this.resource.answers('/healthz'),
    ]);
    return { authorization, resource, metadata: this.discovery.ready };
  }
}
