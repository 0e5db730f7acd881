import type { ServerResponse } from 'node:http';
import { UpstreamClient, UpstreamError } from '@app/common';
import { BadUpstreamAnswerError, UpstreamRefusedError } from '../errors/webapp.errors';
import { callContext, rejection } from '../../test/support/fakes';
import {
  LocalServer,
  type ReceivedRequest,
  sendJson,
} from '../../../../libs/common/test/local-server';
import { ResourceServerClient } from './resource-server.client';

describe('ResourceServerClient over HTTP (RFC 6750 2.1)', () => {
  let server: LocalServer;
  let handle: (request: ReceivedRequest, response: ServerResponse) => void;
  let http: UpstreamClient;
  let client: ResourceServerClient;

  beforeAll(async () => {
    server = await LocalServer.start((request, response) => handle(request, response));
    http = new UpstreamClient({ name: 'resource', baseUrl: server.url, timeoutMs: 1000 });
    client = new ResourceServerClient(http);
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
    await expect(client.fetchTime('current_time', 'tok', callContext('rq-3'))).resolves.toEqual({
      scope: 'current_time',
      currentTime: '2026-01-02T03:04:05+00:00',
      user: 'alice',
    });
    const [request] = server.requests;
    expect(request?.method).toBe('GET');
    expect(request?.url).toBe('/current_time');
    expect(request?.headers.authorization).toBe('Bearer tok');
    expect(request?.headers['x-request-id']).toBe('rq-3');
  });

  it('GETs /epoch_time and reads the answer', async () => {
    handle = (_request, response) =>
      sendJson(response, 200, { epoch_time: 1767323045, user: 'bob' });
    await expect(client.fetchTime('epoch_time', 'tok', callContext())).resolves.toEqual({
      scope: 'epoch_time',
      epochTime: 1767323045,
      user: 'bob',
    });
    expect(server.requests[0]?.url).toBe('/epoch_time');
  });

  it('passes on 401 invalid_token with the upstream error', async () => {
    handle = (_request, response) =>
      sendJson(response, 401, { error: 'invalid_token', error_description: 'expired' });
    const err = await rejection(client.fetchTime('current_time', 'tok', callContext()));
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
    expect(await rejection(client.fetchTime('epoch_time', 'tok', callContext()))).toMatchObject({
      status: 403,
      error: 'insufficient_scope',
      description: 'the resource server refused: needs more',
    });
  });

  it.each([
    [503, 'unavailable'],
    [504, 'timeout'],
  ] as const)('maps %i to UpstreamError %s', async (status, failure) => {
    handle = (_request, response) =>
      sendJson(response, status, { error: 'temporarily_unavailable' });
    const err = await rejection(client.fetchTime('current_time', 'tok', callContext()));
    expect(err).toBeInstanceOf(UpstreamError);
    expect((err as UpstreamError).failure).toBe(failure);
  });

  it.each([400, 404, 500])('treats %i as a bad answer', async (status) => {
    handle = (_request, response) => sendJson(response, status, {});
    const err = await rejection(client.fetchTime('current_time', 'tok', callContext()));
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
    const err = await rejection(client.fetchTime(scope, 'tok', callContext()));
    expect(err).toBeInstanceOf(UpstreamError);
    expect((err as UpstreamError).failure).toBe('bad_response');
  });

  it('treats a body that is not JSON as bad_response', async () => {
    handle = (_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end('not json');
    };
    const err = await rejection(client.fetchTime('current_time', 'tok', callContext()));
    expect(err).toBeInstanceOf(UpstreamError);
    expect((err as UpstreamError).detail).toBe('answer is not a JSON object');
  });
});
