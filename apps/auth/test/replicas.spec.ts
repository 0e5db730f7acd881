import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { AccessTokenClaims } from '@app/contracts';
import { JwtAccessTokens } from '../src/signing/jwt-access-tokens';
import { loadKeySet } from '../src/signing/key-set';
import { SigningKeys } from '../src/signing/signing-keys';
import { codeStoreLimits } from '../src/stores/store.providers';
import { CODE_STORE } from '../src/stores/code-store.port';
import { KEY_DIRECTORY } from '../src/stores/key-directory.port';
import { InMemoryCodeStore } from '../src/stores/memory/in-memory-code.store';
import { InMemoryKeyDirectory } from '../src/stores/memory/in-memory-key.directory';
import { InMemoryTokenRegistry } from '../src/stores/memory/in-memory-token.registry';
import { TOKEN_REGISTRY } from '../src/stores/token-registry.port';
import { createAuthApp } from './support/auth-app';
import { FakeClock, RecordedOutcome, T0, testConfig } from './support/fakes';
import { decodeJws } from '../../../libs/common/test/jws';
import { AUDIENCE, ISSUER, OAuthClient, RESOURCE_SERVER, WEBAPP } from './support/oauth-client';

const UUID_JTI = '0b9c5c34-0d5e-4c2a-9d5f-3f1b2a6c7d8e';

/** The JWKS of an app, by kid. */
async function kidsOf(app: NestFastifyApplication): Promise<string[]> {
  const response = await app.inject({ method: 'GET', url: '/jwks.json' });
  return response
    .json<{ keys: { kid: string }[] }>()
    .keys.map((key) => key.kid)
    .sort();
}

describe('replicas: several authorization servers over one shared store', () => {
  const clock = new FakeClock();
  const directory = new InMemoryKeyDirectory();
  let registry: InMemoryTokenRegistry;
  let codes: InMemoryCodeStore;
  let first: NestFastifyApplication;
  let second: NestFastifyApplication;
  const others: SigningKeys[] = [];

  /** The signing keys of a replica that is not running here: it only publishes its key. */
  const replicaKeys = async (): Promise<JwtAccessTokens> => {
    const keys = new SigningKeys(loadKeySet(), directory, clock, new RecordedOutcome(), {
      tokenLifetimeSeconds: 6,
      rotationSeconds: 0,
      heartbeatSeconds: 10,
    });
    others.push(keys);
    await keys.onModuleInit();
    return new JwtAccessTokens(keys, ISSUER, 0);
  };
  const claims = (overrides: Partial<AccessTokenClaims> = {}): AccessTokenClaims => ({
    iss: ISSUER,
    sub: 'alice',
    aud: AUDIENCE,
    client_id: WEBAPP.id,
    scope: 'current_time',
    iat: clock.now,
    exp: clock.now + 5,
    jti: UUID_JTI,
    ...overrides,
  });

  beforeAll(async () => {
    registry = new InMemoryTokenRegistry(clock);
    codes = new InMemoryCodeStore(codeStoreLimits(testConfig()), clock);
    const shared = [
      { token: KEY_DIRECTORY, value: directory },
      { token: TOKEN_REGISTRY, value: registry },
      { token: CODE_STORE, value: codes },
    ];
    first = await createAuthApp({ clock, overrides: shared });
    second = await createAuthApp({ clock, overrides: shared });
  });

  afterAll(async () => {
    await first.close();
    await second.close();
    for (const keys of others) keys.onModuleDestroy();
    registry.onModuleDestroy();
    codes.onModuleDestroy();
  });

  beforeEach(() => {
    clock.now = T0;
  });

  it('publishes one JWKS, every replica’s key in it', async () => {
    const kids = await kidsOf(first);
    expect(kids).toHaveLength(2);
    expect(await kidsOf(second)).toEqual(kids);
  });

  it('redeems on one replica a code issued by the other', async () => {
    const { code, verifier } = await new OAuthClient(first).authorize();
    const response = await new OAuthClient(second).redeem(code, verifier);
    expect(response.statusCode).toBe(200);
  });

  it('introspects on one replica a token of the other, and revokes it there for both', async () => {
    const token = await new OAuthClient(first).accessToken();
    const onSecond = new OAuthClient(second);
    expect((await onSecond.introspect(token)).json()).toMatchObject({ active: true, sub: 'alice' });

    expect((await onSecond.revoke(token)).statusCode).toBe(200);

    expect((await new OAuthClient(first).introspect(token)).json()).toEqual({ active: false });
  });

  it('verifies in full a token of another replica that the registry never recorded', async () => {
    clock.advance(1);
    const other = await replicaKeys();
    const token = other.sign(claims());

    const response = await new OAuthClient(first).introspect(token, RESOURCE_SERVER);

    expect(response.json()).toEqual({
      active: true,
      scope: 'current_time',
      client_id: '1234',
      username: 'alice',
      sub: 'alice',
      aud: AUDIENCE,
      iss: ISSUER,
      exp: T0 + 1 + 5,
      iat: T0 + 1,
      jti: UUID_JTI,
      token_type: 'Bearer',
    });
    expect(await kidsOf(first)).toContain(decodeJws(token).header.kid);
  });

  it('lets the client revoke such a token: the revocation holds on every replica', async () => {
    clock.advance(2);
    const token = (await replicaKeys()).sign(claims({ jti: `${UUID_JTI.slice(0, -1)}f` }));
    expect((await new OAuthClient(second).revoke(token, WEBAPP)).json()).toEqual({});
    expect((await new OAuthClient(first).introspect(token)).json()).toEqual({ active: false });
  });

  it('finds nothing active in a token whose key no replica published', async () => {
    clock.advance(3);
    const stranger = new SigningKeys(
      loadKeySet(),
      new InMemoryKeyDirectory(),
      clock,
      new RecordedOutcome(),
      {
        tokenLifetimeSeconds: 6,
        rotationSeconds: 0,
        heartbeatSeconds: 10,
      },
    );
    others.push(stranger);
    await stranger.onModuleInit();
    const token = new JwtAccessTokens(stranger, ISSUER, 0).sign(claims({ jti: 'stranger-jti' }));
    expect((await new OAuthClient(first).introspect(token)).json()).toEqual({ active: false });
  });
});

describe('KEY_ROTATION_SECONDS: a signing key rotated while the server runs', () => {
  const clock = new FakeClock();
  const directory = new InMemoryKeyDirectory();
  // Tokens that outlive the rotation period, so that one signed before it is still alive after.
  const config = { keyRotationSeconds: 30, accessTokenTtl: 120 };
  let app: NestFastifyApplication;
  let fresh: NestFastifyApplication | undefined;

  beforeAll(async () => {
    // The heartbeat that rotates the key runs on a timer; Fastify's own plumbing stays real.
    jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'] });
    clock.now = T0;
    app = await createAuthApp({
      clock,
      config,
      overrides: [{ token: KEY_DIRECTORY, value: directory }],
    });
  });

  afterAll(async () => {
    await app.close();
    await fresh?.close();
    jest.useRealTimers();
  });

  it('signs with a new key after the period; tokens of the old one stay good everywhere', async () => {
    const client = new OAuthClient(app);
    const before = await client.accessToken();
    const [oldKid] = await kidsOf(app);
    expect(decodeJws(before).header.kid).toBe(oldKid);

    clock.advance(30);
    await jest.advanceTimersByTimeAsync(10_000);

    const after = await client.accessToken();
    const newKid = decodeJws(after).header.kid as string;
    expect(newKid).not.toBe(oldKid);
    expect(await kidsOf(app)).toEqual([oldKid, newKid].sort());
    expect((await client.introspect(before)).json()).toMatchObject({ active: true });
    expect((await client.introspect(after)).json()).toMatchObject({ active: true });

    // A replica that shares only the key directory has no record of either: it checks both in
    // full, under the keys the directory lists.
    fresh = await createAuthApp({
      clock,
      config,
      overrides: [{ token: KEY_DIRECTORY, value: directory }],
    });
    const elsewhere = new OAuthClient(fresh);
    expect((await elsewhere.introspect(before)).json()).toMatchObject({ active: true });
    expect((await elsewhere.introspect(after)).json()).toMatchObject({ active: true });
  });
});
