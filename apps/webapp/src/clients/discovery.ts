import type { OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { type RequestOutcome, UpstreamError } from '@app/common';
import { MetadataDto } from '@app/contracts';
import { parseReply, type UpstreamClient } from '@app/common/http';

/** The authorization server's endpoints, as its metadata names them. */
export interface AuthServerEndpoints {
  /** For the user agent: the authorization endpoint under the issuer. */
  authorizationEndpoint: string;
  /** For this server's own calls, through its upstream (AUTH_URL): paths under the issuer. */
  authorizationPath: string;
  tokenPath: string;
  /** The token endpoint as published: the URL a DPoP proof for it names (RFC 9449 4.2 `htu`). */
  tokenEndpoint: string;
  /** RFC 9449 5.1: the DPoP algorithms the server accepts; empty when it publishes none. */
  dpopAlgorithms: readonly string[];
}

const METADATA_PATH = '/.well-known/oauth-authorization-server';

/**
 * Discovers the authorization server's endpoints from its RFC 8414 metadata when the service
 * starts, retrying with a capped backoff until it succeeds; the webapp is not ready until then.
 * The metadata's `issuer` must be the configured issuer (RFC 8414 3.3), and every endpoint must
 * lie under it: the webapp reaches the server through AUTH_URL (inside compose, http://auth:5001)
 * and sends the user agent to the issuer's address.
 * @see https://www.rfc-editor.org/rfc/rfc8414#section-3
 */
export class AuthServerDiscovery implements OnApplicationBootstrap, OnModuleDestroy {
  private discovered: AuthServerEndpoints | undefined;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    private readonly http: UpstreamClient,
    private readonly issuer: string,
    private readonly outcome: RequestOutcome,
    private readonly maxBackoffMs = 5_000,
  ) {}

  onApplicationBootstrap(): void {
    void this.discover(250);
  }

  onModuleDestroy(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  get ready(): boolean {
    return this.discovered !== undefined;
  }

  /**
   * The endpoints. A request that comes before the start-up discovery succeeded tries it itself,
   * within its own deadline, so that it fails as the authorization server does: 504 when it
   * hangs, 502 when it answers nonsense, 503 when it cannot be reached.
   */
  async endpoints(signal?: AbortSignal): Promise<AuthServerEndpoints> {
    if (this.discovered !== undefined) return this.discovered;
    this.discovered = await this.fetch(signal);
    return this.discovered;
  }

  /** Fetches and checks the metadata once; the next attempt is scheduled on failure. */
  async discover(backoffMs: number): Promise<void> {
    if (this.discovered !== undefined) return;
    try {
      this.discovered = await this.fetch();
      this.outcome.record('metadata_discovered', { issuer: this.issuer }, 'metadata discovered');
    } catch (err) {
      this.outcome.warn(
        'metadata_discovery_failed',
        { detail: err instanceof Error ? err.message : String(err), retry_ms: backoffMs },
        'authorization server metadata not discovered; retrying',
      );
      if (this.stopped) return;
      this.timer = setTimeout(
        () => void this.discover(Math.min(backoffMs * 2, this.maxBackoffMs)),
        backoffMs,
      );
      this.timer.unref();
    }
  }

  private async fetch(signal?: AbortSignal): Promise<AuthServerEndpoints> {
    const answer = await this.http.send({ method: 'GET', path: METADATA_PATH, signal });
    if (answer.status !== 200) {
      throw new UpstreamError(this.http.name, 'bad_response', `metadata answered ${answer.status}`);
    }
    const metadata = parseReply(this.http.name, MetadataDto, answer.json);
    if (metadata.issuer !== this.issuer) {
      throw new UpstreamError(this.http.name, 'bad_response', `metadata issuer ${metadata.issuer}`);
    }
    return {
      authorizationEndpoint: metadata.authorization_endpoint,
      authorizationPath: this.pathOf(metadata.authorization_endpoint),
      tokenPath: this.pathOf(metadata.token_endpoint),
      tokenEndpoint: metadata.token_endpoint,
      dpopAlgorithms: metadata.dpop_signing_alg_values_supported ?? [],
    };
  }

  private pathOf(endpoint: string): string {
    if (!endpoint.startsWith(`${this.issuer}/`)) {
      throw new UpstreamError(
        this.http.name,
        'bad_response',
        `endpoint ${endpoint} not under the issuer`,
      );
    }
    return endpoint.slice(this.issuer.length);
  }
}
