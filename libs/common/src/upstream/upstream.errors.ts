/** Why a call to another service failed; each transport maps these to its own status codes. */
export type UpstreamFailure = 'unavailable' | 'timeout' | 'bad_response';

/** A call to another service did not produce a usable answer. */
export class UpstreamError extends Error {
  override readonly name = 'UpstreamError';

  constructor(
    readonly upstream: string,
    readonly failure: UpstreamFailure,
    readonly detail: string,
    options?: { cause?: unknown; retryAfterSeconds?: number },
  ) {
    super(`${upstream}: ${failure}: ${detail}`, options);
    this.retryAfterSeconds = options?.retryAfterSeconds;
  }

  /** When the upstream said how long to wait (RFC 9110 10.2.3). */
  readonly retryAfterSeconds: number | undefined;
}

/** Seconds of a Retry-After header (RFC 9110 10.2.3), when it is a sane delay in seconds. */
export function retryAfterOf(header: string | string[] | undefined): number | undefined {
  if (typeof header !== 'string' || !/^\d{1,5}$/.test(header)) return undefined;
  return Number(header);
}
