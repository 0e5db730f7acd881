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

/**
 * What a 429, 503 or 504 of an upstream means to its caller: it cannot serve now (unavailable,
 * with its Retry-After), or it timed out. Undefined for any other status, which each caller
 * judges for itself. Without it, a shared store's outage at the upstream would reach users as
 * 502, a broken server, instead of 503, a server to retry.
 * @see https://www.rfc-editor.org/rfc/rfc9110#section-15.6.4
 */
export function unavailabilityOf(
  upstream: string,
  answer: { status: number; headers: Record<string, string | string[] | undefined> },
  detail: string,
): UpstreamError | undefined {
  if (answer.status === 429 || answer.status === 503) {
    return new UpstreamError(upstream, 'unavailable', detail, {
      retryAfterSeconds: retryAfterOf(answer.headers['retry-after']),
    });
  }
  if (answer.status === 504) return new UpstreamError(upstream, 'timeout', detail);
  return undefined;
}
