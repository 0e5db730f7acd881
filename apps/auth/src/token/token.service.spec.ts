import { DpopKey, InMemoryDpopReplayCache, InvalidDpopProofError } from '@app/common';
import type { GrantType } from '@app/contracts';
import type { RegisteredClient } from '../clients/client-store.port';
import { TokenEndpointProofs } from '../dpop/token-endpoint-proofs.service';
import {
  InvalidGrantError,
  InvalidRequestError,
  UnauthorizedClientError,
  UnsupportedGrantTypeError,
} from '../errors/oauth.errors';
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
import type { GrantContext, GrantHandler, GrantResult } from './grants/grant-handler';
import { type TokenRequest, TokenService } from './token.service';

type Parameter = 'code' | 'code_verifier';

/** A grant handler that grants fixed claims and remembers what it was asked. */
class FakeGrant implements GrantHandler<Parameter> {
  readonly parameters: readonly Parameter[] = ['code', 'code_verifier'];
  readonly calls: {
    client: RegisteredClient;
    parameters: Readonly<Record<Parameter, string>>;
    context: GrantContext;
  }[] = [];

  constructor(
    private readonly result: GrantResult,
    readonly grantType: GrantType = 'authorization_code',
  ) {}

  handle(
    client: RegisteredClient,
    parameters: Readonly<Record<Parameter, string>>,
    context: GrantContext,
  ): Promise<GrantResult> {
    this.calls.push({ client, parameters, context });
    return Promise.resolve(this.result);
  }
}

describe('TokenService', () => {
  const claims = claimsFor({ scope: 'epoch_time', iat: T0, exp: T0 + 5, jti: 'jti-7' });
  let clock: FakeClock;
  let registry: InMemoryTokenRegistry;
  let signer: FakeTokens;
  let issued: IssuedTokens;
  let outcome: RecordedOutcome;
  let grant: FakeGrant;
  let proofs: TokenEndpointProofs;
  let service: TokenService;

  const request = (overrides: Partial<TokenRequest> = {}): TokenRequest => ({
    grantType: 'authorization_code',
    parameters: { code: 'c', code_verifier: 'v', redirect_uri: 'http://localhost:5003/callback' },
    ...overrides,
  });
  const open = (...grants: FakeGrant[]): void => {
    service = new TokenService(grants, signer, issued, proofs, outcome);
  };

  beforeEach(() => {
    clock = new FakeClock(T0);
    registry = new InMemoryTokenRegistry(clock);
    signer = new FakeTokens();
    issued = new IssuedTokens(registry, signer, clock, testConfig());
    outcome = new RecordedOutcome();
    proofs = new TokenEndpointProofs(new InMemoryDpopReplayCache(clock), clock, testConfig());
    grant = new FakeGrant({ claims });
    open(grant);
  });

  afterEach(() => registry.onModuleDestroy());

  it('signs what the grant handler grants, and records the token for every replica', async () => {
    const response = await service.issue(WEBAPP, request());

    expect(response).toEqual({
      accessToken: expect.any(String),
      tokenType: 'Bearer',
      expiresIn: 5,
      scope: 'epoch_time',
    });
    expect(signer.signed.get(response.accessToken)).toBe(claims);
    expect(await issued.find(response.accessToken)).toEqual({ claims, revoked: false });
    expect(signer.verifiedAt).toEqual([]);
    expect(outcome.events).toEqual([
      {
        kind: 'record',
        event: 'token_issued',
        fields: { scope: 'epoch_time', jti: 'jti-7', exp: T0 + 5, token_type: 'Bearer' },
      },
    ]);
  });

  it('hands the handler the client and exactly the parameters it declares', async () => {
    await service.issue(WEBAPP, request());
    expect(grant.calls).toEqual([
      {
        client: WEBAPP,
        parameters: { code: 'c', code_verifier: 'v' },
        context: { dpopJkt: undefined },
      },
    ]);
  });

  describe('DPoP (RFC 9449 5)', () => {
    const TOKEN_ENDPOINT = 'http://localhost:5001/token';

    it('hands the handler the thumbprint of a valid proof’s key', async () => {
      const key = DpopKey.generate(clock);
      await service.issue(
        WEBAPP,
        request({ dpopProof: key.proof({ htm: 'POST', htu: TOKEN_ENDPOINT }) }),
      );
      expect(grant.calls[0]?.context).toEqual({ dpopJkt: key.thumbprint });
    });

    it('refuses a proof used before, before the grant runs', async () => {
      const proof = DpopKey.generate(clock).proof({ htm: 'POST', htu: TOKEN_ENDPOINT });
      await service.issue(WEBAPP, request({ dpopProof: proof }));
      const error = await rejected(() => service.issue(WEBAPP, request({ dpopProof: proof })));
      expect(error).toBeInstanceOf(InvalidDpopProofError);
      expect(error).toHaveProperty('description', 'the DPoP proof has been used before');
      expect(grant.calls).toHaveLength(1);
    });

    it('refuses a client that must use DPoP and sent no proof, before the grant runs', async () => {
      const error = await rejected(() =>
        service.issue({ ...WEBAPP, requiresDpop: true }, request()),
      );
      expect(error).toBeInstanceOf(InvalidDpopProofError);
      expect(error).toHaveProperty('description', 'this client must send a DPoP proof');
      expect(grant.calls).toHaveLength(0);
    });
  });

  it('answers token_type DPoP for claims with a confirmation (RFC 9449 5)', async () => {
    open(new FakeGrant({ claims: { ...claims, cnf: { jkt: 'k'.repeat(43) } } }));
    expect((await service.issue(WEBAPP, request())).tokenType).toBe('DPoP');
    expect(outcome.events[0]?.fields.token_type).toBe('DPoP');
  });

  it.each(['password', 'client_credentials', 'refresh_token', 'AUTHORIZATION_CODE', ''])(
    'refuses grant_type=%p as unsupported_grant_type, naming the supported ones',
    async (grantType) => {
      const error = await rejected(() => service.issue(WEBAPP, request({ grantType })));
      expect(error).toBeInstanceOf(UnsupportedGrantTypeError);
      expect(error).toHaveProperty('description', 'supported grant types: authorization_code');
      expect(grant.calls).toHaveLength(0);
    },
  );

  it('lists the grant types of every registered handler', async () => {
    const device = 'urn:ietf:params:oauth:grant-type:device_code' as GrantType;
    open(grant, new FakeGrant({ claims }, device));
    expect(service.grantTypes).toEqual(['authorization_code', device]);
    expect(
      await rejected(() => service.issue(WEBAPP, request({ grantType: 'password' }))),
    ).toHaveProperty('description', `supported grant types: authorization_code, ${device}`);
  });

  it('refuses a request without grant_type as invalid_request', async () => {
    const error = await rejected(() => service.issue(WEBAPP, request({ grantType: undefined })));
    expect(error).toBeInstanceOf(InvalidRequestError);
    expect(error).toHaveProperty('description', 'grant_type is required');
  });

  it.each(['code', 'code_verifier'])(
    'refuses a request without %s as invalid_request, before the handler runs',
    async (name) => {
      const parameters = { ...request().parameters, [name]: undefined };
      const error = await rejected(() => service.issue(WEBAPP, request({ parameters })));
      expect(error).toBeInstanceOf(InvalidRequestError);
      expect(error).toHaveProperty('description', `${name} is required`);
      expect(grant.calls).toHaveLength(0);
    },
  );

  it('does not require a parameter the handler does not declare', async () => {
    await service.issue(WEBAPP, request({ parameters: { code: 'c', code_verifier: 'v' } }));
    expect(grant.calls).toHaveLength(1);
  });

  it('refuses a client not registered for the grant as unauthorized_client', async () => {
    const error = await rejected(() => service.issue(RESOURCE_SERVER, request()));
    expect(error).toBeInstanceOf(UnauthorizedClientError);
    expect(error).toHaveProperty(
      'description',
      'this client may not use the authorization_code grant',
    );
    expect(grant.calls).toHaveLength(0);
  });

  it('signs and records nothing when the grant handler refuses', async () => {
    grant.handle = () =>
      Promise.reject(new InvalidGrantError('the authorization code is invalid or expired'));
    expect(await rejected(() => service.issue(WEBAPP, request()))).toBeInstanceOf(
      InvalidGrantError,
    );
    expect(signer.signed.size).toBe(0);
    expect(registry.size).toBe(0);
    expect(outcome.events).toEqual([]);
  });
});
