import { UpstreamError } from '../upstream/upstream.errors';
import { upstreamErrorReply } from './json-exception.filter';

describe('upstreamErrorReply (an upstream failure as a gateway answers it)', () => {
  it('answers an unreachable upstream with 503 and the Retry-After it asked for (RFC 9110 10.2.3)', () => {
    const err = new UpstreamError('resource', 'unavailable', 'answered 429', {
      retryAfterSeconds: 7,
    });
    expect(upstreamErrorReply(err, 'service_unavailable')).toEqual({
      status: 503,
      body: {
        error: 'service_unavailable',
        error_description: 'the resource server cannot be reached',
      },
      headers: { 'retry-after': '7' },
    });
  });

  it('answers Retry-After 1 when the upstream named no delay, under the code the app names', () => {
    const err = new UpstreamError('authorization', 'unavailable', 'ECONNREFUSED');
    expect(upstreamErrorReply(err, 'temporarily_unavailable')).toEqual({
      status: 503,
      body: {
        error: 'temporarily_unavailable',
        error_description: 'the authorization server cannot be reached',
      },
      headers: { 'retry-after': '1' },
    });
  });

  it('passes on Retry-After 0 as 0, not as the default', () => {
    const err = new UpstreamError('resource', 'unavailable', 'answered 503', {
      retryAfterSeconds: 0,
    });
    expect(upstreamErrorReply(err, 'service_unavailable').headers).toEqual({ 'retry-after': '0' });
  });

  it('answers a timeout with 504 and a bad answer with 502, neither with Retry-After', () => {
    expect(
      upstreamErrorReply(new UpstreamError('resource', 'timeout', 'x'), 'service_unavailable'),
    ).toEqual({
      status: 504,
      body: {
        error: 'gateway_timeout',
        error_description: 'the resource server did not answer in time',
      },
    });
    expect(
      upstreamErrorReply(new UpstreamError('resource', 'bad_response', 'x'), 'service_unavailable'),
    ).toEqual({
      status: 502,
      body: {
        error: 'bad_gateway',
        error_description: 'the resource server gave an unusable answer',
      },
    });
  });
});

describe('UpstreamError', () => {
  it('keeps the upstream, the failure, the detail, the cause and the delay asked for', () => {
    const cause = new Error('socket hang up');
    const err = new UpstreamError('resource', 'unavailable', 'answered 503', {
      cause,
      retryAfterSeconds: 3,
    });
    expect(err).toMatchObject({
      name: 'UpstreamError',
      message: 'resource: unavailable: answered 503',
      upstream: 'resource',
      failure: 'unavailable',
      detail: 'answered 503',
      retryAfterSeconds: 3,
    });
    expect(err.cause).toBe(cause);
    expect(new UpstreamError('resource', 'timeout', 'x').retryAfterSeconds).toBeUndefined();
  });
});
