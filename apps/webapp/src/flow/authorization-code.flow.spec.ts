import { createHash } from 'node:crypto';
import { UpstreamError } from '@app/common';
import { AuthorizationDeniedError, BadUpstreamAnswerError } from '../errors/webapp.errors';
import {
  FakeAuthServer,
  ISSUER,
  callContext,
  rejection,
  testConfig,
} from '../../test/support/fakes';
import { AuthorizationCodeFlow } from './authorization-code.flow';

describe('AuthorizationCodeFlow (RFC 6749 4.1 with PKCE and RFC 9207)', () => {
  const alice = { username: 'alice', password: 'secret' };
  let auth: FakeAuthServer;
  let flow: AuthorizationCodeFlow;

  beforeEach(() => {
    auth = new FakeAuthServer();
    flow = new AuthorizationCodeFlow(auth, testConfig());
  });

  const refusal = async (): Promise<BadUpstreamAnswerError> => {
    const err = await rejection(flow.obtainToken('current_time', alice, callContext()));
    expect(err).toBeInstanceOf(BadUpstreamAnswerError);
    return err as BadUpstreamAnswerError;
  };

  it('returns the access token of one complete flow, as a Bearer token', async () => {
    const context = callContext('req-9');
    await expect(flow.obtainToken('epoch_time', alice, context)).resolves.toEqual({
      value: 'token-for-alice',
      type: 'Bearer',
    });
    expect(auth.authorizeCalls).toHaveLength(1);
    expect(auth.authorizeCalls[0]?.call).toMatchObject({
      scope: 'epoch_time',
      username: 'alice',
      password: 'secret',
    });
    expect(auth.authorizeCalls[0]?.context).toBe(context);
    expect(auth.exchangeCalls).toHaveLength(1);
    expect(auth.exchangeCalls[0]?.code).toBe('code-for-alice');
    expect(auth.exchangeCalls[0]?.context).toBe(context);
  });

  it('redeems the code with a 43-character verifier whose S256 is the challenge it sent', async () => {
    await flow.obtainToken('current_time', alice, callContext());
    const challenge = auth.authorizeCalls[0]?.call.codeChallenge;
    const verifier = auth.exchangeCalls[0]?.codeVerifier ?? '';
    expect(verifier).toMatch(/^[A-Za-z0-9\-._~]{43}$/);
    expect(createHash('sha256').update(verifier).digest('base64url')).toBe(challenge);
  });

  it('uses a fresh state and verifier for every flow', async () => {
    await flow.obtainToken('current_time', alice, callContext());
    await flow.obtainToken('current_time', alice, callContext());
    const [first, second] = auth.authorizeCalls.map((entry) => entry.call);
    expect(first?.state).not.toBe(second?.state);
    expect(first?.codeChallenge).not.toBe(second?.codeChallenge);
    expect(first?.state.length).toBeGreaterThanOrEqual(22);
  });

  it('refuses a redirect whose state is not the one it sent', async () => {
    auth.redirect = () => ({ code: 'c', state: 'someone-elses', iss: ISSUER });
    expect((await refusal()).detail).toBe('state mismatch');
    expect(auth.exchangeCalls).toHaveLength(0);
  });

  it('refuses a redirect without a state', async () => {
    auth.redirect = () => ({ code: 'c', iss: ISSUER });
    expect((await refusal()).detail).toBe('state mismatch');
  });

  it('refuses a redirect without iss (RFC 9207 2.4)', async () => {
    auth.redirect = (call) => ({ code: 'c', state: call.state });
    expect((await refusal()).detail).toBe('iss missing');
    expect(auth.exchangeCalls).toHaveLength(0);
  });

  it('refuses a redirect from another issuer (mix-up defence)', async () => {
    auth.redirect = (call) => ({ code: 'c', state: call.state, iss: 'http://evil.example' });
    expect((await refusal()).detail).toBe('iss http://evil.example');
    expect(auth.exchangeCalls).toHaveLength(0);
  });

  it.each(['access_denied', 'invalid_scope', 'unauthorized_client'])(
    'takes an error redirect %s for a refusal of the user or client (RFC 6749 4.1.2.1)',
    async (error) => {
      auth.redirect = (call) => ({ state: call.state, iss: ISSUER, error, errorDescription: 'no' });
      const err = await rejection(flow.obtainToken('current_time', alice, callContext()));
      expect(err).toBeInstanceOf(AuthorizationDeniedError);
      expect(err).toMatchObject({
        error,
        isRefusal: true,
        description: 'the authorization server refused: no',
        detail: `authorization error ${error}: no`,
      });
      expect(auth.exchangeCalls).toHaveLength(0);
    },
  );

  it.each(['invalid_request', 'unsupported_response_type', 'server_error', 'login_required'])(
    'takes an error redirect %s for a fault of this client or the server, not a refusal',
    async (error) => {
      auth.redirect = (call) => ({ state: call.state, iss: ISSUER, error });
      const err = await rejection(flow.obtainToken('current_time', alice, callContext()));
      expect(err).toBeInstanceOf(AuthorizationDeniedError);
      expect(err).toMatchObject({
        error,
        isRefusal: false,
        description: `the authorization server refused: ${error}`,
      });
    },
  );

  it('checks state and iss before it believes an error redirect', async () => {
    auth.redirect = () => ({ state: 'forged', iss: ISSUER, error: 'access_denied' });
    expect((await refusal()).detail).toBe('state mismatch');
    auth.redirect = (call) => ({
      state: call.state,
      iss: 'http://evil.example',
      error: 'access_denied',
    });
    expect((await refusal()).detail).toBe('iss http://evil.example');
  });

  it('takes temporarily_unavailable for an unavailable authorization server (503)', async () => {
    auth.redirect = (call) => ({
      state: call.state,
      iss: ISSUER,
      error: 'temporarily_unavailable',
    });
    const err = await rejection(flow.obtainToken('current_time', alice, callContext()));
    expect(err).toBeInstanceOf(UpstreamError);
    expect((err as UpstreamError).failure).toBe('unavailable');
    expect(auth.exchangeCalls).toHaveLength(0);
  });

  it.each([
    ['no code', undefined],
    ['an empty code', ''],
  ])('refuses a redirect with %s', async (_case, code) => {
    auth.redirect = (call) => ({ code, state: call.state, iss: ISSUER });
    expect((await refusal()).detail).toBe('no code in the authorization response');
    expect(auth.exchangeCalls).toHaveLength(0);
  });

  it('refuses a token of a type it cannot present', async () => {
    auth.grant = (_code, scope) => ({ accessToken: 't', tokenType: 'MAC', expiresIn: 5, scope });
    expect((await refusal()).detail).toBe('token_type MAC');
  });

  it('accepts token_type bearer in any case (RFC 6749 5.1)', async () => {
    auth.grant = (_code, scope) => ({ accessToken: 't', tokenType: 'bearer', expiresIn: 5, scope });
    await expect(flow.obtainToken('current_time', alice, callContext())).resolves.toEqual({
      value: 't',
      type: 'Bearer',
    });
  });

  it('takes a DPoP-bound token (token_type DPoP, any case) when it uses DPoP (RFC 9449 5)', async () => {
    flow = new AuthorizationCodeFlow(auth, testConfig({ dpop: true }));
    for (const tokenType of ['DPoP', 'dpop']) {
      auth.grant = (_code, scope) => ({ accessToken: 't', tokenType, expiresIn: 5, scope });
      await expect(flow.obtainToken('current_time', alice, callContext())).resolves.toEqual({
        value: 't',
        type: 'DPoP',
      });
    }
  });

  it('refuses a DPoP-bound token when it does not use DPoP: it could not present it', async () => {
    flow = new AuthorizationCodeFlow(auth, testConfig({ dpop: false }));
    auth.grant = (_code, scope) => ({ accessToken: 't', tokenType: 'DPoP', expiresIn: 5, scope });
    expect((await refusal()).detail).toBe('token_type DPoP');
  });

  it.each([
    ['another scope', 'epoch_time'],
    ['more scopes', 'current_time epoch_time'],
    ['no scope', ''],
  ])('refuses a token granted with %s than asked', async (_case, scope) => {
    auth.grant = () => ({ accessToken: 't', tokenType: 'Bearer', expiresIn: 5, scope });
    expect((await refusal()).detail).toBe(`granted scope ${scope}, asked current_time`);
  });

  it('passes on what the authorization server throws', async () => {
    const failure = new Error('down');
    auth.failure = failure;
    await expect(flow.obtainToken('current_time', alice, callContext())).rejects.toBe(failure);
  });

  describe('begin and complete (the browser front channel, across a redirect)', () => {
    it('begins with a fresh state and an S256 pair for the scope', () => {
      const first = flow.begin('epoch_time');
      const second = flow.begin('epoch_time');
      expect(first.scope).toBe('epoch_time');
      expect(first.codeVerifier).toMatch(/^[A-Za-z0-9\-._~]{43}$/);
      expect(createHash('sha256').update(first.codeVerifier).digest('base64url')).toBe(
        first.codeChallenge,
      );
      expect(first.state).not.toBe(second.state);
      expect(first.codeVerifier).not.toBe(second.codeVerifier);
    });

    it("completes a flow with the redirect's code and the flow's own verifier", async () => {
      const pending = flow.begin('current_time');
      const context = callContext('cb-1');
      await expect(
        flow.complete(
          pending,
          { code: 'code-for-carol', state: pending.state, iss: ISSUER },
          context,
        ),
      ).resolves.toEqual({ value: 'token-for-carol', type: 'Bearer' });
      expect(auth.authorizeCalls).toHaveLength(0);
      expect(auth.exchangeCalls).toEqual([
        { code: 'code-for-carol', codeVerifier: pending.codeVerifier, context },
      ]);
    });

    it('refuses a redirect meant for another flow', async () => {
      const mine = flow.begin('current_time');
      const theirs = flow.begin('current_time');
      const err = await rejection(
        flow.complete(mine, { code: 'c', state: theirs.state, iss: ISSUER }, callContext()),
      );
      expect(err).toBeInstanceOf(BadUpstreamAnswerError);
      expect((err as BadUpstreamAnswerError).detail).toBe('state mismatch');
      expect(auth.exchangeCalls).toHaveLength(0);
    });

    it("refuses a token for another scope than the flow's", async () => {
      const pending = flow.begin('epoch_time');
      auth.grant = (code) => ({
        accessToken: code,
        tokenType: 'Bearer',
        expiresIn: 5,
        scope: 'current_time',
      });
      const err = await rejection(
        flow.complete(pending, { code: 'c', state: pending.state, iss: ISSUER }, callContext()),
      );
      expect((err as BadUpstreamAnswerError).detail).toBe(
        'granted scope current_time, asked epoch_time',
      );
    });
  });
});
