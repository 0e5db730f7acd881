import { DpopKey, InMemoryDpopReplayCache, InvalidDpopProofError } from '@app/common';
import { InsufficientScopeError, InvalidTokenError } from '../errors/resource.errors';
import type { ResourceConfig } from '../resource.config';
import {
  FakeClock,
  FakeVerifier,
  RecordedOutcome,
  accessRequest,
  rejection,
  testConfig,
  verifiedToken,
} from '../../test/support/fakes';
import type { AccessRequest } from './access-token-verifier.port';
import { BearerService } from './bearer.service';
import type { Credential } from './credential';

const bearer = (token: string): Credential => ({ scheme: 'Bearer', token });
const dpop = (token: string): Credential => ({ scheme: 'DPoP', token });
const URL_ = 'http://localhost:5002/current_time';

describe('BearerService', () => {
  let clock: FakeClock;
  let verifier: FakeVerifier;
  let outcome: RecordedOutcome;
  let replays: InMemoryDpopReplayCache;
  let service: BearerService;

  const build = (config: ResourceConfig = testConfig()): BearerService =>
    new BearerService(verifier, replays, clock, outcome, config);

  beforeEach(() => {
    clock = new FakeClock();
    verifier = new FakeVerifier();
    outcome = new RecordedOutcome();
    replays = new InMemoryDpopReplayCache(clock);
    service = build();
  });

  const refusal = async (
    credential: Credential,
    scope: 'current_time' | 'epoch_time' = 'current_time',
    request: AccessRequest = accessRequest(),
  ): Promise<unknown> => rejection(service.authorize(credential, scope, request));

  describe('a bearer token (RFC 6750, RFC 9068 4)', () => {
    it('lets a token for this server, from the webapp, with the scope in as its subject', async () => {
      verifier.tokens.set('t', verifiedToken());
      const request = accessRequest({ requestId: 'r-1' });
      await expect(service.authorize(bearer('t'), 'current_time', request)).resolves.toEqual({
        user: 'alice',
        clientId: '1234',
      });
      expect(verifier.calls).toEqual([{ token: 't', request }]);
    });

    it('names the caller for the request log and records access_granted', async () => {
      verifier.tokens.set('t', verifiedToken({ jti: 'jti-7' }));
      await service.authorize(bearer('t'), 'current_time', accessRequest());
      expect(outcome.identity).toEqual({ client_id: '1234', user: 'alice' });
      expect(outcome.events).toEqual([
        {
          kind: 'record',
          event: 'access_granted',
          fields: { scope: 'current_time', jti: 'jti-7', scheme: 'Bearer' },
        },
      ]);
    });

    it('accepts a token whose audience lists this server among others', async () => {
      verifier.tokens.set(
        't',
        verifiedToken({ audience: ['http://elsewhere', 'http://localhost:5002'] }),
      );
      await expect(
        service.authorize(bearer('t'), 'current_time', accessRequest()),
      ).resolves.toEqual({ user: 'alice', clientId: '1234' });
    });

    it('refuses a token meant for another server as invalid_token, naming no one', async () => {
      verifier.tokens.set('t', verifiedToken({ audience: ['http://localhost:5009'] }));
      const err = await refusal(bearer('t'));
      expect(err).toBeInstanceOf(InvalidTokenError);
      expect(err).toMatchObject({
        description: 'the access token is not meant for this server',
        detail: 'aud http://localhost:5009',
        scheme: 'Bearer',
      });
      expect(outcome.identity).toEqual({});
      expect(outcome.events).toEqual([]);
    });

    it('refuses a token issued to a client it does not accept', async () => {
      verifier.tokens.set('t', verifiedToken({ clientId: 'intruder' }));
      const err = await refusal(bearer('t'));
      expect(err).toBeInstanceOf(InvalidTokenError);
      expect(err).toMatchObject({
        description: 'the access token was issued to a client this server does not accept',
        detail: 'client_id intruder',
      });
    });

    it('accepts the clients of ALLOWED_CLIENT_IDS instead of the webapp when configured', async () => {
      service = build(testConfig({ allowedClientIds: ['other'] }));
      verifier.tokens.set('webapp', verifiedToken());
      verifier.tokens.set('other', verifiedToken({ clientId: 'other' }));
      await expect(
        service.authorize(bearer('other'), 'current_time', accessRequest()),
      ).resolves.toEqual({ user: 'alice', clientId: 'other' });
      expect(await refusal(bearer('webapp'))).toBeInstanceOf(InvalidTokenError);
    });

    it('refuses a token that names no user', async () => {
      verifier.tokens.set('t', verifiedToken({ subject: '' }));
      const err = await refusal(bearer('t'));
      expect(err).toBeInstanceOf(InvalidTokenError);
      expect((err as InvalidTokenError).description).toBe('the access token names no user');
    });

    it('refuses a token without the endpoint scope as insufficient_scope, naming the scope', async () => {
      verifier.tokens.set('t', verifiedToken({ scopes: ['current_time'] }));
      const err = await refusal(bearer('t'), 'epoch_time');
      expect(err).toBeInstanceOf(InsufficientScopeError);
      expect(err).toMatchObject({
        scope: 'epoch_time',
        description: 'this endpoint needs the scope epoch_time',
        detail: 'token scope current_time',
      });
      // The caller is known by then: the refusal's log line names them.
      expect(outcome.identity).toEqual({ client_id: '1234', user: 'alice' });
      expect(outcome.names).toEqual([]);
    });

    it('passes on what the verifier throws', async () => {
      const failure = new InvalidTokenError('the access token is not active');
      verifier.tokens.set('t', failure);
      await expect(service.authorize(bearer('t'), 'current_time', accessRequest())).rejects.toBe(
        failure,
      );
    });

    it('refuses an unbound token sent under the DPoP scheme, with a DPoP challenge', async () => {
      verifier.tokens.set('t', verifiedToken());
      const err = await refusal(dpop('t'));
      expect(err).toBeInstanceOf(InvalidTokenError);
      expect(err).toMatchObject({
        description: 'the access token is not DPoP-bound; send it with the Bearer scheme',
        scheme: 'DPoP',
      });
    });
  });

  describe('a DPoP-bound token (RFC 9449 7.1)', () => {
    let key: DpopKey;

    beforeEach(() => {
      key = DpopKey.generate(clock);
      verifier.tokens.set('bound', verifiedToken({ boundToJkt: key.thumbprint }));
    });

    const proof = (overrides: { htm?: string; htu?: string; accessToken?: string } = {}) =>
      key.proof({ htm: 'GET', htu: URL_, accessToken: 'bound', ...overrides });

    it('opens with the DPoP scheme and a proof of its key for this request', async () => {
      await expect(
        service.authorize(dpop('bound'), 'current_time', accessRequest({ dpop: proof() })),
      ).resolves.toEqual({ user: 'alice', clientId: '1234' });
      expect(outcome.events).toEqual([
        {
          kind: 'record',
          event: 'access_granted',
          fields: { scope: 'current_time', jti: 'jti-1', scheme: 'DPoP' },
        },
      ]);
    });

    it('takes the proof of a request whose URL has a query, which htu leaves out', async () => {
      await expect(
        service.authorize(
          dpop('bound'),
          'current_time',
          accessRequest({ url: `${URL_}?x=1`, dpop: proof() }),
        ),
      ).resolves.toEqual({ user: 'alice', clientId: '1234' });
    });

    it('refuses it under the Bearer scheme, however good the proof', async () => {
      const err = await refusal(bearer('bound'), 'current_time', accessRequest({ dpop: proof() }));
      expect(err).toBeInstanceOf(InvalidTokenError);
      expect(err).toMatchObject({
        description: 'the access token is DPoP-bound; send it with the DPoP scheme and a proof',
        detail: 'bound token under the Bearer scheme',
        scheme: 'DPoP',
      });
    });

    it.each([
      ['no proof', undefined, 'no DPoP header'],
      ['two proofs', ['a.b.c', 'd.e.f'], 'several DPoP headers'],
    ])('refuses %s as invalid_dpop_proof', async (_case, header, detail) => {
      const err = await refusal(dpop('bound'), 'current_time', accessRequest({ dpop: header }));
      expect(err).toBeInstanceOf(InvalidDpopProofError);
      expect(err).toMatchObject({
        code: 'invalid_dpop_proof',
        description: 'send exactly one DPoP proof with a DPoP-bound token',
        detail,
      });
    });

    it.each([
      [
        'a proof by another key',
        () => DpopKey.generate(clock).proof({ htm: 'GET', htu: URL_, accessToken: 'bound' }),
        'the DPoP proof key is not the key the access token is bound to',
      ],
      [
        'a proof for another method',
        () => key.proof({ htm: 'POST', htu: URL_, accessToken: 'bound' }),
        'the DPoP proof htm does not match the request method',
      ],
      [
        'a proof for another URL',
        () =>
          key.proof({ htm: 'GET', htu: 'http://localhost:5002/epoch_time', accessToken: 'bound' }),
        'the DPoP proof htu does not match the request URL',
      ],
      [
        'a proof for another token',
        () => key.proof({ htm: 'GET', htu: URL_, accessToken: 'other' }),
        'the DPoP proof ath does not match the access token',
      ],
      [
        'a proof without ath',
        () => key.proof({ htm: 'GET', htu: URL_ }),
        'the DPoP proof has no ath claim for the access token',
      ],
      ['garbage', () => 'not-a-jws', 'the DPoP proof is not a compact JWS'],
    ])('refuses %s', async (_case, make, description) => {
      const err = await refusal(dpop('bound'), 'current_time', accessRequest({ dpop: make() }));
      expect(err).toBeInstanceOf(InvalidDpopProofError);
      expect((err as InvalidDpopProofError).description).toBe(description);
    });

    it('refuses a proof older than DPOP_PROOF_MAX_AGE_SECONDS', async () => {
      service = build(testConfig({ dpopProofMaxAgeSeconds: 30 }));
      const old = proof();
      clock.now += 31;
      const err = await refusal(dpop('bound'), 'current_time', accessRequest({ dpop: old }));
      expect(err).toBeInstanceOf(InvalidDpopProofError);
      expect((err as InvalidDpopProofError).description).toBe('the DPoP proof is too old');
    });

    it('refuses a proof signed with an algorithm outside DPOP_SIGNING_ALGS', async () => {
      service = build(testConfig({ dpopAlgorithms: ['EdDSA'] }));
      const err = await refusal(dpop('bound'), 'current_time', accessRequest({ dpop: proof() }));
      expect(err).toBeInstanceOf(InvalidDpopProofError);
      expect((err as InvalidDpopProofError).description).toBe(
        'the DPoP proof alg is not supported',
      );
    });

    it('accepts each proof once: a replay is refused (RFC 9449 11.1)', async () => {
      const once = proof();
      await service.authorize(dpop('bound'), 'current_time', accessRequest({ dpop: once }));
      const err = await refusal(dpop('bound'), 'current_time', accessRequest({ dpop: once }));
      expect(err).toBeInstanceOf(InvalidDpopProofError);
      expect((err as InvalidDpopProofError).description).toBe(
        'the DPoP proof has been used before',
      );
      // A fresh proof of the same key still opens.
      await expect(
        service.authorize(dpop('bound'), 'current_time', accessRequest({ dpop: proof() })),
      ).resolves.toEqual({ user: 'alice', clientId: '1234' });
    });

    it('checks possession before the scope, and records nothing when the proof fails', async () => {
      const err = await refusal(dpop('bound'), 'epoch_time', accessRequest({ dpop: undefined }));
      expect(err).toBeInstanceOf(InvalidDpopProofError);
      expect(outcome.events).toEqual([]);
      expect(replays.size).toBe(0);
    });

    it('spends no replay entry on a proof that failed its checks', async () => {
      await refusal(dpop('bound'), 'current_time', accessRequest({ dpop: proof({ htm: 'POST' }) }));
      expect(replays.size).toBe(0);
    });
  });
});
