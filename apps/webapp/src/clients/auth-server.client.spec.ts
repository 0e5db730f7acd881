import type { ServerResponse } from 'node:http';
import { DpopKey, UpstreamError, verifyDpopProof } from '@app/common';
import { Metrics, UpstreamClient } from '@app/common/http';
import { BadUpstreamAnswerError, UpstreamRefusedError } from '../errors/webapp.errors';
import { RecordedOutcome, callContext, rejection } from '../../test/support/fakes';
import { METADATA_PATH, metadataOf } from '../../test/support/metadata';
import {
  LocalServer,
  type ReceivedRequest,
  closedPort,
  sendJson,
} from '../../../../libs/common/test/local-server';
import { AuthServerClient, type AuthServerClientOptions } from './auth-server.client';
import type { AuthorizationCall } from './auth-server.port';
import { AuthServerDiscovery } from './discovery';

const REDIRECT_URI = 'http://localhost:5003/callback';

const OPTIONS: AuthServerClientOptions = {
  clientId: '1234',
  clientSecret: 'qwerty',
  redirectUri: REDIRECT_URI,
  tokenAuthMethod: 'client_secret_basic',
};

const CALL: AuthorizationCall = {
  scope: 'current_time',
  state: 'st-1',
  codeChallenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
  username: 'alice',
  password: 'pw',
};

function redirectTo(response: ServerResponse, location: string, status = 302): void {
  response.writeHead(status, { location });
  response.end();
}

describe('AuthServerClient over HTTP', () => {
  let server: LocalServer;
  /** What the server publishes at its RFC 8414 metadata path. */
  let metadata: Record<string, unknown>;
  /** How the server answers every other request. */
  let handle: (request: ReceivedRequest, response: ServerResponse) => void;
  let http: UpstreamClient;
  let client: AuthServerClient;

  beforeAll(async () => {
    server = await LocalServer.start((request, response) =>
      request.url === METADATA_PATH ? sendJson(response, 200, metadata) : handle(request, response),
    );
    http = new UpstreamClient({
      name: 'authorization',
      baseUrl: server.url,
      timeoutMs: 1000,
      metrics: new Metrics('webapp'),
    });
  });

  afterAll(async () => {
    await http.close();
    await server.close();
  });

  /** A client over a fresh discovery of the server (its issuer is its own URL here). */
  const clientWith = (options: Partial<AuthServerClientOptions> = {}): AuthServerClient =>
    new AuthServerClient(http, new AuthServerDiscovery(http, server.url, new RecordedOutcome()), {
      ...OPTIONS,
      ...options,
    });

  /** The requests to the endpoints, the metadata request left out. */
  const calls = (): ReceivedRequest[] =>
    server.requests.filter((request) => request.url !== METADATA_PATH);

  beforeEach(() => {
    server.requests.length = 0;
    metadata = metadataOf(server.url);
    client = clientWith();
  });

  const refusalOfAuthorize = async (): Promise<unknown> =>
    rejection(client.authorize(CALL, callContext()));

  describe('the authorization request (RFC 6749 4.1.1)', () => {
    it('sends the PKCE request with the user login and reads the 302 back to the client', async () => {
      handle = (_request, response) =>
        redirectTo(
          response,
          `${REDIRECT_URI}?code=abc&state=st-1&iss=http%3A%2F%2Flocalhost%3A5001`,
        );
      await expect(client.authorize(CALL, callContext('rq-1'))).resolves.toEqual({
        code: 'abc',
        state: 'st-1',
        iss: 'http://localhost:5001',
        error: undefined,
        errorDescription: undefined,
      });
      const [request] = calls();
      expect(request?.method).toBe('GET');
      const url = new URL(request?.url ?? '', 'http://x');
      expect(url.pathname).toBe('/authorize');
      expect(Object.fromEntries(url.searchParams)).toEqual({
        response_type: 'code',
        client_id: '1234',
        redirect_uri: REDIRECT_URI,
        scope: 'current_time',
        state: 'st-1',
        code_challenge: CALL.codeChallenge,
        code_challenge_method: 'S256',
      });
      expect(request?.headers.authorization).toBe(
        `Basic ${Buffer.from('alice:pw').toString('base64')}`,
      );
      expect(request?.headers['x-request-id']).toBe('rq-1');
    });

    it('reads an error redirect with its description (RFC 6749 4.1.2.1)', async () => {
      handle = (_request, response) =>
        redirectTo(
          response,
          `${REDIRECT_URI}?error=invalid_scope&error_description=bad+scope&state=st-1&iss=i`,
          303,
        );
      await expect(client.authorize(CALL, callContext())).resolves.toEqual({
        code: undefined,
        state: 'st-1',
        iss: 'i',
        error: 'invalid_scope',
        errorDescription: 'bad scope',
      });
    });

    it.each([
      ['another host', 'http://evil.example/callback?code=abc&state=st-1'],
      ['a longer path', `${REDIRECT_URI}x?code=abc&state=st-1`],
      ['a host that starts like ours', 'http://localhost:5003.evil.example/callback?code=a'],
      ['no query', REDIRECT_URI],
    ])('refuses a redirect to %s', async (_case, location) => {
      handle = (_request, response) => redirectTo(response, location);
      const err = await refusalOfAuthorize();
      expect(err).toBeInstanceOf(BadUpstreamAnswerError);
      expect((err as BadUpstreamAnswerError).detail).toBe('redirect to an unexpected location');
    });

    it('refuses a redirect without Location', async () => {
      handle = (_request, response) => {
        response.writeHead(302);
        response.end();
      };
      expect(await refusalOfAuthorize()).toBeInstanceOf(BadUpstreamAnswerError);
    });

    it('refuses a redirect that repeats a parameter', async () => {
      handle = (_request, response) =>
        redirectTo(response, `${REDIRECT_URI}?code=a&code=b&state=st-1`);
      const err = await refusalOfAuthorize();
      expect(err).toBeInstanceOf(BadUpstreamAnswerError);
      expect((err as BadUpstreamAnswerError).detail).toBe(
        'redirect: parameter code is invalid, too long or repeated',
      );
    });

    it('treats a parameter of the redirect sent without a value as omitted (RFC 6749 3.1)', async () => {
      handle = (_request, response) =>
        redirectTo(response, `${REDIRECT_URI}?code=abc&state=st-1&iss=i&error=&error_description=`);
      await expect(client.authorize(CALL, callContext())).resolves.toEqual({
        code: 'abc',
        state: 'st-1',
        iss: 'i',
        error: undefined,
        errorDescription: undefined,
      });
    });

    it('refuses a redirect with a state longer than any this client sends', async () => {
      handle = (_request, response) =>
        redirectTo(response, `${REDIRECT_URI}?code=abc&state=${'s'.repeat(513)}`);
      const err = await refusalOfAuthorize();
      expect(err).toBeInstanceOf(BadUpstreamAnswerError);
      expect((err as BadUpstreamAnswerError).detail).toBe(
        'redirect: parameter state is invalid, too long or repeated',
      );
    });

    it('passes on a 401 refusal with the upstream error', async () => {
      handle = (_request, response) =>
        sendJson(response, 401, { error: 'login_required', error_description: 'log in first' });
      const err = await refusalOfAuthorize();
      expect(err).toBeInstanceOf(UpstreamRefusedError);
      expect(err).toMatchObject({
        upstream: 'authorization',
        status: 401,
        error: 'login_required',
        description: 'the authorization server refused: log in first',
      });
    });

    it('passes on a 403 without a readable body as forbidden', async () => {
      handle = (_request, response) => {
        response.writeHead(403, { 'content-type': 'text/html' });
        response.end('<h1>no</h1>');
      };
      expect(await refusalOfAuthorize()).toMatchObject({
        status: 403,
        error: 'forbidden',
        description: 'the authorization server refused: no reason given',
      });
    });

    it('does not pass on an error code outside the RFC 6749 syntax', async () => {
      handle = (_request, response) => sendJson(response, 401, { error: 'bad "code"' });
      expect(await refusalOfAuthorize()).toMatchObject({ status: 401, error: 'unauthorized' });
    });

    it.each([
      [429, 'unavailable'],
      [503, 'unavailable'],
      [504, 'timeout'],
    ] as const)('maps %i to UpstreamError %s', async (status, failure) => {
      handle = (_request, response) => sendJson(response, status, {});
      const err = await refusalOfAuthorize();
      expect(err).toBeInstanceOf(UpstreamError);
      expect((err as UpstreamError).failure).toBe(failure);
      expect((err as UpstreamError).retryAfterSeconds).toBeUndefined();
    });

    it.each([
      [429, '7', 7],
      [503, '120', 120],
      [503, '0', 0],
      [503, 'Wed, 21 Oct 2026 07:28:00 GMT', undefined],
      [503, '-1', undefined],
      [503, '1.5', undefined],
      [429, '999999', undefined],
    ] as const)(
      'a %i with Retry-After %j asks for %p seconds (delay-seconds only, RFC 9110 10.2.3)',
      async (status, header, seconds) => {
        handle = (_request, response) => {
          response.writeHead(status, { 'retry-after': header, 'content-type': 'application/json' });
          response.end('{}');
        };
        const err = await refusalOfAuthorize();
        expect(err).toBeInstanceOf(UpstreamError);
        expect(err).toMatchObject({ failure: 'unavailable', detail: `answered ${status}` });
        expect((err as UpstreamError).retryAfterSeconds).toBe(seconds);
      },
    );

    it.each([200, 400, 500])('treats %i as a bad answer', async (status) => {
      handle = (_request, response) =>
        sendJson(response, status, { error: 'invalid_request', error_description: 'why' });
      const err = await refusalOfAuthorize();
      expect(err).toBeInstanceOf(BadUpstreamAnswerError);
      expect((err as BadUpstreamAnswerError).detail).toBe(
        `answered ${status} invalid_request: why`,
      );
    });
  });

  describe('the token request (RFC 6749 4.1.3)', () => {
    const token = { access_token: 'at', token_type: 'Bearer', expires_in: 5, scope: 'epoch_time' };

    it('authenticates with client_secret_basic, form-encoding id and secret first', async () => {
      client = clientWith({ clientId: 'my app', clientSecret: 'q:w%é' });
      handle = (_request, response) => sendJson(response, 200, token);
      await expect(
        client.exchangeCode('the-code', 'the-verifier', callContext('rq-2')),
      ).resolves.toEqual({
        accessToken: 'at',
        tokenType: 'Bearer',
        expiresIn: 5,
        scope: 'epoch_time',
      });
      const [request] = calls();
      expect(request?.method).toBe('POST');
      expect(request?.url).toBe('/token');
      expect(request?.headers.dpop).toBeUndefined();
      expect(request?.headers['content-type']).toBe('application/x-www-form-urlencoded');
      expect(request?.headers['x-request-id']).toBe('rq-2');
      expect(request?.headers.authorization).toBe(
        `Basic ${Buffer.from('my+app:q%3Aw%25%C3%A9').toString('base64')}`,
      );
      expect(Object.fromEntries(new URLSearchParams(request?.body))).toEqual({
        grant_type: 'authorization_code',
        code: 'the-code',
        redirect_uri: REDIRECT_URI,
        code_verifier: 'the-verifier',
      });
    });

    it('sends the credentials in the body with client_secret_post', async () => {
      client = clientWith({ tokenAuthMethod: 'client_secret_post' });
      handle = (_request, response) => sendJson(response, 200, token);
      await client.exchangeCode('c', 'v', callContext());
      const [request] = calls();
      expect(request?.headers.authorization).toBeUndefined();
      expect(Object.fromEntries(new URLSearchParams(request?.body))).toEqual({
        grant_type: 'authorization_code',
        code: 'c',
        redirect_uri: REDIRECT_URI,
        code_verifier: 'v',
        client_id: '1234',
        client_secret: 'qwerty',
      });
    });

    it('passes on invalid_client (401) as a refusal', async () => {
      handle = (_request, response) =>
        sendJson(response, 401, { error: 'invalid_client', error_description: 'who are you' });
      expect(await rejection(client.exchangeCode('c', 'v', callContext()))).toMatchObject({
        status: 401,
        error: 'invalid_client',
        description: 'the authorization server refused: who are you',
      });
    });

    it('treats invalid_grant (400) as a bad answer', async () => {
      handle = (_request, response) =>
        sendJson(response, 400, { error: 'invalid_grant', error_description: 'used code' });
      const err = await rejection(client.exchangeCode('c', 'v', callContext()));
      expect(err).toBeInstanceOf(BadUpstreamAnswerError);
      expect((err as BadUpstreamAnswerError).detail).toBe('answered 400 invalid_grant: used code');
    });

    it.each([
      ['no access_token', { token_type: 'Bearer', expires_in: 5, scope: 'epoch_time' }],
      ['expires_in as text', { ...token, expires_in: '5' }],
      ['a negative expires_in', { ...token, expires_in: -1 }],
      ['a JSON array', [token]],
    ])('treats a success with %s as bad_response', async (_case, body) => {
      handle = (_request, response) => sendJson(response, 200, body);
      const err = await rejection(client.exchangeCode('c', 'v', callContext()));
      expect(err).toBeInstanceOf(UpstreamError);
      expect((err as UpstreamError).failure).toBe('bad_response');
    });

    it('times out on the shared deadline of the call', async () => {
      handle = () => undefined;
      const started = Date.now();
      const err = await rejection(
        client.exchangeCode('c', 'v', { requestId: 'r', signal: AbortSignal.timeout(100) }),
      );
      expect(err).toBeInstanceOf(UpstreamError);
      expect((err as UpstreamError).failure).toBe('timeout');
      expect(Date.now() - started).toBeLessThan(900);
    });
  });

  describe('DPoP at the token endpoint (RFC 9449 5)', () => {
    const token = { access_token: 'at', token_type: 'DPoP', expires_in: 5, scope: 'epoch_time' };

    it('sends a proof of its key for the token endpoint the metadata names', async () => {
      const key = DpopKey.generate();
      metadata = metadataOf(server.url, { dpop_signing_alg_values_supported: ['ES256', 'EdDSA'] });
      client = clientWith({ dpopKey: key });
      handle = (_request, response) => sendJson(response, 200, token);
      await expect(client.exchangeCode('c', 'v', callContext())).resolves.toMatchObject({
        accessToken: 'at',
        tokenType: 'DPoP',
      });
      const proof = calls()[0]?.headers.dpop;
      expect(typeof proof).toBe('string');
      const verified = verifyDpopProof(proof as string, {
        method: 'POST',
        url: `${server.url}/token`,
        nowSeconds: Math.floor(Date.now() / 1000),
        jkt: key.thumbprint,
      });
      expect(verified.jkt).toBe(key.thumbprint);
    });

    it('sends a fresh proof with every token request', async () => {
      metadata = metadataOf(server.url, { dpop_signing_alg_values_supported: ['ES256'] });
      client = clientWith({ dpopKey: DpopKey.generate() });
      handle = (_request, response) => sendJson(response, 200, token);
      await client.exchangeCode('c1', 'v', callContext());
      await client.exchangeCode('c2', 'v', callContext());
      const [first, second] = calls().map((request) => request.headers.dpop);
      expect(first).not.toBe(second);
    });

    it.each([
      ['publishes no DPoP algorithms', undefined],
      ['does not accept ES256', ['EdDSA', 'PS256']],
    ])('sends no proof to a server that %s', async (_case, algorithms) => {
      metadata = metadataOf(server.url, { dpop_signing_alg_values_supported: algorithms });
      client = clientWith({ dpopKey: DpopKey.generate() });
      handle = (_request, response) => sendJson(response, 200, { ...token, token_type: 'Bearer' });
      await client.exchangeCode('c', 'v', callContext());
      expect(calls()[0]?.headers.dpop).toBeUndefined();
    });

    it('binds the code to its key with dpop_jkt (RFC 9449 10), at both authorization requests', async () => {
      const key = DpopKey.generate();
      metadata = metadataOf(server.url, { dpop_signing_alg_values_supported: ['ES256'] });
      client = clientWith({ dpopKey: key });
      handle = (_request, response) =>
        redirectTo(
          response,
          `${REDIRECT_URI}?code=abc&state=st-1&iss=http%3A%2F%2Flocalhost%3A5001`,
        );
      await client.authorize(CALL, callContext());
      const sent = new URL(calls()[0]?.url ?? '', 'http://x').searchParams;
      expect(sent.getAll('dpop_jkt')).toEqual([key.thumbprint]);
      const login = new URL(await client.authorizationUrl(CALL, callContext()));
      expect(login.searchParams.getAll('dpop_jkt')).toEqual([key.thumbprint]);
    });

    it('sends no dpop_jkt to a server that does not accept its key, so the code stays redeemable', async () => {
      metadata = metadataOf(server.url, { dpop_signing_alg_values_supported: ['EdDSA'] });
      client = clientWith({ dpopKey: DpopKey.generate() });
      handle = (_request, response) =>
        redirectTo(
          response,
          `${REDIRECT_URI}?code=abc&state=st-1&iss=http%3A%2F%2Flocalhost%3A5001`,
        );
      await client.authorize(CALL, callContext());
      expect(new URL(calls()[0]?.url ?? '', 'http://x').searchParams.has('dpop_jkt')).toBe(false);
      const login = new URL(await client.authorizationUrl(CALL, callContext()));
      expect(login.searchParams.has('dpop_jkt')).toBe(false);
    });
  });

  describe('discovery (RFC 8414)', () => {
    it('starts a browser login at the authorization endpoint the metadata names', async () => {
      metadata = metadataOf(server.url, {
        authorization_endpoint: `${server.url}/oauth/authorize`,
      });
      await expect(
        client.authorizationUrl(
          { scope: 'epoch_time', state: 'st 2', codeChallenge: CALL.codeChallenge },
          callContext(),
        ),
      ).resolves.toBe(
        `${server.url}/oauth/authorize?response_type=code&client_id=1234` +
          `&redirect_uri=http%3A%2F%2Flocalhost%3A5003%2Fcallback&scope=epoch_time&state=st+2` +
          `&code_challenge=${CALL.codeChallenge}&code_challenge_method=S256`,
      );
      expect(calls()).toHaveLength(0);
    });

    it('sends its own calls to the paths of the endpoints the metadata names', async () => {
      metadata = metadataOf(server.url, {
        authorization_endpoint: `${server.url}/oauth/authorize`,
        token_endpoint: `${server.url}/oauth/token`,
      });
      handle = (request, response) =>
        request.method === 'GET'
          ? redirectTo(response, `${REDIRECT_URI}?code=abc&state=st-1`)
          : sendJson(response, 200, {
              access_token: 'at',
              token_type: 'Bearer',
              expires_in: 5,
              scope: 'current_time',
            });
      await client.authorize(CALL, callContext());
      await client.exchangeCode('abc', 'v', callContext());
      expect(
        server.requests.map((request) => `${request.method} ${request.url.split('?')[0]}`),
      ).toEqual([`GET ${METADATA_PATH}`, 'GET /oauth/authorize', 'POST /oauth/token']);
    });

    it('makes no call to an authorization server whose metadata names another issuer', async () => {
      metadata = metadataOf('http://evil.example');
      const err = await refusalOfAuthorize();
      expect(err).toBeInstanceOf(UpstreamError);
      expect(err).toMatchObject({
        failure: 'bad_response',
        detail: 'metadata issuer http://evil.example',
      });
      expect(calls()).toHaveLength(0);
    });
  });

  it('reports an authorization server that is not there as unavailable', async () => {
    const down = new UpstreamClient({
      name: 'authorization',
      baseUrl: `http://127.0.0.1:${await closedPort()}`,
      timeoutMs: 1000,
      metrics: new Metrics('webapp'),
    });
    try {
      const discovery = new AuthServerDiscovery(
        down,
        'http://localhost:5001',
        new RecordedOutcome(),
      );
      const err = await rejection(
        new AuthServerClient(down, discovery, OPTIONS).authorize(CALL, callContext()),
      );
      expect(err).toBeInstanceOf(UpstreamError);
      expect((err as UpstreamError).failure).toBe('unavailable');
    } finally {
      await down.close();
    }
  });
});
