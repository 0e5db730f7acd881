import { InvalidClientError, InvalidRequestError } from '../errors/oauth.errors';
import { FakeClientStore, RESOURCE_SERVER, WEBAPP, thrown } from '../../test/support/fakes';
import {
  type ClientCredentials,
  ClientAuthenticationService,
} from './client-authentication.service';

/** The InvalidClientError `authenticate` throws, or undefined when it throws none. */
function invalidClientOf(
  service: ClientAuthenticationService,
  credentials: ClientCredentials,
): InvalidClientError | undefined {
  try {
    service.authenticate(credentials);
  } catch (err) {
    if (err instanceof InvalidClientError) return err;
    throw err;
  }
  return undefined;
}

describe('ClientAuthenticationService', () => {
  const service = new ClientAuthenticationService(new FakeClientStore(WEBAPP, RESOURCE_SERVER));

  describe('client_secret_basic', () => {
    it('authenticates the registered client', () => {
      expect(service.authenticate({ basic: { clientId: '1234', secret: 'qwerty' } })).toBe(WEBAPP);
    });

    it('accepts the same client_id repeated in the body', () => {
      const client = service.authenticate({
        basic: { clientId: '1234', secret: 'qwerty' },
        post: { clientId: '1234' },
      });
      expect(client.id).toBe('1234');
    });

    it('refuses a different client_id in the body as invalid_request', () => {
      const error = thrown(() =>
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
    ])('refuses %s as invalid_client with basic=true', (_name, basic, detail) => {
      const error = invalidClientOf(service, { basic });
      expect(error).toBeInstanceOf(InvalidClientError);
      expect([error?.code, error?.basic, error?.description, error?.detail]).toEqual([
        'invalid_client',
        true,
        'client authentication failed',
        detail,
      ]);
    });

    it('refuses malformed Basic credentials as invalid_client with basic=true', () => {
      const error = invalidClientOf(service, {
        basic: 'malformed',
        post: { clientId: '1234', secret: 'qwerty' },
      });
      expect([error?.basic, error?.detail]).toEqual([true, 'malformed Basic credentials']);
    });
  });

  describe('client_secret_post', () => {
    it('authenticates the registered client', () => {
      expect(service.authenticate({ post: { clientId: '1234', secret: 'qwerty' } })).toBe(WEBAPP);
    });

    it('authenticates the resource server', () => {
      const client = service.authenticate({
        post: { clientId: 'resource-server', secret: 'resource-secret' },
      });
      expect(client).toBe(RESOURCE_SERVER);
    });

    it.each([
      ['an unknown client', { clientId: 'nobody', secret: 'qwerty' }, 'unknown client'],
      ['a wrong secret', { clientId: '1234', secret: 'wrong' }, 'wrong secret'],
      ['a client_id without a secret', { clientId: '1234' }, 'no client credentials'],
      ['a secret without a client_id', { secret: 'qwerty' }, 'no client credentials'],
    ])('refuses %s as invalid_client with basic=false', (_name, post, detail) => {
      const error = invalidClientOf(service, { post });
      expect(error).toBeInstanceOf(InvalidClientError);
      expect([error?.basic, error?.detail]).toEqual([false, detail]);
    });
  });

  it('refuses both methods in one request as invalid_request', () => {
    const error = thrown(() =>
      service.authenticate({
        basic: { clientId: '1234', secret: 'qwerty' },
        post: { clientId: '1234', secret: 'qwerty' },
      }),
    );
    expect(error).toBeInstanceOf(InvalidRequestError);
    expect(error).toHaveProperty('description', 'use exactly one client authentication method');
  });

  it('refuses a request without any credentials as invalid_client with basic=false', () => {
    const error = invalidClientOf(service, {});
    expect([error?.basic, error?.detail]).toEqual([false, 'no client credentials']);
  });
});
