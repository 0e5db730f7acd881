import { InvalidRequestError, RateLimitedError } from '../errors/oauth.errors';
import { AbuseLimits } from '../limits/abuse-limits.service';
import { IssuedTokens } from '../signing/issued-tokens.service';
import { InMemoryFailureCounter } from '../stores/memory/in-memory-failure.counter';
import { InMemoryTokenRegistry } from '../stores/memory/in-memory-token.registry';
import {
  FakeClock,
  FakeTokens,
  HIGH_FAILURE_LIMITS,
  RESOURCE_SERVER,
  RecordedOutcome,
  T0,
  claimsFor,
  rejected,
  testConfig,
} from '../../test/support/fakes';
import { IntrospectionService } from './introspection.service';

describe('IntrospectionService', () => {
  const ADDRESS = '192.0.2.1';
  const claims = claimsFor({ jti: 'jti-1', iat: T0, exp: T0 + 5 });
  let clock: FakeClock;
  let registry: InMemoryTokenRegistry;
  let signer: FakeTokens;
  let issued: IssuedTokens;
  let outcome: RecordedOutcome;
  let service: IntrospectionService;
  let token: string;

  const open = (introspectionLimit = 20_000): void => {
    const config = testConfig({ introspectionLimit });
    outcome = new RecordedOutcome();
    issued = new IssuedTokens(registry, signer, clock, config);
    const limits = new AbuseLimits(
      new InMemoryFailureCounter(HIGH_FAILURE_LIMITS),
      config,
      clock,
      outcome,
    );
    service = new IntrospectionService(issued, limits, outcome);
  };
  const introspect = (value: string | undefined = token) =>
    service.introspect(RESOURCE_SERVER, { token: value, address: ADDRESS });

  beforeEach(async () => {
    clock = new FakeClock(T0 + 1);
    registry = new InMemoryTokenRegistry(clock);
    signer = new FakeTokens();
    open();
    token = signer.sign(claims);
    await issued.record(token, claims);
  });

  afterEach(() => registry.onModuleDestroy());

  it('reports an active token with its claims, found without a signature check', async () => {
    expect(await introspect()).toEqual({ active: true, claims });
    expect(signer.verifiedAt).toEqual([]);
  });

  it('names the token’s user and records the answer', async () => {
    await introspect();
    expect(outcome.identity).toEqual({ user: 'alice' });
    expect(outcome.events).toEqual([
      { kind: 'record', event: 'token_introspected', fields: { result: 'active', jti: 'jti-1' } },
    ]);
  });

  it('reports a genuine token it has no record of (another replica’s) after checking it in full', async () => {
    const other = signer.sign(claimsFor({ jti: 'jti-2' }));
    expect(await introspect(other)).toEqual({ active: true, claims: claimsFor({ jti: 'jti-2' }) });
    expect(signer.verifiedAt).toEqual([T0 + 1]);
  });

  it('reports a revoked token as inactive', async () => {
    await issued.revoke(claims);
    expect(await introspect()).toEqual({ active: false });
    expect(outcome.events).toEqual([
      { kind: 'record', event: 'token_introspected', fields: { result: 'inactive', jti: 'jti-1' } },
    ]);
  });

  it('reports an expired token as inactive, checking it at the clock’s time', async () => {
    clock.now = T0 + 4;
    expect((await introspect()).active).toBe(true);
    clock.now = T0 + 5;
    expect(await introspect()).toEqual({ active: false });
  });

  it.each([
    ['a token it never issued', 'forged'],
    ['a token longer than any of ours', `${'a'.repeat(4096)}.e30.sig`],
    ['the empty string', ''],
  ])('reports %s as inactive, naming nobody', async (_name, value) => {
    expect(await introspect(value)).toEqual({ active: false });
    expect(outcome.identity).toEqual({});
    expect(outcome.events).toEqual([
      {
        kind: 'record',
        event: 'token_introspected',
        fields: { result: 'inactive', jti: undefined },
      },
    ]);
  });

  it('refuses a missing token as invalid_request', async () => {
    const error = await rejected(() =>
      service.introspect(RESOURCE_SERVER, { token: undefined, address: ADDRESS }),
    );
    expect(error).toBeInstanceOf(InvalidRequestError);
    expect(error).toHaveProperty('description', 'token is required');
  });

  it('refuses introspections past the per-second limit, before looking at the token', async () => {
    open(2);
    await introspect();
    await introspect();
    const lookup = jest.spyOn(registry, 'lookup');
    const error = await rejected(() => introspect());
    expect(error).toBeInstanceOf(RateLimitedError);
    expect(error).toHaveProperty('retryAfterSeconds', 1);
    expect(lookup).not.toHaveBeenCalled();
    clock.advance(1);
    expect((await introspect()).active).toBe(true);
  });
});
