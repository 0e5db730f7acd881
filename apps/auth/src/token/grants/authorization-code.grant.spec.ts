import type { RegisteredClient } from '../../clients/client-store.port';
import { InvalidGrantError } from '../../errors/oauth.errors';
import type { AuthorizationGrant } from '../../stores/code-store.port';
import { InMemoryCodeStore } from '../../stores/memory/in-memory-code.store';
import { InMemoryTokenRegistry } from '../../stores/memory/in-memory-token.registry';
import {
  FakeClock,
  RFC7636_CHALLENGE,
  RFC7636_VERIFIER,
  RecordedOutcome,
  T0,
  WEBAPP,
  rejected,
  testConfig,
} from '../../../test/support/fakes';
import type { AuthConfig } from '../../auth.config';
import { AuthorizationCodeGrant } from './authorization-code.grant';

const CALLBACK = 'http://localhost:5003/callback';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const OTHER_CLIENT: RegisteredClient = { ...WEBAPP, id: 'other', secret: 'other-secret' };
const JKT = 'k'.repeat(43);

type Parameters = { code: string; redirect_uri: string; code_verifier: string };

describe('AuthorizationCodeGrant', () => {
  let clock: FakeClock;
  let codes: InMemoryCodeStore;
  let registry: InMemoryTokenRegistry;
  let outcome: RecordedOutcome;
  let grant: AuthorizationCodeGrant;

  const parameters = (overrides: Partial<Parameters> = {}): Parameters => ({
    code: 'the-code',
    redirect_uri: CALLBACK,
    code_verifier: RFC7636_VERIFIER,
    ...overrides,
  });

  const issueCode = (code = 'the-code', overrides: Partial<AuthorizationGrant> = {}) =>
    codes.save(
      code,
      {
        clientId: '1234',
        redirectUri: CALLBACK,
        scope: 'epoch_time',
        username: 'alice',
        codeChallenge: RFC7636_CHALLENGE,
        expiresAt: T0 + 60,
        owner: '192.0.2.1',
        ...overrides,
      },
      T0,
    );

  const grantWith = (config: Partial<AuthConfig> = {}): AuthorizationCodeGrant =>
    new AuthorizationCodeGrant(codes, registry, clock, outcome, testConfig(config));

  /** What the store says of the code now: 'redeemed' means it was still unused. */
  const statusOf = async (code = 'the-code', client = '1234') =>
    (await codes.consume(code, client, 'probe-jti', clock.now)).status;

  beforeEach(async () => {
    clock = new FakeClock(T0 + 10);
    codes = new InMemoryCodeStore(
      { quotaPerOwner: 100, keepUsedSeconds: 6, capacity: 1000 },
      clock,
    );
    registry = new InMemoryTokenRegistry(clock);
    outcome = new RecordedOutcome();
    grant = grantWith();
    await issueCode();
  });

  afterEach(() => {
    codes.onModuleDestroy();
    registry.onModuleDestroy();
  });

  it('handles grant_type=authorization_code with code, redirect_uri and code_verifier', () => {
    expect(grant.grantType).toBe('authorization_code');
    expect(grant.parameters).toEqual(['code', 'redirect_uri', 'code_verifier']);
  });

  it('grants exactly the claims of an RFC 9068 access token', async () => {
    const { claims } = await grant.handle(WEBAPP, parameters(), {});

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
    expect(outcome.identity).toEqual({ user: 'alice' });
  });

  it('uses the code up, recording the jti of the token it gave', async () => {
    const { claims } = await grant.handle(WEBAPP, parameters(), {});
    expect(await codes.consume('the-code', '1234', 'probe', T0 + 10)).toMatchObject({
      status: 'replayed',
      issuedJti: claims.jti,
    });
  });

  it('binds the token to the DPoP key of the request (cnf.jkt)', async () => {
    const { claims } = await grant.handle(WEBAPP, parameters(), { dpopJkt: JKT });
    expect(claims.cnf).toEqual({ jkt: JKT });
  });

  it('takes iss, aud and lifetime from the configuration', async () => {
    const configured = grantWith({
      issuer: 'https://as.example',
      audience: 'https://rs.example',
      accessTokenTtl: 30,
    });
    const { claims } = await configured.handle(WEBAPP, parameters(), {});
    expect([claims.iss, claims.aud, claims.exp - claims.iat]).toEqual([
      'https://as.example',
      'https://rs.example',
      30,
    ]);
  });

  it('gives every token its own jti', async () => {
    await issueCode('second-code');
    const first = await grant.handle(WEBAPP, parameters(), {});
    const second = await grant.handle(WEBAPP, parameters({ code: 'second-code' }), {});
    expect(first.claims.jti).not.toBe(second.claims.jti);
  });

  it('refuses a code issued to another client, without consuming it', async () => {
    const error = await rejected(() => grant.handle(OTHER_CLIENT, parameters(), {}));
    expect(error).toBeInstanceOf(InvalidGrantError);
    expect(error).toHaveProperty('description', 'the authorization code is invalid or expired');
    expect(error).toHaveProperty('detail', 'code of another client');
    expect((await grant.handle(WEBAPP, parameters(), {})).claims.sub).toBe('alice');
  });

  it('refuses an unknown code', async () => {
    expect(
      await rejected(() => grant.handle(WEBAPP, parameters({ code: 'never-issued' }), {})),
    ).toEqual(
      expect.objectContaining({
        name: 'InvalidGrantError',
        code: 'invalid_grant',
        description: 'the authorization code is invalid or expired',
        detail: 'unknown or expired code',
      }),
    );
  });

  it('refuses a code once its expiry is reached', async () => {
    clock.now = T0 + 60;
    await expect(grant.handle(WEBAPP, parameters(), {})).rejects.toThrow(InvalidGrantError);
    clock.now = T0 + 59;
    expect(await statusOf()).toBe('redeemed');
  });

  it('accepts a code one second before its expiry', async () => {
    clock.now = T0 + 59;
    expect((await grant.handle(WEBAPP, parameters(), {})).claims.exp).toBe(T0 + 64);
  });

  it('refuses a replayed code and revokes the token of the first redemption, while it can live', async () => {
    const first = await grant.handle(WEBAPP, parameters(), {});
    clock.advance(1);

    expect(await rejected(() => grant.handle(WEBAPP, parameters(), {}))).toEqual(
      expect.objectContaining({
        code: 'invalid_grant',
        description: 'the authorization code was already used',
        detail: 'code replay',
      }),
    );
    expect(outcome.events).toEqual([
      {
        kind: 'warn',
        event: 'code_replayed',
        fields: { revoked_jti: first.claims.jti },
      },
    ]);
    // Revoked until the replay's now + lifetime + leeway + 1: past any token of that code.
    clock.now = T0 + 11 + 5 + 1;
    expect((await registry.lookup(first.claims.jti)).revoked).toBe(true);
    clock.now = T0 + 11 + 5 + 2;
    expect((await registry.lookup(first.claims.jti)).revoked).toBe(false);
  });

  it('keeps the revocation of a replayed code for the lifetime plus the leeway', async () => {
    const lenient = grantWith({ clockLeeway: 3 });
    const first = await lenient.handle(WEBAPP, parameters(), {});
    await expect(lenient.handle(WEBAPP, parameters(), {})).rejects.toThrow(InvalidGrantError);
    clock.now = T0 + 10 + 5 + 3 + 1;
    expect((await registry.lookup(first.claims.jti)).revoked).toBe(true);
    clock.now = T0 + 10 + 5 + 3 + 2;
    expect((await registry.lookup(first.claims.jti)).revoked).toBe(false);
  });

  it('revokes the first token by its jti, whether or not the registry recorded it', async () => {
    // The token service records tokens; the grant alone leaves only the revocation behind.
    const first = await grant.handle(WEBAPP, parameters(), {});
    await expect(grant.handle(WEBAPP, parameters(), {})).rejects.toThrow(InvalidGrantError);
    expect(await registry.lookup(first.claims.jti)).toEqual({ revoked: true });
  });

  it('refuses a redirect_uri other than the one of the authorization request', async () => {
    const error = await rejected(() =>
      grant.handle(WEBAPP, parameters({ redirect_uri: 'http://localhost:5003/other' }), {}),
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
    const error = await rejected(() =>
      grant.handle(WEBAPP, parameters({ code_verifier: codeVerifier }), {}),
    );
    expect(error).toBeInstanceOf(InvalidGrantError);
    expect(error).toHaveProperty('description', 'code_verifier does not match the code challenge');
  });

  it('uses a code up on a failed verification, so that verifiers cannot be guessed in turn', async () => {
    await expect(
      grant.handle(WEBAPP, parameters({ code_verifier: 'x'.repeat(43) }), {}),
    ).rejects.toThrow(InvalidGrantError);
    expect(await rejected(() => grant.handle(WEBAPP, parameters(), {}))).toHaveProperty(
      'description',
      'the authorization code was already used',
    );
  });

  describe('a code bound to a DPoP key (RFC 9449 10)', () => {
    beforeEach(() => issueCode('bound-code', { dpopJkt: JKT }));

    it('is redeemed with a proof of that key', async () => {
      const { claims } = await grant.handle(WEBAPP, parameters({ code: 'bound-code' }), {
        dpopJkt: JKT,
      });
      expect(claims.cnf).toEqual({ jkt: JKT });
    });

    it.each([
      ['no proof', {}],
      ['a proof of another key', { dpopJkt: 'o'.repeat(43) }],
    ])('is refused with %s, and used up', async (_name, context) => {
      const error = await rejected(() =>
        grant.handle(WEBAPP, parameters({ code: 'bound-code' }), context),
      );
      expect(error).toBeInstanceOf(InvalidGrantError);
      expect(error).toHaveProperty(
        'description',
        'the DPoP proof does not match the key the code is bound to',
      );
      expect(await statusOf('bound-code')).toBe('replayed');
    });
  });
});
