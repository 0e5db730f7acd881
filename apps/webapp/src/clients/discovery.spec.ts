import { UpstreamError } from '@app/common';
import {
  Metrics,
  UpstreamClient,
  type UpstreamRequest,
  type UpstreamResponse,
} from '@app/common/http';
import { RecordedOutcome, rejection } from '../../test/support/fakes';
import { METADATA_PATH, metadataOf } from '../../test/support/metadata';
import {
  LocalServer,
  closedPort,
  sendJson,
  type ReceivedRequest,
} from '../../../../libs/common/test/local-server';
import { AuthServerDiscovery } from './discovery';

const ISSUER = 'http://localhost:5001';

describe('AuthServerDiscovery (RFC 8414 3)', () => {
  describe('reading the metadata', () => {
    let server: LocalServer;
    let handle: (request: ReceivedRequest) => { status: number; body: unknown } | undefined;
    let http: UpstreamClient;
    let outcome: RecordedOutcome;
    let discovery: AuthServerDiscovery;

    beforeAll(async () => {
      server = await LocalServer.start((request, response) => {
        const answer = handle(request);
        if (answer !== undefined) sendJson(response, answer.status, answer.body);
      });
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

    beforeEach(() => {
      server.requests.length = 0;
      handle = () => ({ status: 200, body: metadataOf(ISSUER) });
      outcome = new RecordedOutcome();
      discovery = new AuthServerDiscovery(http, ISSUER, outcome);
    });

    const failure = async (): Promise<UpstreamError> => {
      const err = await rejection(discovery.endpoints());
      expect(err).toBeInstanceOf(UpstreamError);
      return err as UpstreamError;
    };

    it('finds the endpoints under the issuer, reached through AUTH_URL', async () => {
      await expect(discovery.endpoints()).resolves.toEqual({
        authorizationEndpoint: `${ISSUER}/authorize`,
        authorizationPath: '/authorize',
        tokenPath: '/token',
        tokenEndpoint: `${ISSUER}/token`,
        dpopAlgorithms: [],
      });
      expect(server.requests.map((request) => `${request.method} ${request.url}`)).toEqual([
        `GET ${METADATA_PATH}`,
      ]);
      expect(server.requests[0]?.headers.accept).toBe('application/json');
    });

    it('keeps paths below a path-bearing issuer (RFC 8414 3: an issuer may have a path)', async () => {
      const issuer = 'http://localhost:5001/tenant-a';
      handle = () => ({ status: 200, body: metadataOf(issuer) });
      discovery = new AuthServerDiscovery(http, issuer, outcome);
      await expect(discovery.endpoints()).resolves.toMatchObject({
        authorizationEndpoint: `${issuer}/authorize`,
        authorizationPath: '/authorize',
        tokenPath: '/token',
      });
    });

    it('reads the DPoP algorithms the server accepts (RFC 9449 5.1)', async () => {
      handle = () => ({
        status: 200,
        body: metadataOf(ISSUER, { dpop_signing_alg_values_supported: ['ES256', 'EdDSA'] }),
      });
      await expect(discovery.endpoints()).resolves.toMatchObject({
        dpopAlgorithms: ['ES256', 'EdDSA'],
      });
    });

    it('asks once: later calls are served from what it found', async () => {
      await discovery.endpoints();
      await discovery.endpoints();
      expect(server.requests).toHaveLength(1);
      expect(discovery.ready).toBe(true);
    });

    it.each([
      ['another issuer', 'http://evil.example'],
      ['the issuer with a trailing slash', `${ISSUER}/`],
      ['the issuer in another case', 'HTTP://LOCALHOST:5001'],
    ])('refuses metadata that names %s (RFC 8414 3.3: identical)', async (_case, issuer) => {
      handle = () => ({ status: 200, body: metadataOf(ISSUER, { issuer }) });
      const err = await failure();
      expect(err.failure).toBe('bad_response');
      expect(err.detail).toBe(`metadata issuer ${issuer}`);
      expect(discovery.ready).toBe(false);
    });

    it.each([
      ['another host', 'token_endpoint', 'http://evil.example/token'],
      [
        'the issuer as a user name of another host',
        'token_endpoint',
        'http://localhost:5001@evil.example/token',
      ],
      [
        'a port that starts like the issuer',
        'authorization_endpoint',
        'http://localhost:50011/authorize',
      ],
      ['the issuer itself, with no path', 'authorization_endpoint', ISSUER],
      ['https instead of http', 'token_endpoint', 'https://localhost:5001/token'],
    ])('refuses an endpoint on %s: not under the issuer', async (_case, field, endpoint) => {
      handle = () => ({ status: 200, body: metadataOf(ISSUER, { [field]: endpoint }) });
      const err = await failure();
      expect(err.failure).toBe('bad_response');
      expect(err.detail).toBe(`endpoint ${endpoint} not under the issuer`);
    });

    it.each([
      [
        'no authorization_endpoint',
        { authorization_endpoint: undefined },
        'authorization_endpoint',
      ],
      ['a token_endpoint that is no URL', { token_endpoint: 'not a url' }, 'token_endpoint'],
      ['an issuer that is no string', { issuer: 42 }, 'issuer'],
      [
        'DPoP algorithms that are no list',
        { dpop_signing_alg_values_supported: 'ES256' },
        'dpop_signing_alg_values_supported',
      ],
    ])('refuses metadata with %s as a bad answer', async (_case, overrides, field) => {
      handle = () => ({ status: 200, body: metadataOf(ISSUER, overrides) });
      const err = await failure();
      expect(err.failure).toBe('bad_response');
      expect(err.detail).toBe(`field ${field} is not valid`);
    });

    it('refuses an answer other than 200', async () => {
      handle = () => ({ status: 404, body: { error: 'not_found' } });
      const err = await failure();
      expect(err.failure).toBe('bad_response');
      expect(err.detail).toBe('metadata answered 404');
    });

    it('fails as the server does when asked before it was discovered: a hang is a timeout', async () => {
      handle = () => undefined;
      const err = await rejection(discovery.endpoints(AbortSignal.timeout(50)));
      expect(err).toBeInstanceOf(UpstreamError);
      expect((err as UpstreamError).failure).toBe('timeout');
    });

    it('reports a server that is not there as unavailable', async () => {
      const down = new UpstreamClient({
        name: 'authorization',
        baseUrl: `http://127.0.0.1:${await closedPort()}`,
        timeoutMs: 1000,
        metrics: new Metrics('webapp'),
      });
      try {
        const err = await rejection(new AuthServerDiscovery(down, ISSUER, outcome).endpoints());
        expect(err).toBeInstanceOf(UpstreamError);
        expect((err as UpstreamError).failure).toBe('unavailable');
      } finally {
        await down.close();
      }
    });
  });

  describe('at start: retries with a capped backoff until it succeeds', () => {
    /** An upstream that gives its answers in turn, the last one for ever after. */
    class ScriptedUpstream {
      readonly name = 'authorization';
      readonly requests: UpstreamRequest[] = [];

      constructor(private readonly answers: (UpstreamResponse | Error)[]) {}

      async send(request: UpstreamRequest): Promise<UpstreamResponse> {
        this.requests.push(request);
        const answer = this.answers.length > 1 ? this.answers.shift() : this.answers[0];
        if (answer === undefined) throw new Error('ScriptedUpstream: no answer scripted');
        if (answer instanceof Error) throw answer;
        return answer;
      }

      asClient(): UpstreamClient {
        return this as unknown as UpstreamClient;
      }
    }

    const ok: UpstreamResponse = { status: 200, headers: {}, json: metadataOf(ISSUER) };
    const down = new UpstreamError('authorization', 'unavailable', 'ECONNREFUSED');
    const misconfigured: UpstreamResponse = {
      status: 200,
      headers: {},
      json: metadataOf('http://auth:5001'),
    };

    let outcome: RecordedOutcome;

    beforeEach(() => {
      jest.useFakeTimers();
      outcome = new RecordedOutcome();
    });

    afterEach(() => {
      jest.useRealTimers();
    });

    it('tries at once, then after 250, 500, 1000 ms and so on up to the cap; ready only once found', async () => {
      const upstream = new ScriptedUpstream([down, down, misconfigured, down, down, ok]);
      const discovery = new AuthServerDiscovery(upstream.asClient(), ISSUER, outcome, 2_000);
      discovery.onApplicationBootstrap();
      await jest.advanceTimersByTimeAsync(0);
      expect(upstream.requests).toHaveLength(1);
      expect(discovery.ready).toBe(false);
      for (const [wait, attempts] of [
        [249, 1],
        [1, 2],
        [500, 3],
        [1_000, 4],
        [1_999, 4],
        [1, 5],
        [2_000, 6],
      ] as const) {
        await jest.advanceTimersByTimeAsync(wait);
        expect(upstream.requests).toHaveLength(attempts);
      }
      expect(discovery.ready).toBe(true);
      expect(upstream.requests.every((request) => request.path === METADATA_PATH)).toBe(true);
      expect(
        outcome.events.map(({ kind, event, fields }) => [kind, event, fields.retry_ms]),
      ).toEqual([
        ['warn', 'metadata_discovery_failed', 250],
        ['warn', 'metadata_discovery_failed', 500],
        ['warn', 'metadata_discovery_failed', 1_000],
        ['warn', 'metadata_discovery_failed', 2_000],
        ['warn', 'metadata_discovery_failed', 2_000],
        ['record', 'metadata_discovered', undefined],
      ]);
      expect(outcome.events[2]?.fields.detail).toBe(
        'authorization: bad_response: metadata issuer http://auth:5001',
      );
      expect(outcome.events[5]?.fields).toEqual({ issuer: ISSUER });
      // Found: no more attempts, and requests are served without asking again.
      await jest.advanceTimersByTimeAsync(60_000);
      expect(upstream.requests).toHaveLength(6);
      await expect(discovery.endpoints()).resolves.toMatchObject({ tokenPath: '/token' });
      expect(upstream.requests).toHaveLength(6);
    });

    it('stops retrying when the module is destroyed', async () => {
      const upstream = new ScriptedUpstream([down]);
      const discovery = new AuthServerDiscovery(upstream.asClient(), ISSUER, outcome);
      discovery.onApplicationBootstrap();
      await jest.advanceTimersByTimeAsync(250);
      expect(upstream.requests).toHaveLength(2);
      discovery.onModuleDestroy();
      await jest.advanceTimersByTimeAsync(60_000);
      expect(upstream.requests).toHaveLength(2);
      expect(discovery.ready).toBe(false);
    });

    it('is ready at once when a request discovered it first', async () => {
      const upstream = new ScriptedUpstream([ok]);
      const discovery = new AuthServerDiscovery(upstream.asClient(), ISSUER, outcome);
      await discovery.endpoints();
      expect(discovery.ready).toBe(true);
      discovery.onApplicationBootstrap();
      await jest.advanceTimersByTimeAsync(0);
      expect(upstream.requests).toHaveLength(1);
    });
  });
});
