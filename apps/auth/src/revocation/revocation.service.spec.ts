import type { RegisteredClient } from '../clients/client-store.port';
import { InvalidRequestError, UnauthorizedClientError } from '../errors/oauth.errors';
import { IssuedTokens } from '../signing/issued-tokens.service';
import { InMemoryTokenRegistry } from '../stores/memory/in-memory-token.registry';
import {
  FakeClock,
  FakeTokens,
  RESOURCE_SERVER,
  RecordedOutcome,
  T0,
  WEBAPP,
  claimsFor,
  rejected,
  testConfig,
} from '../../test/support/fakes';
import { RevocationService } from './revocation.service';

const OTHER_CLIENT: RegisteredClient = { ...WEBAPP, id: 'other', secret: 'other-secret' };

describe('RevocationService', () => {
  const claims = claimsFor({ jti: 'jti-1', exp: T0 + 5 });
  let clock: FakeClock;
  let registry: InMemoryTokenRegistry;
  let signer: FakeTokens;
  let issued: IssuedTokens;
  let outcome: RecordedOutcome;
  let token: string;

  const serviceWith = (clockLeeway = 0): RevocationService => {
    issued = new IssuedTokens(registry, signer, clock, testConfig({ clockLeeway }));
    return new RevocationService(issued, outcome);
  };

  beforeEach(async () => {
    clock = new FakeClock(T0 + 1);
    registry = new InMemoryTokenRegistry(clock);
    signer = new FakeTokens();
    outcome = new RecordedOutcome();
    token = signer.sign(claims);
    serviceWith();
    await issued.record(token, claims);
  });

  afterEach(() => registry.onModuleDestroy());

  it('lets the client revoke its own token, until one second past the token’s expiry', async () => {
    await serviceWith().revoke(WEBAPP, token);
    expect(await issued.find(token)).toEqual({ claims, revoked: true });
    clock.now = T0 + 6;
    expect((await registry.lookup('jti-1')).revoked).toBe(true);
    clock.now = T0 + 7;
    expect((await registry.lookup('jti-1')).revoked).toBe(false);
    expect(outcome.events).toEqual([
      { kind: 'record', event: 'token_revocation', fields: { result: 'revoked', jti: 'jti-1' } },
    ]);
  });

  it('keeps the revocation for the leeway past expiry', async () => {
    await serviceWith(2).revoke(WEBAPP, token);
    clock.now = T0 + 8;
    expect((await registry.lookup('jti-1')).revoked).toBe(true);
    clock.now = T0 + 9;
    expect((await registry.lookup('jti-1')).revoked).toBe(false);
  });

  it('revokes a genuine token of the client that it has no record of', async () => {
    const unrecorded = signer.sign(claimsFor({ jti: 'jti-2' }));
    await serviceWith().revoke(WEBAPP, unrecorded);
    expect((await registry.lookup('jti-2')).revoked).toBe(true);
  });

  it.each([
    ['another client', OTHER_CLIENT],
    ['the resource server', RESOURCE_SERVER],
  ])('refuses %s as unauthorized_client, and the token stays active', async (_name, caller) => {
    const error = await rejected(() => serviceWith().revoke(caller, token));
    expect(error).toBeInstanceOf(UnauthorizedClientError);
    expect(error).toHaveProperty('description', 'the token was not issued to this client');
    expect(error).toHaveProperty('detail', 'token of client 1234');
    expect(await issued.find(token)).toEqual({ claims, revoked: false });
  });

  it.each([
    ['a token it never issued', 'never-issued'],
    ['a token longer than any of ours', `${'a'.repeat(4096)}.e30.sig`],
  ])('answers %s without revoking anything', async (_name, value) => {
    await expect(serviceWith().revoke(WEBAPP, value)).resolves.toBeUndefined();
    expect((await registry.lookup('jti-1')).revoked).toBe(false);
    expect(outcome.events).toEqual([
      { kind: 'record', event: 'token_revocation', fields: { result: 'unknown' } },
    ]);
  });

  it('answers an expired token, even another client’s, without revoking anything', async () => {
    clock.now = T0 + 5;
    await expect(serviceWith().revoke(OTHER_CLIENT, token)).resolves.toBeUndefined();
    await expect(serviceWith().revoke(WEBAPP, token)).resolves.toBeUndefined();
    expect((await registry.lookup('jti-1')).revoked).toBe(false);
  });

  it('refuses a missing token as invalid_request', async () => {
    const error = await rejected(() => serviceWith().revoke(WEBAPP, undefined));
    expect(error).toBeInstanceOf(InvalidRequestError);
    expect(error).toHaveProperty('description', 'token is required');
  });
});
