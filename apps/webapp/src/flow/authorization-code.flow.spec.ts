import { createHash } from 'node:crypto';
import { UpstreamError } from '@app/common';
import { BadUpstreamAnswerError } from '../errors/webapp.errors';
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

  it('returns the access token of one complete flow', async () => {
    const context = callContext('req-9');
    await expect(flow.obtainToken('epoch_time', alice, context)).resolves.toBe('token-for-alice');
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

  it('refuses a redirect that carries an error', async () => {
    auth.redirect = (call) => ({
      state: call.state,
      iss: ISSUER,
      error: 'access_denied',
      errorDescription: 'no',
    });
    const err = await refusal();
    expect(err.detail).toBe('authorization error access_denied: no');
    expect(err.description).toBe('the authorization server gave an unusable answer');
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

  it('refuses a token whose type is not Bearer', async () => {
    auth.grant = (_code, scope) => ({ accessToken: 't', tokenType: 'DPoP', expiresIn: 5, scope });
    expect((await refusal()).detail).toBe('token_type DPoP');
  });

  it('accepts token_type bearer in any case (RFC 6749 5.1)', async () => {
    auth.grant = (_code, scope) => ({ accessToken: 't', tokenType: 'bearer', expiresIn: 5, scope });
    await expect(flow.obtainToken('current_time', alice, callContext())).resolves.toBe('t');
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
});
