import type { AccessTokenClaims } from '@app/contracts';
import { ClientAuthenticationService } from '../clients/client-authentication.service';
import type { RegisteredClient } from '../clients/client-store.port';
import {
  InvalidClientError,
  InvalidRequestError,
  UnsupportedGrantTypeError,
} from '../errors/oauth.errors';
import {
  FakeClientStore,
  FakeTokens,
  WEBAPP,
  claimsFor,
  fakeLogger,
  rejected,
} from '../../test/support/fakes';
import type { GrantHandler, GrantParameters } from './grants/grant-handler';
import { type TokenRequest, TokenService } from './token.service';

/** A grant handler that grants fixed claims and remembers what it was asked. */
class FakeGrant implements GrantHandler {
  readonly grantType = 'authorization_code';
  readonly calls: { client: RegisteredClient; parameters: GrantParameters }[] = [];

  constructor(private readonly claims: AccessTokenClaims) {}

  handle(client: RegisteredClient, parameters: GrantParameters): Promise<AccessTokenClaims> {
    this.calls.push({ client, parameters });
    return Promise.resolve(this.claims);
  }
}

describe('TokenService', () => {
  const claims = claimsFor({ scope: 'epoch_time', iat: 100, exp: 105, jti: 'jti-7' });
  let grant: FakeGrant;
  let tokens: FakeTokens;
  let service: TokenService;

  const request = (overrides: Partial<TokenRequest> = {}): TokenRequest => ({
    grantType: 'authorization_code',
    code: 'c',
    redirectUri: 'http://localhost:5003/callback',
    codeVerifier: 'v',
    credentials: { basic: { clientId: '1234', secret: 'qwerty' } },
    ...overrides,
  });

  beforeEach(() => {
    grant = new FakeGrant(claims);
    tokens = new FakeTokens();
    service = new TokenService(
      new ClientAuthenticationService(new FakeClientStore(WEBAPP)),
      [grant],
      tokens,
      fakeLogger(),
    );
  });

  it('signs what the grant handler grants to the authenticated client', async () => {
    expect(await service.issue(request())).toEqual({
      accessToken: 'token-jti-7',
      expiresIn: 5,
      scope: 'epoch_time',
    });
    expect(tokens.signed.get('token-jti-7')).toBe(claims);
    expect(grant.calls).toHaveLength(1);
    expect(grant.calls[0]?.client).toBe(WEBAPP);
    expect(grant.calls[0]?.parameters).toMatchObject({
      code: 'c',
      redirectUri: 'http://localhost:5003/callback',
      codeVerifier: 'v',
    });
  });

  it.each(['password', 'client_credentials', 'refresh_token', 'AUTHORIZATION_CODE', ''])(
    'refuses grant_type=%s as unsupported_grant_type',
    async (grantType) => {
      const error = await rejected(() => service.issue(request({ grantType })));
      expect(error).toBeInstanceOf(UnsupportedGrantTypeError);
      expect(error).toHaveProperty('code', 'unsupported_grant_type');
      expect(grant.calls).toHaveLength(0);
    },
  );

  it('refuses a request without grant_type as invalid_request', async () => {
    const error = await rejected(() => service.issue(request({ grantType: undefined })));
    expect(error).toBeInstanceOf(InvalidRequestError);
    expect(error).toHaveProperty('description', 'grant_type is required');
  });

  it('authenticates the client before it looks at the grant', async () => {
    const error = await rejected(() =>
      service.issue(
        request({ grantType: 'password', credentials: { post: { clientId: '1234' } } }),
      ),
    );
    expect(error).toBeInstanceOf(InvalidClientError);
    expect(tokens.signed.size).toBe(0);
  });

  it('signs nothing when the grant handler refuses', async () => {
    grant.handle = () => Promise.reject(new InvalidRequestError('code is required'));
    expect(await rejected(() => service.issue(request()))).toBeInstanceOf(InvalidRequestError);
    expect(tokens.signed.size).toBe(0);
  });
});
