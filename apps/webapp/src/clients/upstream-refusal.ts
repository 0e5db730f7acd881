import { unavailabilityOf, validateInput } from '@app/common';
import type { UpstreamResponse } from '@app/common/http';
import { OAuthErrorResponseDto } from '@app/contracts';
import { BadUpstreamAnswerError, UpstreamRefusedError } from '../errors/webapp.errors';

/**
 * Turns a non-success answer into the webapp's error: 401 and 403 are refusals passed on to the
 * caller with the upstream's own error code; 429, 503 and 504 mean the upstream could not serve
 * now (the caller gets 503 or 504, with the upstream's Retry-After); any other status is an
 * unusable answer.
 */
export function refusalOf(upstream: string, answer: UpstreamResponse): Error {
  const body = oauthErrorOf(answer.json);
  if (answer.status === 401 || answer.status === 403) {
    const error = body?.error ?? (answer.status === 401 ? 'unauthorized' : 'forbidden');
    const description = body?.error_description ?? 'no reason given';
    return new UpstreamRefusedError(
      upstream,
      answer.status,
      error,
      `the ${upstream} server refused: ${description}`,
    );
  }
  const unavailable = unavailabilityOf(upstream, answer, `answered ${answer.status}`);
  if (unavailable !== undefined) return unavailable;
  const why = body === undefined ? '' : ` ${body.error}: ${body.error_description ?? ''}`;
  return new BadUpstreamAnswerError(upstream, `answered ${answer.status}${why}`);
}

function oauthErrorOf(json: unknown): OAuthErrorResponseDto | undefined {
  if (typeof json !== 'object' || json === null) return undefined;
  try {
    return validateInput(OAuthErrorResponseDto, json);
  } catch {
    return undefined;
  }
}
