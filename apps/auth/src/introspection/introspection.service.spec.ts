import { ClientAuthenticationService } from '../clients/client-authentication.service';
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
  rejected,
} from '../../test/support/fakes';
import { IntrospectionService } from './introspection.service';

describe('IntrospectionService', () => {
  const AS_RESOURCE_SERVER = {
    post: { clientId: 'resource-server', secret: 'resource-secret' },
  };
  let tokens: FakeTokens;
  let revocations: FakeRevocationStore;
  let clock: FakeClock;
  let service: IntrospectionService;
  let token: string;

  beforeEach(() => {
    tokens = new FakeTokens();
    revocations = new FakeRevocationStore();
    clock = new FakeClock(T0 + 1);
    service = new IntrospectionService(
      new ClientAuthenticationService(new FakeClientStore(WEBAPP, RESOURCE_SERVER)),
      tokens,
      revocations,
      clock,
      fakeLogger(),
    );
    token = tokens.sign(claimsFor({ jti: 'jti-1', iat: T0, exp: T0 + 5 }));
  });

  it('reports an active token with its claims', async () => {
    expect(await service.introspect({ token, credentials: AS_RESOURCE_SERVER })).toEqual({
      active: true,
      claims: claimsFor({ jti: 'jti-1', iat: T0, exp: T0 + 5 }),
    });
    expect(tokens.verifiedAt).toEqual([T0 + 1]);
  });

  it('answers the client the token was issued to as well', async () => {
    const result = await service.introspect({
      token,
      credentials: { basic: { clientId: '1234', secret: 'qwerty' } },
    });
    expect(result.active).toBe(true);
  });

  it('reports a revoked token as inactive', async () => {
    await revocations.revoke('jti-1', T0 + 5);
    expect(await service.introspect({ token, credentials: AS_RESOURCE_SERVER })).toEqual({
      active: false,
    });
  });

  it('reports an expired token as inactive, checking it at the clock’s time', async () => {
    clock.now = T0 + 5;
    expect(await service.introspect({ token, credentials: AS_RESOURCE_SERVER })).toEqual({
      active: false,
    });
    expect(tokens.verifiedAt).toEqual([T0 + 5]);
  });

  it('reports a token it never issued as inactive', async () => {
    expect(await service.introspect({ token: 'forged', credentials: AS_RESOURCE_SERVER })).toEqual({
      active: false,
    });
  });

  it.each([undefined, ''])('refuses a missing token (%p) as invalid_request', async (missing) => {
    const error = await rejected(() =>
      service.introspect({ token: missing, credentials: AS_RESOURCE_SERVER }),
    );
    expect(error).toBeInstanceOf(InvalidRequestError);
    expect(error).toHaveProperty('description', 'token is required');
  });

  it('refuses an unauthenticated caller before looking at the token', async () => {
    const error = await rejected(() =>
      service.introspect({ token, credentials: { post: { clientId: 'resource-server' } } }),
    );
    expect(error).toBeInstanceOf(InvalidClientError);
    expect(tokens.verifiedAt).toEqual([]);
  });
});
