import { unavailabilityOf, UpstreamError } from '@app/common';

/** The part of an upstream answer that says why it is not a 200. */
export interface FailedAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
}

/**
 * What a non-200 answer of the authorization server means for a token it was asked about: 429,
 * 503 and 504 as `unavailabilityOf` says (this server answers 503 or 504 in turn); anything else
 * is an unusable answer (502).
 */
export function upstreamFailureOf(
  upstream: string,
  what: string,
  answer: FailedAnswer,
): UpstreamError {
  const detail = `${what} answered ${answer.status}`;
  return (
    unavailabilityOf(upstream, answer, detail) ??
    new UpstreamError(upstream, 'bad_response', detail)
  );
}
