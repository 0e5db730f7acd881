import { retryAfterOf, UpstreamError } from '@app/common';

/** The part of an upstream answer that says why it is not a 200. */
export interface FailedAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
}

/**
 * What a non-200 answer of the authorization server means for a token it was asked about: 429
 * and 503 that it cannot serve now (its store is down, say), so this server is unavailable too
 * and answers 503 with the upstream's Retry-After; 504 that it timed out; anything else is an
 * unusable answer (502). Without this, a shared store's outage would reach users as 502, a
 * broken server, instead of 503, a server to retry.
 * @see https://www.rfc-editor.org/rfc/rfc9110#section-15.6.4
 */
export function upstreamFailureOf(
  upstream: string,
  what: string,
  answer: FailedAnswer,
): UpstreamError {
  const detail = `${what} answered ${answer.status}`;
  if (answer.status === 429 || answer.status === 503) {
    return new UpstreamError(upstream, 'unavailable', detail, {
      retryAfterSeconds: retryAfterOf(answer.headers['retry-after']),
    });
  }
  if (answer.status === 504) return new UpstreamError(upstream, 'timeout', detail);
  return new UpstreamError(upstream, 'bad_response', detail);
}
