import type { ServerResponse } from 'node:http';
import { UpstreamError } from '@app/common';
import { UpstreamClient } from '@app/common/http';
import { LocalServer } from '../../../../libs/common/test/local-server';
import type { AccessRequest } from './access-token-verifier.port';
import { IntrospectionVerifier } from './introspection.verifier';
import { JwksVerifier } from './jwks.verifier';
import { type FailedAnswer, upstreamFailureOf } from './upstream-failure';

function answer(status: number, headers: FailedAnswer['headers'] = {}): FailedAnswer {
  return { status, headers };
}

describe('upstreamFailureOf', () => {
  it.each([
    [503, 'unavailable'],
    [429, 'unavailable'],
    [504, 'timeout'],
    [500, 'bad_response'],
    [502, 'bad_response'],
    [401, 'bad_response'],
    [404, 'bad_response'],
  ] as const)('reads a %i answer as %s', (status, failure) => {
    const err = upstreamFailureOf('authorization', 'introspection', answer(status));
    expect(err).toBeInstanceOf(UpstreamError);
    expect(err).toMatchObject({
      upstream: 'authorization',
      failure,
      detail: `introspection answered ${status}`,
    });
  });

  it('keeps a Retry-After delay of an unavailable upstream, and only a sane one', () => {
    const wait = (header: string | string[] | undefined): number | undefined =>
      upstreamFailureOf('authorization', 'JWKS', answer(503, { 'retry-after': header }))
        .retryAfterSeconds;
    expect(wait('3')).toBe(3);
    expect(wait(undefined)).toBeUndefined();
    expect(wait('Wed, 21 Oct 2015 07:28:00 GMT')).toBeUndefined();
    expect(wait(['1', '2'])).toBeUndefined();
    expect(wait('-1')).toBeUndefined();
  });
});

/**
 * The authorization server of a scaled stack answers 503 temporarily_unavailable while its
 * shared store is down: both verifiers must report it as unavailable (503), not as a bad answer.
 */
describe('the verifiers, when the authorization server answers 503', () => {
  let server: LocalServer;
  let client: UpstreamClient;
  const request: AccessRequest = {
    method: 'GET',
    url: 'http://localhost:5002/current_time',
    requestId: 'r-503',
  };

  beforeAll(async () => {
    server = await LocalServer.start((_request, response: ServerResponse) => {
      response.writeHead(503, { 'content-type': 'application/json', 'retry-after': '2' });
      response.end(JSON.stringify({ error: 'temporarily_unavailable', error_description: 'x' }));
    });
    client = new UpstreamClient({
      name: 'authorization',
      baseUrl: server.url,
      timeoutMs: 2000,
      metrics: { observeUpstream: () => undefined },
    });
  });

  afterAll(async () => {
    await client.close();
    await server.close();
  });

  it('introspection', async () => {
    const verifier = new IntrospectionVerifier(
      client,
      {
        path: '/introspect',
        clientId: 'resource-server',
        clientSecret: 'resource-secret',
        issuer: 'http://localhost:5001',
        leewaySeconds: 0,
      },
      () => 1_700_000_000,
    );
    await expect(verifier.verify('a-token', request)).rejects.toMatchObject({
      name: 'UpstreamError',
      failure: 'unavailable',
      detail: 'introspection answered 503',
      retryAfterSeconds: 2,
    });
  });

  it('the key set', async () => {
    const verifier = new JwksVerifier(
      client,
      {
        path: '/jwks.json',
        issuer: 'http://localhost:5001',
        leewaySeconds: 0,
        cacheSeconds: 300,
        refetchCooldownSeconds: 1,
      },
      () => 1_700_000_000,
    );
    const header = Buffer.from(JSON.stringify({ alg: 'ES256', typ: 'at+jwt', kid: 'k1' }));
    const token = `${header.toString('base64url')}.e30.c2ln`;
    await expect(verifier.verify(token, request)).rejects.toMatchObject({
      name: 'UpstreamError',
      failure: 'unavailable',
      detail: 'JWKS answered 503',
      retryAfterSeconds: 2,
    });
  });
});
