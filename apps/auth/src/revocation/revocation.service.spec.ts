import { ClientAuthenticationService } from '../clients/client-authentication.service';
import type { RegisteredClient } from '../clients/client-store.port';
import { InvalidClientError, InvalidRequestError } from '../errors/oauth.errors';
import {
  FakeClientStore,
  FakeClock,
  FakeRevocationStore,
  FakeTokens,
  RESOURCE_SERVER,
  T0,
  WEBAPP,
  claimsFor,
  fakeLogger,
  testConfig,
  rejected,
} from '../../test/support/fakes';
import { RevocationService } from './revocation.service';

const OTHER_CLIENT: RegisteredClient = { ...WEBAPP, id: 'other', secret: 'other-secret' };
const OTHER_RS: RegisteredClient = {
  ...RESOURCE_SERVER,
  id: 'other-rs',
  secret: 'other-rs-secret',
  audience: 'http://other-rs.example',
};
const as = (client: RegisteredClient) => ({
  post: { clientId: client.id, secret: client.secret },
});

describe('RevocationService', () => {
  let tokens: FakeTokens;
  let revocations: FakeRevocationStore;
  let token: string;

  const serviceWith = (clockLeeway = 0): RevocationService =>
    new RevocationService(
      new ClientAuthenticationService(
        new FakeClientStore(WEBAPP, RESOURCE_SERVER, OTHER_CLIENT, OTHER_RS),
      ),
      tokens,
      revocations,
      new FakeClock(T0 + 1),
      testConfig({ clockLeeway }),
      fakeLogger(),
    );

  beforeEach(() => {
    tokens = new FakeTokens();
    revocations = new FakeRevocationStore();
    token = tokens.sign(claimsFor({ jti: 'jti-1', exp: T0 + 5 }));
  });

  it('lets the client revoke its own token until the token’s expiry', async () => {
    await serviceWith().revoke({ token, credentials: as(WEBAPP) });
    expect([...revocations.revoked.entries()]).toEqual([['jti-1', T0 + 5]]);
  });

  it('keeps the revocation for the leeway past expiry', async () => {
    await serviceWith(2).revoke({ token, credentials: as(WEBAPP) });
    expect(revocations.revoked.get('jti-1')).toBe(T0 + 7);
  });

  it('lets the resource server revoke a token of its audience', async () => {
    await serviceWith().revoke({ token, credentials: as(RESOURCE_SERVER) });
    expect(await revocations.isRevoked('jti-1')).toBe(true);
  });

  it.each([
    ['another client', OTHER_CLIENT],
    ['a resource server of another audience', OTHER_RS],
  ])('does not let %s revoke the token, and says nothing about it', async (_name, caller) => {
    await expect(serviceWith().revoke({ token, credentials: as(caller) })).resolves.toBeUndefined();
    expect(revocations.revoked.size).toBe(0);
  });

  it('answers an unknown token without revoking anything', async () => {
    await expect(
      serviceWith().revoke({ token: 'never-issued', credentials: as(WEBAPP) }),
    ).resolves.toBeUndefined();
    expect(revocations.revoked.size).toBe(0);
  });

  it.each([undefined, ''])('refuses a missing token (%p) as invalid_request', async (missing) => {
    const error = await rejected(() =>
      serviceWith().revoke({ token: missing, credentials: as(WEBAPP) }),
    );
    expect(error).toBeInstanceOf(InvalidRequestError);
    expect(error).toHaveProperty('description', 'token is required');
  });

  it('refuses an unauthenticated caller', async () => {
    const error = await rejected(() => serviceWith().revoke({ token, credentials: {} }));
    expect(error).toBeInstanceOf(InvalidClientError);
    expect(revocations.revoked.size).toBe(0);
  });
});
