// libs/contracts' DTOs (class-transformer's @Type) need the metadata polyfill Nest loads.
import 'reflect-metadata';
import { LIMITS } from '@app/contracts';
import { InMemoryClientStore } from '../clients/in-memory-client.store';
import { InvalidRequestError, LoginRequiredError } from '../errors/oauth.errors';
import type { CodeStoreLimits } from '../stores/code-store.port';
import { InMemoryCodeStore } from '../stores/memory/in-memory-code.store';
import { StoreUnavailableError } from '@app/common';
import {
  FakeClock,
  RESOURCE_SERVER,
  RFC7636_CHALLENGE,
  RecordedOutcome,
  T0,
  WEBAPP,
  rejected,
  testConfig,
} from '../../test/support/fakes';
import { type AuthorizationRequest, AuthorizationService } from './authorization.service';
import type { Login } from './login';

const CALLBACK = 'http://localhost:5003/callback';
const ISSUER = 'http://localhost:5001';
const ALICE: Login = { kind: 'credentials', username: 'alice', password: 'wonderland' };
const NOBODY: Login = { kind: 'none' };
const FROM = { address: '192.0.2.1' };
const SCOPE_ERROR = 'scope must be exactly one of: current_time, epoch_time';
const WITH_QUERY = {
  ...WEBAPP,
  id: 'with-query',
  redirectUris: ['http://localhost:5003/callback?tenant=a'],
  scopes: ['epoch_time' as const],
};

/** A good request; `parameters` changes the redirectable parameters, `target` the client's. */
function validRequest(
  parameters: Record<string, unknown> = {},
  target: { clientId?: string; redirectUri?: string } = {},
): AuthorizationRequest {
  return {
    clientId: '1234',
    redirectUri: CALLBACK,
    ...target,
    parameters: {
      response_type: 'code',
      scope: 'current_time',
      state: 'xyz',
      code_challenge: RFC7636_CHALLENGE,
      code_challenge_method: 'S256',
      ...parameters,
    },
  };
}

/** The redirect target without its query, and the query as a plain object. */
function parse(location: string): { target: string; params: Record<string, string> } {
  const url = new URL(location);
  return { target: `${url.origin}${url.pathname}`, params: Object.fromEntries(url.searchParams) };
}

describe('AuthorizationService', () => {
  let clock: FakeClock;
  let codes: InMemoryCodeStore;
  let outcome: RecordedOutcome;
  let service: AuthorizationService;

  const open = (limits: Partial<CodeStoreLimits> = {}): void => {
    codes?.onModuleDestroy();
    codes = new InMemoryCodeStore(
      { quotaPerOwner: 3, keepUsedSeconds: 6, capacity: 100, ...limits },
      clock,
    );
    service = new AuthorizationService(
      new InMemoryClientStore([WEBAPP, RESOURCE_SERVER, WITH_QUERY]),
      codes,
      clock,
      outcome,
      testConfig(),
    );
  };

  beforeEach(() => {
    clock = new FakeClock(T0);
    outcome = new RecordedOutcome();
    open();
  });

  afterEach(() => codes.onModuleDestroy());

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
      [
        'a redirect_uri registered for another client',
        { clientId: 'with-query', redirectUri: CALLBACK },
        'redirect_uri is not registered for this client',
      ],
    ])('throws InvalidRequestError for %s', async (_name, target, description) => {
      const request = validRequest({ scope: ['bogus', 'twice'] }, target);
      const error = await rejected(() => service.authorize(request, ALICE, FROM));
      expect(error).toBeInstanceOf(InvalidRequestError);
      expect(error).toHaveProperty('description', description);
      expect(codes.size).toBe(0);
      expect(outcome.events).toEqual([]);
    });

    it('checks the client before the login', async () => {
      const error = await rejected(() =>
        service.authorize(validRequest({}, { clientId: 'nobody' }), NOBODY, FROM),
      );
      expect(error).toBeInstanceOf(InvalidRequestError);
    });

    it('names only the client once it is known', async () => {
      await rejected(() =>
        service.authorize(validRequest({}, { redirectUri: 'https://evil.example/' }), ALICE, FROM),
      );
      expect(outcome.identity).toEqual({ client_id: '1234' });
    });
  });

  describe('errors redirected to the client', () => {
    it.each([
      ['invalid_scope for an unknown scope', { scope: 'openid' }, 'invalid_scope', SCOPE_ERROR],
      [
        'invalid_scope for both scopes at once',
        { scope: 'current_time epoch_time' },
        'invalid_scope',
        SCOPE_ERROR,
      ],
      ['invalid_scope for a missing scope', { scope: undefined }, 'invalid_scope', SCOPE_ERROR],
      [
        'unsupported_response_type for response_type=token',
        { response_type: 'token' },
        'unsupported_response_type',
        'only response_type=code is supported',
      ],
      [
        'invalid_request for a missing response_type',
        { response_type: undefined },
        'invalid_request',
        'response_type is required',
      ],
      [
        'invalid_request for a missing code_challenge',
        { code_challenge: undefined, code_challenge_method: undefined },
        'invalid_request',
        'code_challenge is required (PKCE)',
      ],
      [
        'invalid_request for code_challenge_method=plain',
        { code_challenge: 'a'.repeat(43), code_challenge_method: 'plain' },
        'invalid_request',
        'code_challenge_method must be S256',
      ],
      [
        'invalid_request for a missing code_challenge_method',
        { code_challenge_method: undefined },
        'invalid_request',
        'code_challenge_method must be S256',
      ],
      [
        'invalid_request for a challenge that is no S256 hash',
        { code_challenge: 'too-short' },
        'invalid_request',
        'code_challenge is not a S256 challenge',
      ],
    ])('%s', async (_name, parameters, error, description) => {
      const location = await service.authorize(validRequest(parameters), ALICE, FROM);
      expect(parse(location)).toEqual({
        target: CALLBACK,
        params: { error, error_description: description, state: 'xyz', iss: ISSUER },
      });
      expect(codes.size).toBe(0);
    });

    it('builds the Location exactly: registered URI, error, description, state, iss', async () => {
      expect(await service.authorize(validRequest({ scope: 'openid' }), ALICE, FROM)).toBe(
        'http://localhost:5003/callback?error=invalid_scope' +
          '&error_description=scope+must+be+exactly+one+of%3A+current_time%2C+epoch_time' +
          '&state=xyz&iss=http%3A%2F%2Flocalhost%3A5001',
      );
    });

    const MAX_LENGTH: Record<string, number> = {
      response_type: LIMITS.responseType,
      scope: LIMITS.scope,
      state: LIMITS.state,
      code_challenge: LIMITS.codeChallenge,
      code_challenge_method: LIMITS.codeChallengeMethod,
    };
    const unreadable = Object.entries(MAX_LENGTH).flatMap(([name, max]) => [
      [name, 'repeated', ['code', 'code']] as const,
      [name, `longer than ${max} characters`, 'x'.repeat(max + 1)] as const,
      [name, 'a number', 42] as const,
      [name, 'an object', { nested: 'value' }] as const,
    ]);

    it.each(unreadable)(
      'redirects a %s that is %s with invalid_request naming it',
      async (name, _how, value) => {
        const location = await service.authorize(validRequest({ [name]: value }), ALICE, FROM);
        const params: Record<string, string> = {
          error: 'invalid_request',
          error_description: `parameter ${name} is invalid, too long or repeated`,
          iss: ISSUER,
        };
        // A state that cannot be read is not sent back; any other parameter's error keeps it.
        if (name !== 'state') params.state = 'xyz';
        expect(parse(location)).toEqual({ target: CALLBACK, params });
        expect(codes.size).toBe(0);
      },
    );

    it('accepts each parameter at its longest (a state of 512 characters comes back as it is)', async () => {
      const state = 's'.repeat(LIMITS.state);
      const { params } = parse(await service.authorize(validRequest({ state }), ALICE, FROM));
      expect(params.state).toBe(state);
      expect(params.code).toBeDefined();
    });

    it('redirects the error even when nobody logged in', async () => {
      const location = await service.authorize(validRequest({ scope: 'openid' }), NOBODY, FROM);
      expect(parse(location).params.error).toBe('invalid_scope');
    });

    it('refuses a scope the client is not registered for', async () => {
      const location = await service.authorize(
        validRequest(
          { scope: 'current_time' },
          { clientId: 'with-query', redirectUri: 'http://localhost:5003/callback?tenant=a' },
        ),
        ALICE,
        FROM,
      );
      expect(parse(location).params.error).toBe('invalid_scope');
    });

    it('leaves state out when the request had none', async () => {
      const location = await service.authorize(
        validRequest({ scope: 'openid', state: undefined }),
        ALICE,
        FROM,
      );
      expect(Object.keys(parse(location).params).sort()).toEqual([
        'error',
        'error_description',
        'iss',
      ]);
    });

    it('records the refusal with its error and the reason', async () => {
      await service.authorize(validRequest({ response_type: 'token' }), ALICE, FROM);
      expect(outcome.events).toEqual([
        {
          kind: 'record',
          event: 'authorization_refused',
          fields: {
            error: 'unsupported_response_type',
            detail: 'only response_type=code is supported',
          },
        },
      ]);
      expect(outcome.identity).toEqual({ client_id: '1234' });
    });
  });

  describe('login', () => {
    it.each([
      [
        'nobody logged in',
        NOBODY,
        'the resource owner must log in with HTTP Basic or the login form',
      ],
      [
        'unreadable Basic credentials',
        { kind: 'malformed' },
        'the Basic credentials cannot be read',
      ],
      [
        'an empty username',
        { kind: 'credentials', username: '', password: 'pw' },
        'the username and the password must not be empty',
      ],
      [
        'an empty password',
        { kind: 'credentials', username: 'alice', password: '' },
        'the username and the password must not be empty',
      ],
      [
        'a username longer than 256 characters',
        { kind: 'credentials', username: 'u'.repeat(LIMITS.username + 1), password: 'pw' },
        'the username must be at most 256 characters',
      ],
    ] as [string, Login, string][])(
      'throws LoginRequiredError, unredirected, for %s',
      async (_name, login, description) => {
        const error = await rejected(() => service.authorize(validRequest(), login, FROM));
        expect(error).toBeInstanceOf(LoginRequiredError);
        expect(error).toHaveProperty('description', description);
        expect(codes.size).toBe(0);
      },
    );

    it('logs in a username of exactly 256 characters', async () => {
      const username = 'u'.repeat(LIMITS.username);
      const login: Login = { kind: 'credentials', username, password: 'pw' };
      const { params } = parse(await service.authorize(validRequest(), login, FROM));
      const consumed = await codes.consume(params.code ?? '', '1234', 'jti-1', T0);
      expect(consumed).toMatchObject({ status: 'redeemed', grant: { username } });
    });
  });

  describe('a code', () => {
    it('redirects with code, state and iss, and saves the code bound to the request', async () => {
      const location = await service.authorize(validRequest({ scope: 'epoch_time' }), ALICE, FROM);

      const { target, params } = parse(location);
      expect(target).toBe(CALLBACK);
      expect(Object.keys(params)).toEqual(['code', 'state', 'iss']);
      expect(params.state).toBe('xyz');
      expect(params.iss).toBe(ISSUER);
      expect(params.code).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(location).toBe(
        `${CALLBACK}?code=${params.code}&state=xyz&iss=http%3A%2F%2Flocalhost%3A5001`,
      );
      expect(codes.size).toBe(1);
      expect(await codes.consume(params.code ?? '', '1234', 'jti-1', T0)).toEqual({
        status: 'redeemed',
        grant: {
          clientId: '1234',
          redirectUri: CALLBACK,
          scope: 'epoch_time',
          username: 'alice',
          codeChallenge: RFC7636_CHALLENGE,
          expiresAt: T0 + 60,
          owner: '192.0.2.1',
        },
      });
    });

    it('names the client and the user, and records the code issued', async () => {
      await service.authorize(validRequest(), ALICE, FROM);
      expect(outcome.identity).toEqual({ client_id: '1234', user: 'alice' });
      expect(outcome.events).toEqual([
        { kind: 'record', event: 'code_issued', fields: { scope: 'current_time' } },
      ]);
    });

    it('lives CODE_TTL seconds', async () => {
      open();
      service = new AuthorizationService(
        new InMemoryClientStore([WEBAPP]),
        codes,
        clock,
        outcome,
        testConfig({ codeTtl: 10 }),
      );
      const { params } = parse(await service.authorize(validRequest(), ALICE, FROM));
      expect(await codes.consume(params.code ?? '', '1234', 'jti-1', T0 + 10)).toEqual({
        status: 'unknown',
      });
    });

    it('issues a different code every time', async () => {
      const first = parse(await service.authorize(validRequest(), ALICE, FROM)).params.code;
      const second = parse(await service.authorize(validRequest(), ALICE, FROM)).params.code;
      expect(first).not.toBe(second);
      expect(codes.size).toBe(2);
    });

    it('keeps the query of a registered redirect URI', async () => {
      const location = await service.authorize(
        validRequest(
          { scope: 'epoch_time' },
          { clientId: 'with-query', redirectUri: 'http://localhost:5003/callback?tenant=a' },
        ),
        ALICE,
        FROM,
      );
      const { params } = parse(location);
      expect(Object.keys(params)).toEqual(['tenant', 'code', 'state', 'iss']);
      expect(params.tenant).toBe('a');
      expect(location.startsWith('http://localhost:5003/callback?tenant=a&code=')).toBe(true);
    });
  });

  describe('temporarily_unavailable', () => {
    const UNAVAILABLE = {
      error: 'temporarily_unavailable',
      error_description: 'the server cannot issue a code now; retry later',
      state: 'xyz',
      iss: ISSUER,
    };

    it('redirects an address that holds its quota of codes, and no other', async () => {
      for (let i = 0; i < 3; i++) {
        expect(
          parse(await service.authorize(validRequest(), ALICE, FROM)).params.code,
        ).toBeDefined();
      }
      const refused = parse(await service.authorize(validRequest(), ALICE, FROM));
      expect(refused).toEqual({ target: CALLBACK, params: UNAVAILABLE });
      expect(outcome.events.filter((e) => e.kind === 'warn')).toEqual([
        {
          kind: 'warn',
          event: 'code_quota_reached',
          fields: { reason: 'quota_exceeded', owner: '192.0.2.1' },
        },
      ]);
      expect(outcome.events.at(-1)).toEqual({
        kind: 'record',
        event: 'authorization_refused',
        fields: { error: 'temporarily_unavailable', detail: 'quota of outstanding codes reached' },
      });
      const other = parse(await service.authorize(validRequest(), ALICE, { address: '192.0.2.2' }));
      expect(other.params.code).toBeDefined();
      expect(codes.size).toBe(4);
    });

    it('gives an address its quota back as its codes are redeemed or expire', async () => {
      const issued: string[] = [];
      for (let i = 0; i < 3; i++) {
        issued.push(parse(await service.authorize(validRequest(), ALICE, FROM)).params.code ?? '');
      }
      await codes.consume(issued[0] ?? '', '1234', 'jti-1', T0);
      expect(parse(await service.authorize(validRequest(), ALICE, FROM)).params.code).toBeDefined();
      expect(parse(await service.authorize(validRequest(), ALICE, FROM)).params.error).toBe(
        'temporarily_unavailable',
      );
      clock.advance(60);
      expect(parse(await service.authorize(validRequest(), ALICE, FROM)).params.code).toBeDefined();
    });

    it('redirects everyone once the store holds its capacity', async () => {
      open({ quotaPerOwner: 10, capacity: 2 });
      await service.authorize(validRequest(), ALICE, { address: '192.0.2.1' });
      await service.authorize(validRequest(), ALICE, { address: '192.0.2.2' });
      const refused = parse(
        await service.authorize(validRequest(), ALICE, { address: '192.0.2.3' }),
      );
      expect(refused).toEqual({ target: CALLBACK, params: UNAVAILABLE });
      expect(outcome.events).toContainEqual({
        kind: 'warn',
        event: 'code_quota_reached',
        fields: { reason: 'full', owner: '192.0.2.3' },
      });
    });

    it('redirects when the code store cannot be reached', async () => {
      jest
        .spyOn(codes, 'save')
        .mockRejectedValue(new StoreUnavailableError('codes', 'connection refused'));
      const refused = parse(await service.authorize(validRequest(), ALICE, FROM));
      expect(refused).toEqual({ target: CALLBACK, params: UNAVAILABLE });
      expect(outcome.events).toEqual([
        {
          kind: 'record',
          event: 'authorization_refused',
          fields: {
            error: 'temporarily_unavailable',
            detail: 'codes store unavailable: connection refused',
          },
        },
      ]);
    });

    it('does not redirect an unexpected failure: it is the server’s, not the client’s', async () => {
      const failure = new Error('disk on fire');
      jest.spyOn(codes, 'save').mockRejectedValue(failure);
      expect(await rejected(() => service.authorize(validRequest(), ALICE, FROM))).toBe(failure);
    });
  });
});
