import { InvalidRequestError, LoginRequiredError } from '../errors/oauth.errors';
import {
  FakeClientStore,
  FakeClock,
  FakeCodeStore,
  RESOURCE_SERVER,
  RFC7636_CHALLENGE,
  T0,
  WEBAPP,
  fakeLogger,
  testConfig,
} from '../../test/support/fakes';
import { type AuthorizationRequest, AuthorizationService } from './authorization.service';

const CALLBACK = 'http://localhost:5003/callback';
const ISSUER = 'http://localhost:5001';
const ALICE = { username: 'alice' };

function validRequest(overrides: Partial<AuthorizationRequest> = {}): AuthorizationRequest {
  return {
    responseType: 'code',
    clientId: '1234',
    redirectUri: CALLBACK,
    scope: 'current_time',
    state: 'xyz',
    codeChallenge: RFC7636_CHALLENGE,
    codeChallengeMethod: 'S256',
    ...overrides,
  };
}

/** The redirect target without its query, and the query as a plain object. */
function parse(location: string): { target: string; params: Record<string, string> } {
  const url = new URL(location);
  return { target: `${url.origin}${url.pathname}`, params: Object.fromEntries(url.searchParams) };
}

describe('AuthorizationService', () => {
  let codes: FakeCodeStore;
  let clock: FakeClock;
  let service: AuthorizationService;

  beforeEach(() => {
    codes = new FakeCodeStore();
    clock = new FakeClock(T0);
    const withQuery = {
      ...WEBAPP,
      id: 'with-query',
      redirectUris: ['http://localhost:5003/callback?tenant=a'],
      scopes: ['epoch_time' as const],
    };
    service = new AuthorizationService(
      new FakeClientStore(WEBAPP, RESOURCE_SERVER, withQuery),
      codes,
      clock,
      testConfig(),
      fakeLogger(),
    );
  });

  describe('errors that are never redirected', () => {
    it.each([
      ['an unknown client', { clientId: 'nobody' }, 'unknown client_id'],
      ['a missing client_id', { clientId: undefined }, 'client_id is required'],
      [
        'a client without the authorization_code grant',
        { clientId: 'resource-server' },
        'unknown client_id',
      ],
      ['a missing redirect_uri', { redirectUri: undefined }, 'redirect_uri is required'],
      [
        'an unregistered redirect_uri',
        { redirectUri: 'https://evil.example/callback' },
        'redirect_uri is not registered for this client',
      ],
      [
        'a redirect_uri that only differs by a trailing slash',
        { redirectUri: `${CALLBACK}/` },
        'redirect_uri is not registered for this client',
      ],
      [
        'a redirect_uri that only adds a query',
        { redirectUri: `${CALLBACK}?x=1` },
        'redirect_uri is not registered for this client',
      ],
    ])('throws InvalidRequestError for %s', async (_name, overrides, description) => {
      const request = validRequest({ ...overrides, scope: 'bogus' });
      await expect(service.authorize(request, ALICE)).rejects.toThrow(InvalidRequestError);
      await expect(service.authorize(request, ALICE)).rejects.toThrow(description);
      expect(codes.saved.size).toBe(0);
    });

    it('checks the client before the login', async () => {
      await expect(
        service.authorize(validRequest({ clientId: 'nobody' }), undefined),
      ).rejects.toThrow(InvalidRequestError);
    });
  });

  describe('errors redirected to the client', () => {
    it.each([
      [
        'invalid_scope for an unknown scope',
        { scope: 'openid' },
        'invalid_scope',
        'scope must be exactly one of: current_time, epoch_time',
      ],
      [
        'invalid_scope for both scopes at once',
        { scope: 'current_time epoch_time' },
        'invalid_scope',
        'scope must be exactly one of: current_time, epoch_time',
      ],
      [
        'invalid_scope for a missing scope',
        { scope: undefined },
        'invalid_scope',
        'scope must be exactly one of: current_time, epoch_time',
      ],
      [
        'unsupported_response_type for response_type=token',
        { responseType: 'token' },
        'unsupported_response_type',
        'only response_type=code is supported',
      ],
      [
        'invalid_request for a missing response_type',
        { responseType: undefined },
        'invalid_request',
        'response_type is required',
      ],
      [
        'invalid_request for a missing code_challenge',
        { codeChallenge: undefined, codeChallengeMethod: undefined },
        'invalid_request',
        'code_challenge is required (PKCE)',
      ],
      [
        'invalid_request for code_challenge_method=plain',
        { codeChallenge: 'a'.repeat(43), codeChallengeMethod: 'plain' },
        'invalid_request',
        'code_challenge_method must be S256',
      ],
      [
        'invalid_request for a missing code_challenge_method',
        { codeChallengeMethod: undefined },
        'invalid_request',
        'code_challenge_method must be S256',
      ],
      [
        'invalid_request for a challenge that is no S256 hash',
        { codeChallenge: 'too-short' },
        'invalid_request',
        'code_challenge is not a S256 challenge',
      ],
    ])('%s', async (_name, overrides, error, description) => {
      const location = await service.authorize(validRequest(overrides), ALICE);
      expect(parse(location)).toEqual({
        target: CALLBACK,
        params: { error, error_description: description, state: 'xyz', iss: ISSUER },
      });
      expect(codes.saved.size).toBe(0);
    });

    it('redirects the error even when nobody logged in', async () => {
      const location = await service.authorize(validRequest({ scope: 'openid' }), undefined);
      expect(parse(location).params.error).toBe('invalid_scope');
    });

    it('refuses a scope the client is not registered for', async () => {
      const location = await service.authorize(
        validRequest({
          clientId: 'with-query',
          redirectUri: 'http://localhost:5003/callback?tenant=a',
          scope: 'current_time',
        }),
        ALICE,
      );
      expect(parse(location).params.error).toBe('invalid_scope');
    });

    it('leaves state out when the request had none', async () => {
      const location = await service.authorize(
        validRequest({ scope: 'openid', state: undefined }),
        ALICE,
      );
      expect(Object.keys(parse(location).params).sort()).toEqual([
        'error',
        'error_description',
        'iss',
      ]);
    });
  });

  it('throws LoginRequiredError for a valid request without a logged-in owner', async () => {
    await expect(service.authorize(validRequest(), undefined)).rejects.toThrow(LoginRequiredError);
    expect(codes.saved.size).toBe(0);
  });

  it('redirects with code, state and iss, and saves the code bound to the request', async () => {
    const location = await service.authorize(validRequest({ scope: 'epoch_time' }), ALICE);

    const { target, params } = parse(location);
    expect(target).toBe(CALLBACK);
    expect(Object.keys(params).sort()).toEqual(['code', 'iss', 'state']);
    expect(params.state).toBe('xyz');
    expect(params.iss).toBe(ISSUER);
    expect(params.code).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect([...codes.saved.entries()]).toEqual([
      [
        params.code,
        {
          clientId: '1234',
          redirectUri: CALLBACK,
          scope: 'epoch_time',
          username: 'alice',
          codeChallenge: RFC7636_CHALLENGE,
          expiresAt: T0 + 60,
        },
      ],
    ]);
  });

  it('redirects with temporarily_unavailable, and no code, when the code store is full', async () => {
    codes.full = true;
    const { target, params } = parse(await service.authorize(validRequest(), ALICE));
    expect(target).toBe(CALLBACK);
    expect(params).toEqual({
      error: 'temporarily_unavailable',
      error_description: 'the server cannot issue a code now; retry later',
      state: 'xyz',
      iss: ISSUER,
    });
  });

  it('issues a different code every time', async () => {
    const first = parse(await service.authorize(validRequest(), ALICE)).params.code;
    const second = parse(await service.authorize(validRequest(), ALICE)).params.code;
    expect(first).not.toBe(second);
    expect(codes.saved.size).toBe(2);
  });

  it('keeps the query of a registered redirect URI', async () => {
    const location = await service.authorize(
      validRequest({
        clientId: 'with-query',
        redirectUri: 'http://localhost:5003/callback?tenant=a',
        scope: 'epoch_time',
      }),
      ALICE,
    );
    const { params } = parse(location);
    expect(Object.keys(params)).toEqual(['tenant', 'code', 'state', 'iss']);
    expect(params.tenant).toBe('a');
  });
});
