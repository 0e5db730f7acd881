import type { RegisteredClient } from '../../clients/client-store.port';
import type { AuthorizationGrant } from '../../codes/code-store.port';
import {
  InvalidGrantError,
  InvalidRequestError,
  UnauthorizedClientError,
} from '../../errors/oauth.errors';
import {
  FakeClock,
  FakeCodeStore,
  FakeRevocationStore,
  RESOURCE_SERVER,
  RFC7636_CHALLENGE,
  RFC7636_VERIFIER,
  T0,
  WEBAPP,
  fakeLogger,
  testConfig,
  rejected,
} from '../../../test/support/fakes';
import { AuthorizationCodeGrant } from './authorization-code.grant';
import type { GrantParameters } from './grant-handler';

const CALLBACK = 'http://localhost:5003/callback';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const OTHER_CLIENT: RegisteredClient = { ...WEBAPP, id: 'other', secret: 'other-secret' };

describe('AuthorizationCodeGrant', () => {
  let codes: FakeCodeStore;
  let revocations: FakeRevocationStore;
  let clock: FakeClock;
  let grant: AuthorizationCodeGrant;

  const parameters = (overrides: Partial<GrantParameters> = {}): GrantParameters => ({
    code: 'the-code',
    redirectUri: CALLBACK,
    codeVerifier: RFC7636_VERIFIER,
    ...overrides,
  });

  const issueCode = (
    code = 'the-code',
    overrides: Partial<AuthorizationGrant> = {},
  ): Promise<boolean> =>
    codes.save(code, {
      clientId: '1234',
      redirectUri: CALLBACK,
      scope: 'epoch_time',
      username: 'alice',
      codeChallenge: RFC7636_CHALLENGE,
      expiresAt: T0 + 60,
      ...overrides,
    });

  beforeEach(async () => {
    codes = new FakeCodeStore();
    revocations = new FakeRevocationStore();
    clock = new FakeClock(T0 + 10);
    grant = new AuthorizationCodeGrant(codes, revocations, clock, testConfig(), fakeLogger());
    await issueCode();
  });

  it('handles grant_type=authorization_code', () => {
    expect(grant.grantType).toBe('authorization_code');
  });

  it('grants exactly the claims of an RFC 9068 access token', async () => {
    const claims = await grant.handle(WEBAPP, parameters());

    expect(claims).toEqual({
      iss: 'http://localhost:5001',
      sub: 'alice',
      aud: 'http://localhost:5002',
      client_id: '1234',
      scope: 'epoch_time',
      iat: T0 + 10,
      exp: T0 + 15,
      jti: expect.stringMatching(UUID),
    });
    expect(Object.keys(claims).sort()).toEqual(
      ['aud', 'client_id', 'exp', 'iat', 'iss', 'jti', 'scope', 'sub'].sort(),
    );
    expect(codes.issuedJtis.get('the-code')).toBe(claims.jti);
  });

  it('takes iss, aud and lifetime from the configuration', async () => {
    const configured = new AuthorizationCodeGrant(
      codes,
      revocations,
      clock,
      testConfig({
        issuer: 'https://as.example',
        audience: 'https://rs.example',
        accessTokenTtl: 30,
      }),
      fakeLogger(),
    );
    const claims = await configured.handle(WEBAPP, parameters());
    expect([claims.iss, claims.aud, claims.exp - claims.iat]).toEqual([
      'https://as.example',
      'https://rs.example',
      30,
    ]);
  });

  it('gives every token its own jti', async () => {
    await issueCode('second-code');
    const first = await grant.handle(WEBAPP, parameters());
    const second = await grant.handle(WEBAPP, parameters({ code: 'second-code' }));
    expect(first.jti).not.toBe(second.jti);
  });

  it('refuses a code issued to another client, without consuming it', async () => {
    await expect(grant.handle(OTHER_CLIENT, parameters())).rejects.toThrow(InvalidGrantError);
    expect(codes.issuedJtis.has('the-code')).toBe(false);
    expect((await grant.handle(WEBAPP, parameters())).sub).toBe('alice');
  });

  it('refuses an unknown code', async () => {
    expect(
      await rejected(() => grant.handle(WEBAPP, parameters({ code: 'never-issued' }))),
    ).toEqual(
      expect.objectContaining({
        name: 'InvalidGrantError',
        code: 'invalid_grant',
        description: 'the authorization code is invalid or expired',
      }),
    );
  });

  it('refuses a code once its expiry is reached', async () => {
    clock.now = T0 + 60;
    await expect(grant.handle(WEBAPP, parameters())).rejects.toThrow(InvalidGrantError);
    expect(codes.issuedJtis.size).toBe(0);
  });

  it('accepts a code one second before its expiry', async () => {
    clock.now = T0 + 59;
    expect((await grant.handle(WEBAPP, parameters())).exp).toBe(T0 + 64);
  });

  it('refuses a replayed code and revokes the token of the first redemption', async () => {
    const first = await grant.handle(WEBAPP, parameters());
    clock.advance(1);

    expect(await rejected(() => grant.handle(WEBAPP, parameters()))).toEqual(
      expect.objectContaining({
        code: 'invalid_grant',
        description: 'the authorization code was already used',
      }),
    );
    expect([...revocations.revoked.entries()]).toEqual([[first.jti, T0 + 11 + 5]]);
  });

  it('keeps the revocation of a replayed code for the lifetime plus the leeway', async () => {
    const lenient = new AuthorizationCodeGrant(
      codes,
      revocations,
      clock,
      testConfig({ clockLeeway: 3 }),
      fakeLogger(),
    );
    const first = await lenient.handle(WEBAPP, parameters());
    await expect(lenient.handle(WEBAPP, parameters())).rejects.toThrow(InvalidGrantError);
    expect(revocations.revoked.get(first.jti)).toBe(T0 + 10 + 5 + 3);
  });

  it('refuses a redirect_uri other than the one of the authorization request', async () => {
    const error = await rejected(() =>
      grant.handle(WEBAPP, parameters({ redirectUri: 'http://localhost:5003/other' })),
    );
    expect(error).toBeInstanceOf(InvalidGrantError);
    expect(error).toHaveProperty(
      'description',
      'redirect_uri does not match the authorization request',
    );
  });

  it.each([
    ['a verifier of another challenge', 'x'.repeat(43)],
    ['the challenge itself', RFC7636_CHALLENGE],
    ['a verifier shorter than 43 characters', RFC7636_VERIFIER.slice(0, 42)],
  ])('refuses %s', async (_name, codeVerifier) => {
    const error = await rejected(() => grant.handle(WEBAPP, parameters({ codeVerifier })));
    expect(error).toBeInstanceOf(InvalidGrantError);
    expect(error).toHaveProperty('description', 'code_verifier does not match the code challenge');
  });

  it('uses a code up on a failed verification, so that verifiers cannot be guessed in turn', async () => {
    await expect(
      grant.handle(WEBAPP, parameters({ codeVerifier: 'x'.repeat(43) })),
    ).rejects.toThrow(InvalidGrantError);
    expect(await rejected(() => grant.handle(WEBAPP, parameters()))).toHaveProperty(
      'description',
      'the authorization code was already used',
    );
  });

  it.each([
    ['code', { code: undefined }, 'code is required'],
    ['an empty code', { code: '' }, 'code is required'],
    ['redirect_uri', { redirectUri: undefined }, 'redirect_uri is required'],
    ['code_verifier', { codeVerifier: undefined }, 'code_verifier is required (PKCE)'],
  ])('refuses a request without %s as invalid_request', async (_name, overrides, description) => {
    const error = await rejected(() => grant.handle(WEBAPP, parameters(overrides)));
    expect(error).toBeInstanceOf(InvalidRequestError);
    expect(error).toHaveProperty('description', description);
    expect(codes.issuedJtis.size).toBe(0);
  });

  it('refuses a client not registered for the grant as unauthorized_client', async () => {
    await expect(grant.handle(RESOURCE_SERVER, parameters())).rejects.toThrow(
      UnauthorizedClientError,
    );
    expect(codes.issuedJtis.size).toBe(0);
  });
});
