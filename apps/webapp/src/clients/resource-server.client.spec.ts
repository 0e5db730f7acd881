import type { ServerResponse } from 'node:http';
import {
  DpopKey,
  InMemoryDpopReplayCache,
  SystemClock,
  UpstreamError,
  rejectDpopReplay,
  verifyDpopProof,
} from '@app/common';
import { Metrics, UpstreamClient } from '@app/common/http';
import { BadUpstreamAnswerError, UpstreamRefusedError } from '../errors/webapp.errors';
import { callContext, rejection } from '../../test/support/fakes';
import {
  LocalServer,
  type ReceivedRequest,
  sendJson,
} from '../../../../libs/common/test/local-server';
import { ResourceServerClient } from './resource-server.client';
import type { AccessToken } from './resource-server.port';

const bearer = (value: string): AccessToken => ({ value, type: 'Bearer' });
const dpop = (value: string): AccessToken => ({ value, type: 'DPoP' });

describe('ResourceServerClient over HTTP (RFC 6750 2.1)', () => {
  let server: LocalServer;
  let handle: (request: ReceivedRequest, response: ServerResponse) => void;
  let http: UpstreamClient;
  let client: ResourceServerClient;

  beforeAll(async () => {
    server = await LocalServer.start((request, response) => handle(request, response));
    http = new UpstreamClient({
      name: 'resource',
      baseUrl: server.url,
      timeoutMs: 1000,
      metrics: new Metrics('webapp'),
    });
    client = new ResourceServerClient(http, server.url, undefined);
  });

  afterAll(async () => {
    await http.close();
    await server.close();
  });

  beforeEach(() => {
    server.requests.length = 0;
  });

  it('GETs /current_time with the token as Bearer and reads the answer', async () => {
    handle = (_request, response) =>
      sendJson(response, 200, { current_time: '2026-01-02T03:04:05+00:00', user: 'alice' });
    await expect(
      client.fetch('current_time', bearer('tok'), callContext('rq-3')),
    ).resolves.toStrictEqual({ current_time: '2026-01-02T03:04:05+00:00', user: 'alice' });
    const [request] = server.requests;
    expect(request?.method).toBe('GET');
    expect(request?.url).toBe('/current_time');
    expect(request?.headers.authorization).toBe('Bearer tok');
    expect(request?.headers.dpop).toBeUndefined();
    expect(request?.headers['x-request-id']).toBe('rq-3');
  });

  it('GETs /epoch_time and reads the answer', async () => {
    handle = (_request, response) =>
      sendJson(response, 200, { epoch_time: 1767323045, user: 'bob' });
    await expect(client.fetch('epoch_time', bearer('tok'), callContext())).resolves.toStrictEqual({
      epoch_time: 1767323045,
      user: 'bob',
    });
    expect(server.requests[0]?.url).toBe('/epoch_time');
  });

  it("passes on only the fields of the scope's response DTO", async () => {
    handle = (_request, response) =>
      sendJson(response, 200, { epoch_time: 7, user: 'bob', debug: 'internal', token: 'x' });
    await expect(client.fetch('epoch_time', bearer('tok'), callContext())).resolves.toStrictEqual({
      epoch_time: 7,
      user: 'bob',
    });
  });

  it('passes on 401 invalid_token with the upstream error', async () => {
    handle = (_request, response) =>
      sendJson(response, 401, { error: 'invalid_token', error_description: 'expired' });
    const err = await rejection(client.fetch('current_time', bearer('tok'), callContext()));
    expect(err).toBeInstanceOf(UpstreamRefusedError);
    expect(err).toMatchObject({
      upstream: 'resource',
      status: 401,
      error: 'invalid_token',
      description: 'the resource server refused: expired',
    });
  });

  it('passes on 403 insufficient_scope with the upstream error', async () => {
    handle = (_request, response) =>
      sendJson(response, 403, { error: 'insufficient_scope', error_description: 'needs more' });
    expect(await rejection(client.fetch('epoch_time', bearer('tok'), callContext()))).toMatchObject(
      {
        status: 403,
        error: 'insufficient_scope',
        description: 'the resource server refused: needs more',
      },
    );
  });

  it.each([
    [503, 'unavailable'],
    [504, 'timeout'],
  ] as const)('maps %i to UpstreamError %s', async (status, failure) => {
    handle = (_request, response) =>
      sendJson(response, status, { error: 'temporarily_unavailable' });
    const err = await rejection(client.fetch('current_time', bearer('tok'), callContext()));
    expect(err).toBeInstanceOf(UpstreamError);
    expect((err as UpstreamError).failure).toBe(failure);
  });

  it.each([429, 503])('keeps the Retry-After of a %i for the caller', async (status) => {
    handle = (_request, response) => {
      response.writeHead(status, { 'retry-after': '12', 'content-type': 'application/json' });
      response.end('{"error":"temporarily_unavailable"}');
    };
    const err = await rejection(client.fetch('current_time', bearer('tok'), callContext()));
    expect(err).toBeInstanceOf(UpstreamError);
    expect(err).toMatchObject({
      upstream: 'resource',
      failure: 'unavailable',
      detail: `answered ${status}`,
      retryAfterSeconds: 12,
    });
  });

  it.each([400, 404, 500])('treats %i as a bad answer', async (status) => {
    handle = (_request, response) => sendJson(response, status, {});
    const err = await rejection(client.fetch('current_time', bearer('tok'), callContext()));
    expect(err).toBeInstanceOf(BadUpstreamAnswerError);
    expect((err as BadUpstreamAnswerError).detail).toBe(`answered ${status}`);
  });

  it.each([
    ['current_time', 'a time that is not ISO 8601', { current_time: 'noon', user: 'alice' }],
    ['current_time', 'no user', { current_time: '2026-01-02T03:04:05+00:00' }],
    ['current_time', 'an empty user', { current_time: '2026-01-02T03:04:05+00:00', user: '' }],
    ['epoch_time', 'epoch_time as text', { epoch_time: '1767323045', user: 'alice' }],
    ['epoch_time', 'a fractional epoch_time', { epoch_time: 1.5, user: 'alice' }],
    ['epoch_time', 'the other endpoint shape', { current_time: '2026-01-02T03:04:05Z', user: 'a' }],
  ] as const)('treats a %s answer with %s as bad_response', async (scope, _case, body) => {
    handle = (_request, response) => sendJson(response, 200, body);
    const err = await rejection(client.fetch(scope, bearer('tok'), callContext()));
    expect(err).toBeInstanceOf(UpstreamError);
    expect((err as UpstreamError).failure).toBe('bad_response');
  });

  it('treats a body that is not JSON as bad_response', async () => {
    handle = (_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end('not json');
    };
    const err = await rejection(client.fetch('current_time', bearer('tok'), callContext()));
    expect(err).toBeInstanceOf(UpstreamError);
    expect((err as UpstreamError).detail).toBe('answer is not a JSON object');
  });

  describe('a DPoP-bound token (RFC 9449 7.1)', () => {
    it('sends it as Authorization: DPoP with a proof for this request that hashes the token', async () => {
      const key = DpopKey.generate();
      const bound = new ResourceServerClient(http, server.url, key);
      handle = (_request, response) =>
        sendJson(response, 200, { current_time: '2026-01-02T03:04:05+00:00', user: 'alice' });
      await expect(
        bound.fetch('current_time', dpop('tok.en'), callContext()),
      ).resolves.toStrictEqual({ current_time: '2026-01-02T03:04:05+00:00', user: 'alice' });
      const [request] = server.requests;
      expect(request?.headers.authorization).toBe('DPoP tok.en');
      // The proof passes the resource server's own checks: method, URL, token hash, key.
      const proof = verifyDpopProof(request?.headers.dpop as string, {
        method: 'GET',
        url: `${server.url}/current_time`,
        nowSeconds: Math.floor(Date.now() / 1000),
        accessToken: 'tok.en',
        jkt: key.thumbprint,
      });
      expect(proof.jkt).toBe(key.thumbprint);
    });

    it('sends a new proof with every call, so that none is a replay', async () => {
      const key = DpopKey.generate();
      const bound = new ResourceServerClient(http, server.url, key);
      handle = (_request, response) => sendJson(response, 200, { epoch_time: 1, user: 'alice' });
      await bound.fetch('epoch_time', dpop('t'), callContext());
      await bound.fetch('epoch_time', dpop('t'), callContext());
      const replays = new InMemoryDpopReplayCache(new SystemClock());
      for (const request of server.requests) {
        const proof = verifyDpopProof(request.headers.dpop as string, {
          method: 'GET',
          url: `${server.url}/epoch_time`,
          nowSeconds: Math.floor(Date.now() / 1000),
          accessToken: 't',
        });
        await rejectDpopReplay(replays, proof);
      }
      expect(replays.size).toBe(2);
    });

    it('sends a Bearer token without a proof even when it has a DPoP key', async () => {
      const bound = new ResourceServerClient(http, server.url, DpopKey.generate());
      handle = (_request, response) => sendJson(response, 200, { epoch_time: 1, user: 'alice' });
      await bound.fetch('epoch_time', bearer('t'), callContext());
      expect(server.requests[0]?.headers.authorization).toBe('Bearer t');
      expect(server.requests[0]?.headers.dpop).toBeUndefined();
    });

    it('sends nothing for a DPoP-bound token it holds no key for', async () => {
      const err = await rejection(client.fetch('current_time', dpop('t'), callContext()));
      expect(err).toBeInstanceOf(BadUpstreamAnswerError);
      expect(err).toMatchObject({
        upstream: 'authorization',
        detail: 'a DPoP-bound token without a DPoP key',
      });
      expect(server.requests).toHaveLength(0);
    });
  });
});
