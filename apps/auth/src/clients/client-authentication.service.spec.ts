import { InvalidClientError, InvalidRequestError } from '../errors/oauth.errors';
import { FakeClientStore, RESOURCE_SERVER, WEBAPP, rejected } from '../../test/support/fakes';
import {
  type ClientCredentials,
  ClientAuthenticationService,
} from './client-authentication.service';

/** The InvalidClientError `authenticate` rejects with, or undefined when it resolves. */
async function invalidClientOf(
  service: ClientAuthenticationService,
  credentials: ClientCredentials,
): Promise<InvalidClientError | undefined> {
  try {
    await service.authenticate(credentials);
  } catch (err) {
    if (err instanceof InvalidClientError) return err;
    throw err;
  }
  return undefined;
}

describe('ClientAuthenticationService', () => {
  const service = new ClientAuthenticationService(new FakeClientStore(WEBAPP, RESOURCE_SERVER));

  describe('client_secret_basic', () => {
    it('authenticates the registered client', async () => {
      expect(await service.authenticate({ basic: { clientId: '1234', secret: 'qwerty' } })).toBe(
        WEBAPP,
      );
    });

    it('accepts the same client_id repeated in the body', async () => {
      const client = await service.authenticate({
        basic: { clientId: '1234', secret: 'qwerty' },
        post: { clientId: '1234' },
      });
      expect(client.id).toBe('1234');
    });

    it('refuses a different client_id in the body as invalid_request', async () => {
      const error = await rejected(() =>
        service.authenticate({
          basic: { clientId: '1234', secret: 'qwerty' },
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
      ['an unknown client', { clientId: 'nobody', secret: 'qwerty' }, 'unknown client'],
      ['a wrong secret', { clientId: '1234', secret: 'wrong' }, 'wrong secret'],
      ['a prefix of the secret', { clientId: '1234', secret: 'qwert' }, 'wrong secret'],
      ['the secret with more after it', { clientId: '1234', secret: 'qwertyu' }, 'wrong secret'],
      ['an empty secret', { clientId: '1234', secret: '' }, 'wrong secret'],
      ['another client’s secret', { clientId: '1234', secret: 'resource-secret' }, 'wrong secret'],
    ])('refuses %s as invalid_client with basic=true', async (_name, basic, detail) => {
      const error = await invalidClientOf(service, { basic });
      expect(error).toBeInstanceOf(InvalidClientError);
      expect([error?.code, error?.basic, error?.description, error?.detail]).toEqual([
        'invalid_client',
        true,
        'client authentication failed',
        detail,
      ]);
    });

    it('refuses malformed Basic credentials as invalid_client with basic=true', async () => {
      const error = await invalidClientOf(service, {
        basic: 'malformed',
        post: { clientId: '1234', secret: 'qwerty' },
      });
      expect([error?.basic, error?.detail]).toEqual([true, 'malformed Basic credentials']);
    });
  });

  describe('client_secret_post', () => {
    it('authenticates the registered client', async () => {
      expect(await service.authenticate({ post: { clientId: '1234', secret: 'qwerty' } })).toBe(
        WEBAPP,
      );
    });

    it('authenticates the resource server', async () => {
      const client = await service.authenticate({
        post: { clientId: 'resource-server', secret: 'resource-secret' },
      });
      expect(client).toBe(RESOURCE_SERVER);
    });

    it.each([
      ['an unknown client', { clientId: 'nobody', secret: 'qwerty' }, 'unknown client'],
      ['a wrong secret', { clientId: '1234', secret: 'wrong' }, 'wrong secret'],
      ['a client_id without a secret', { clientId: '1234' }, 'no client credentials'],
      ['a secret without a client_id', { secret: 'qwerty' }, 'no client credentials'],
    ])('refuses %s as invalid_client with basic=false', async (_name, post, detail) => {
      const error = await invalidClientOf(service, { post });
      expect(error).toBeInstanceOf(InvalidClientError);
      expect([error?.basic, error?.detail]).toEqual([false, detail]);
    });
  });

  it('refuses both methods in one request as invalid_request', async () => {
    const error = await rejected(() =>
      service.authenticate({
        basic: { clientId: '1234', secret: 'qwerty' },
        post: { clientId: '1234', secret: 'qwerty' },
      }),
    );
    expect(error).toBeInstanceOf(InvalidRequestError);
    expect(error).toHaveProperty('description', 'use exactly one client authentication method');
  });

  it('refuses a request without any credentials as invalid_client with basic=false', async () => {
    const error = await invalidClientOf(service, {});
    expect([error?.basic, error?.detail]).toEqual([false, 'no client credentials']);
  });
});
