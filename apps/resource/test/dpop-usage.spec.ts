import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { DPOP_REPLAY_CACHE, DpopKey, InMemoryDpopReplayCache, SystemClock } from '@app/common';
import { InvalidTokenError } from '../src/errors/resource.errors';
import { FakeVerifier, testConfig, verifiedToken } from './support/fakes';
import { createResourceApp } from './support/resource-app';

const HOST = 'localhost:5002';
const URL_ = `http://${HOST}/current_time`;
const CHALLENGE = 'DPoP realm="time", algs="ES256 EdDSA"';

/** RFC 9449 7: DPoP-bound tokens at the resource server, with real proofs. */
describe('RFC 9449 DPoP-bound tokens at the resource server', () => {
  let key: DpopKey;
  let verifier: FakeVerifier;
  let app: NestFastifyApplication;

  beforeAll(async () => {
    key = DpopKey.generate();
    verifier = new FakeVerifier();
    app = await createResourceApp(testConfig({ dpopAlgorithms: ['ES256', 'EdDSA'] }), verifier);
  });

  afterAll(async () => {
    await app.close();
  });

  beforeEach(() => {
    verifier.calls.length = 0;
    verifier.tokens.clear();
    verifier.tokens.set('bound', verifiedToken({ boundToJkt: key.thumbprint }));
    verifier.tokens.set('plain', verifiedToken());
  });

  const proof = (htu = URL_, token = 'bound'): string =>
    key.proof({ htm: 'GET', htu, accessToken: token });

  const get = (url: string, headers: Record<string, string>) =>
    app.inject({ method: 'GET', url, headers: { host: HOST, ...headers } });

  it('answers a DPoP-bound token sent as Authorization: DPoP with a proof of its key', async () => {
    const dpop = proof();
    const response = await get('/current_time', { authorization: 'DPoP bound', dpop });
    expect(response.statusCode).toBe(200);
    expect(response.headers['cache-control']).toBe('no-store');
    expect(response.json<{ user: string }>().user).toBe('alice');
    expect(verifier.calls[0]?.request).toMatchObject({ method: 'GET', url: URL_, dpop });
  });

  it('refuses the same proof a second time (RFC 9449 11.1)', async () => {
    const dpop = proof();
    expect((await get('/current_time', { authorization: 'DPoP bound', dpop })).statusCode).toBe(
      200,
    );
    const replay = await get('/current_time', { authorization: 'DPoP bound', dpop });
    expect(replay.statusCode).toBe(401);
    expect(replay.headers['www-authenticate']).toBe(
      `${CHALLENGE}, error="invalid_dpop_proof", error_description="the DPoP proof has been used before"`,
    );
    expect(replay.headers['cache-control']).toBe('no-store');
    expect(replay.json()).toEqual({
      error: 'invalid_dpop_proof',
      error_description: 'the DPoP proof has been used before',
    });
  });

  it('answers 401 invalid_dpop_proof with a DPoP challenge when the proof is missing', async () => {
    const response = await get('/current_time', { authorization: 'DPoP bound' });
    expect(response.statusCode).toBe(401);
    expect(response.headers['www-authenticate']).toBe(
      `${CHALLENGE}, error="invalid_dpop_proof", error_description="send exactly one DPoP proof with a DPoP-bound token"`,
    );
    expect(response.json()).toEqual({
      error: 'invalid_dpop_proof',
      error_description: 'send exactly one DPoP proof with a DPoP-bound token',
    });
  });

  it('refuses a proof made for another endpoint', async () => {
    const response = await get('/current_time', {
      authorization: 'DPoP bound',
      dpop: proof(`http://${HOST}/epoch_time`),
    });
    expect(response.statusCode).toBe(401);
    expect(response.json()).toEqual({
      error: 'invalid_dpop_proof',
      error_description: 'the DPoP proof htu does not match the request URL',
    });
  });

  it('refuses a DPoP-bound token sent as a Bearer token, with a DPoP challenge', async () => {
    const response = await get('/current_time', { authorization: 'Bearer bound', dpop: proof() });
    expect(response.statusCode).toBe(401);
    expect(response.headers['www-authenticate']).toBe(
      `${CHALLENGE}, error="invalid_token", error_description="the access token is DPoP-bound; send it with the DPoP scheme and a proof"`,
    );
    expect(response.json()).toEqual({
      error: 'invalid_token',
      error_description: 'the access token is DPoP-bound; send it with the DPoP scheme and a proof',
    });
  });

  it('refuses a Bearer token sent under the DPoP scheme, with a DPoP challenge', async () => {
    const response = await get('/current_time', {
      authorization: 'DPoP plain',
      dpop: proof(URL_, 'plain'),
    });
    expect(response.statusCode).toBe(401);
    expect(response.headers['www-authenticate']).toBe(
      `${CHALLENGE}, error="invalid_token", error_description="the access token is not DPoP-bound; send it with the Bearer scheme"`,
    );
  });

  it('still answers 403 insufficient_scope to a proven token without the scope', async () => {
    const response = await get('/epoch_time', {
      authorization: 'DPoP bound',
      dpop: proof(`http://${HOST}/epoch_time`),
    });
    expect(response.statusCode).toBe(403);
    // RFC 9449 7.1: the challenge of the scheme the client used.
    expect(response.headers['www-authenticate']).toBe(
      `${CHALLENGE}, error="insufficient_scope", error_description="this endpoint needs the scope epoch_time", scope="epoch_time"`,
    );
    expect(response.json()).toEqual({
      error: 'insufficient_scope',
      error_description: 'this endpoint needs the scope epoch_time',
    });
  });

  it('answers a refused token under the DPoP scheme with the DPoP challenge', async () => {
    verifier.tokens.set(
      'gone',
      new InvalidTokenError('the access token is not active', 'inactive'),
    );
    const response = await get('/current_time', { authorization: 'DPoP gone', dpop: proof() });
    expect(response.statusCode).toBe(401);
    expect(response.headers['www-authenticate']).toBe(
      `${CHALLENGE}, error="invalid_token", error_description="the access token is not active"`,
    );
  });

  it('answers a malformed DPoP credential with 401 invalid_token', async () => {
    const response = await get('/current_time', { authorization: 'DPoP a b', dpop: proof() });
    expect(response.statusCode).toBe(401);
    expect(response.headers['www-authenticate']).toBe(
      `${CHALLENGE}, error="invalid_token", error_description="the access token is malformed"`,
    );
    expect(response.json()).toEqual({
      error: 'invalid_token',
      error_description: 'the access token is malformed',
    });
    expect(verifier.calls).toHaveLength(0);
  });
});

describe('a full DPoP replay cache at the resource server', () => {
  it('answers 503 temporarily_unavailable with Retry-After, and never accepts unrecorded', async () => {
    const key = DpopKey.generate();
    const verifier = new FakeVerifier();
    verifier.tokens.set('bound', verifiedToken({ boundToJkt: key.thumbprint }));
    const app = await createResourceApp(testConfig(), verifier, [
      {
        token: DPOP_REPLAY_CACHE,
        value: new InMemoryDpopReplayCache(new SystemClock(), { maxEntries: 1 }),
      },
    ]);
    try {
      const send = () =>
        app.inject({
          method: 'GET',
          url: '/current_time',
          headers: {
            host: HOST,
            authorization: 'DPoP bound',
            dpop: key.proof({ htm: 'GET', htu: URL_, accessToken: 'bound' }),
          },
        });
      expect((await send()).statusCode).toBe(200);
      const full = await send();
      expect(full.statusCode).toBe(503);
      expect(full.headers['retry-after']).toBe('1');
      expect(full.headers['cache-control']).toBe('no-store');
      expect(full.json()).toEqual({
        error: 'temporarily_unavailable',
        error_description: 'the server cannot serve this request now; retry later',
      });
    } finally {
      await app.close();
    }
  });
});
