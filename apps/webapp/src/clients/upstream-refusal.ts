import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { OAuthErrorResponseDto } from '@app/contracts';
import { type UpstreamResponse, UpstreamError } from '@app/common';
import { BadUpstreamAnswerError, UpstreamRefusedError } from '../errors/webapp.errors';

/**
 * Turns a non-success answer into the webapp's error: 401 and 403 are refusals passed on to the
 * caller with the upstream's own error code; 503 and 504 mean the upstream could not serve; any
 * other status is an unusable answer.
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
  if (answer.status === 503) return new UpstreamError(upstream, 'unavailable', 'answered 503');
  if (answer.status === 504) return new UpstreamError(upstream, 'timeout', 'answered 504');
  const why = body === undefined ? '' : ` ${body.error}: ${body.error_description ?? ''}`;
  return new BadUpstreamAnswerError(upstream, `answered ${answer.status}${why}`);
}

function oauthErrorOf(json: unknown): OAuthErrorResponseDto | undefined {
  if (typeof json !== 'object' || json === null) return undefined;
  const body = plainToInstance(OAuthErrorResponseDto, json);
  return validateSync(body).length === 0 ? body : undefined;
}
