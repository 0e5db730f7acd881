import { basicAuthorization } from '@app/common';
import { InvalidClientError, InvalidRequestError, RateLimitedError } from '../errors/oauth.errors';
import { AbuseLimits } from '../limits/abuse-limits.service';
import type { FailureCounterLimits } from '../stores/failure-counter.port';
import { InMemoryFailureCounter } from '../stores/memory/in-memory-failure.counter';
import {
  FakeClock,
  HIGH_FAILURE_LIMITS,
  RESOURCE_SERVER,
  RecordedOutcome,
  WEBAPP,
  rejected,
  testConfig,
} from '../../test/support/fakes';
import { ClientAuthenticationService } from './client-authentication.service';
import { type ClientCredentials, clientCredentialsOf } from './client-credentials';
import type { RegisteredClient } from './client-store.port';
import { InMemoryClientStore } from './in-memory-client.store';

const A = '192.0.2.1';
const B = '192.0.2.2';
/** Secrets that read differently raw and form-decoded, as generated secrets often do. */
const PLUS: RegisteredClient = { ...WEBAPP, id: 'plus', secret: 'Ab+cd/ef==' };
const PERCENT: RegisteredClient = { ...WEBAPP, id: 'percent', secret: 'p%41ss' };
const STRAY_PERCENT: RegisteredClient = { ...WEBAPP, id: 'stray', secret: '50%off' };

const basicOf = (id: string, secret: string, address = A): ClientCredentials => ({
  basic: { readings: [{ clientId: id, secret }] },
  address,
});
const postOf = (post: { clientId?: string; secret?: string }, address = A): ClientCredentials => ({
  post,
  address,
});

describe('ClientAuthenticationService', () => {
  let outcome: RecordedOutcome;
  let store: InMemoryClientStore;
  let service: ClientAuthenticationService;

  const open = (limits: FailureCounterLimits = HIGH_FAILURE_LIMITS): void => {
    outcome = new RecordedOutcome();
    store = new InMemoryClientStore([WEBAPP, RESOURCE_SERVER, PLUS, PERCENT, STRAY_PERCENT]);
    const abuse = new AbuseLimits(
      new InMemoryFailureCounter(limits),
      testConfig(),
      new FakeClock(),
      outcome,
    );
    service = new ClientAuthenticationService(store, abuse, outcome);
  };

  /** The InvalidClientError `authenticate` rejects with. */
  const invalidClientOf = async (credentials: ClientCredentials): Promise<InvalidClientError> => {
    const error = await rejected(() => service.authenticate(credentials));
    expect(error).toBeInstanceOf(InvalidClientError);
    return error as InvalidClientError;
  };

  beforeEach(() => open());

  describe('client_secret_basic', () => {
    it('authenticates the registered client and names it', async () => {
      expect(await service.authenticate(basicOf('1234', 'qwerty'))).toBe(WEBAPP);
      expect(outcome.identity).toEqual({ client_id: '1234' });
      expect(outcome.events).toEqual([]);
    });

    it('accepts the same client_id repeated in the body', async () => {
      const client = await service.authenticate({
        ...basicOf('1234', 'qwerty'),
        post: { clientId: '1234' },
      });
      expect(client.id).toBe('1234');
    });

    it('refuses a different client_id in the body as invalid_request', async () => {
      const error = await rejected(() =>
        service.authenticate({
          ...basicOf('1234', 'qwerty'),
          post: { clientId: 'resource-server' },
        }),
      );
      expect(error).toBeInstanceOf(InvalidRequestError);
      expect(error).toHaveProperty(
        'description',
        'client_id in the body does not match the authenticated client',
      );
    });

    it.each([
      ['an unknown client', 'nobody', 'qwerty'],
      ['a wrong secret', '1234', 'wrong'],
      ['a prefix of the secret', '1234', 'qwert'],
      ['the secret with more after it', '1234', 'qwertyu'],
      ['an empty secret', '1234', ''],
      ['another client’s secret', '1234', 'resource-secret'],
    ])('refuses %s as invalid_client', async (_name, id, secret) => {
      const error = await invalidClientOf(basicOf(id, secret));
      expect([error.code, error.description, error.detail]).toEqual([
        'invalid_client',
        'client authentication failed',
        'unknown client or wrong secret',
      ]);
      expect(outcome.identity).toEqual({});
    });

    it('refuses malformed Basic credentials, even beside good body credentials', async () => {
      const error = await invalidClientOf({
        basic: 'malformed',
        post: { clientId: '1234', secret: 'qwerty' },
        address: A,
      });
      expect(error.detail).toBe('malformed Basic credentials');
    });

    it('accepts either reading of a Basic header', async () => {
      const credentials: ClientCredentials = {
        basic: {
          readings: [
            { clientId: '1234', secret: 'decoded-but-wrong' },
            { clientId: '1234', secret: 'qwerty' },
          ],
        },
        address: A,
      };
      expect(await service.authenticate(credentials)).toBe(WEBAPP);
    });
  });

  describe('a Basic secret sent raw or form-encoded (RFC 6749 2.3.1; requests-oauthlib sends it raw)', () => {
    const header = (client: RegisteredClient, secret: string, encoding: 'raw' | 'encoded') =>
      basicAuthorization(client.id, secret, encoding === 'raw' ? 'login' : 'client_credentials');

    it.each([
      ['Ab+cd/ef==', PLUS],
      ['p%41ss', PERCENT],
      ['50%off', STRAY_PERCENT],
    ])('authenticates the secret %s in both encodings', async (_secret, client) => {
      for (const encoding of ['raw', 'encoded'] as const) {
        const credentials = clientCredentialsOf(header(client, client.secret, encoding), {}, A);
        expect(await service.authenticate(credentials)).toBe(client);
      }
    });

    it.each([
      ['the form-decoding of a raw secret', PLUS, 'Ab cd/ef=='],
      ['the form-decoding of a secret with an escape in it', PERCENT, 'pAss'],
      ['a wrong secret with the same characters', PLUS, 'Ab+cd/ef='],
      ['a wrong secret with a stray %', STRAY_PERCENT, '50%of'],
    ])('refuses %s in either encoding', async (_name, client, secret) => {
      for (const encoding of ['raw', 'encoded'] as const) {
        const credentials = clientCredentialsOf(header(client, secret, encoding), {}, A);
        const error = await invalidClientOf(credentials);
        expect(error.detail).toBe('unknown client or wrong secret');
      }
    });
  });

  describe('client_secret_post', () => {
    it('authenticates the registered client', async () => {
      expect(await service.authenticate(postOf({ clientId: '1234', secret: 'qwerty' }))).toBe(
        WEBAPP,
      );
    });

    it('authenticates the resource server', async () => {
      const client = await service.authenticate(
        postOf({ clientId: 'resource-server', secret: 'resource-secret' }),
      );
      expect(client).toBe(RESOURCE_SERVER);
    });

    it('compares the secret as the form parser decoded it', async () => {
      expect(await service.authenticate(postOf({ clientId: 'plus', secret: 'Ab+cd/ef==' }))).toBe(
        PLUS,
      );
    });

    it.each([
      [
        'an unknown client',
        { clientId: 'nobody', secret: 'qwerty' },
        'unknown client or wrong secret',
      ],
      ['a wrong secret', { clientId: '1234', secret: 'wrong' }, 'unknown client or wrong secret'],
      ['a client_id without a secret', { clientId: '1234' }, 'no client credentials'],
      ['a secret without a client_id', { secret: 'qwerty' }, 'no client credentials'],
    ])('refuses %s as invalid_client', async (_name, post, detail) => {
      const error = await invalidClientOf(postOf(post));
      expect([error.description, error.detail]).toEqual(['client authentication failed', detail]);
    });
  });

  it('refuses both methods in one request as invalid_request', async () => {
    const error = await rejected(() =>
      service.authenticate({
        ...basicOf('1234', 'qwerty'),
        post: { clientId: '1234', secret: 'qwerty' },
      }),
    );
    expect(error).toBeInstanceOf(InvalidRequestError);
    expect(error).toHaveProperty('description', 'use exactly one client authentication method');
  });

  it('refuses a request without any credentials as invalid_client', async () => {
    const error = await invalidClientOf({ address: A });
    expect(error.detail).toBe('no client credentials');
  });

  describe('failure limits', () => {
    beforeEach(() => open({ limit: 2, windowSeconds: 60 }));

    it('refuses an address that failed too often, even with the right secret, before looking', async () => {
      await invalidClientOf(basicOf('1234', 'wrong-1'));
      await invalidClientOf(basicOf('1234', 'wrong-2'));
      const findById = jest.spyOn(store, 'findById');

      const error = await rejected(() => service.authenticate(basicOf('1234', 'qwerty')));

      expect(error).toBeInstanceOf(RateLimitedError);
      expect(error).toHaveProperty('retryAfterSeconds', 60);
      expect(findById).not.toHaveBeenCalled();
      expect(outcome.events.at(-1)).toEqual({
        kind: 'warn',
        event: 'rate_limited',
        fields: {
          limit: 'authentication_failures',
          key: 'client:1234|address:192.0.2.1',
          retry_after: 60,
        },
      });
    });

    it('lets the client in from another address: failures in its name do not lock it out', async () => {
      await invalidClientOf(basicOf('1234', 'wrong-1'));
      await invalidClientOf(basicOf('1234', 'wrong-2'));
      expect(await service.authenticate(basicOf('1234', 'qwerty', B))).toBe(WEBAPP);
    });

    it('never counts per client alone', async () => {
      for (const address of ['198.51.100.1', '198.51.100.2', '198.51.100.3']) {
        await invalidClientOf(basicOf('1234', 'wrong', address));
      }
      expect(await service.authenticate(basicOf('1234', 'qwerty', B))).toBe(WEBAPP);
      expect(await service.authenticate(basicOf('1234', 'qwerty', '198.51.100.1'))).toBe(WEBAPP);
    });

    it('counts every client an address fails as, and requests without credentials', async () => {
      await invalidClientOf(basicOf('resource-server', 'wrong'));
      await invalidClientOf({ address: A });
      const error = await rejected(() => service.authenticate(basicOf('1234', 'qwerty')));
      expect(error).toBeInstanceOf(RateLimitedError);
      expect(outcome.events.at(-1)?.fields.key).toBe('address:192.0.2.1');
    });
  });
});
