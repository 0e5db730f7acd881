import { InsufficientScopeError, InvalidTokenError } from '../errors/resource.errors';
import {
  FakeVerifier,
  fakeLogger,
  rejection,
  testConfig,
  verifiedToken,
} from '../../test/support/fakes';
import { BearerService } from './bearer.service';

describe('BearerService', () => {
  let verifier: FakeVerifier;
  let service: BearerService;

  beforeEach(() => {
    verifier = new FakeVerifier();
    service = new BearerService(verifier, testConfig(), fakeLogger());
  });

  it('lets a token for this server, from the webapp, with the scope in as its subject', async () => {
    verifier.tokens.set('t', verifiedToken());
    await expect(service.authorize('t', 'current_time', { requestId: 'r-1' })).resolves.toEqual({
      user: 'alice',
      clientId: '1234',
    });
    expect(verifier.calls).toEqual([{ token: 't', context: { requestId: 'r-1' } }]);
  });

  it('accepts a token whose audience lists this server among others', async () => {
    verifier.tokens.set(
      't',
      verifiedToken({ audience: ['http://elsewhere', 'http://localhost:5002'] }),
    );
    await expect(service.authorize('t', 'current_time', { requestId: 'r' })).resolves.toEqual({
      user: 'alice',
      clientId: '1234',
    });
  });

  it('refuses a token meant for another server as invalid_token', async () => {
    verifier.tokens.set('t', verifiedToken({ audience: ['http://localhost:5009'] }));
    const err = await rejection(service.authorize('t', 'current_time', { requestId: 'r' }));
    expect(err).toBeInstanceOf(InvalidTokenError);
    expect((err as InvalidTokenError).description).toBe(
      'the access token is not meant for this server',
    );
  });

  it('refuses a token issued to a client it does not accept', async () => {
    verifier.tokens.set('t', verifiedToken({ clientId: 'intruder' }));
    const err = await rejection(service.authorize('t', 'current_time', { requestId: 'r' }));
    expect(err).toBeInstanceOf(InvalidTokenError);
    expect((err as InvalidTokenError).detail).toBe('client_id intruder');
  });

  it('accepts the clients of ALLOWED_CLIENT_IDS instead of the webapp when configured', async () => {
    service = new BearerService(
      verifier,
      testConfig({ allowedClientIds: ['other'] }),
      fakeLogger(),
    );
    verifier.tokens.set('webapp', verifiedToken());
    verifier.tokens.set('other', verifiedToken({ clientId: 'other' }));
    await expect(service.authorize('other', 'current_time', { requestId: 'r' })).resolves.toEqual({
      user: 'alice',
      clientId: 'other',
    });
    await expect(
      service.authorize('webapp', 'current_time', { requestId: 'r' }),
    ).rejects.toBeInstanceOf(InvalidTokenError);
  });

  it('refuses a token that names no user', async () => {
    verifier.tokens.set('t', verifiedToken({ subject: '' }));
    const err = await rejection(service.authorize('t', 'current_time', { requestId: 'r' }));
    expect(err).toBeInstanceOf(InvalidTokenError);
    expect((err as InvalidTokenError).description).toBe('the access token names no user');
  });

  it('refuses a token without the endpoint scope as insufficient_scope, naming the scope', async () => {
    verifier.tokens.set('t', verifiedToken({ scopes: ['current_time'] }));
    const err = await rejection(service.authorize('t', 'epoch_time', { requestId: 'r' }));
    expect(err).toBeInstanceOf(InsufficientScopeError);
    expect((err as InsufficientScopeError).scope).toBe('epoch_time');
    expect((err as InsufficientScopeError).description).toBe(
      'this endpoint needs the scope epoch_time',
    );
  });

  it('passes on what the verifier throws', async () => {
    const failure = new InvalidTokenError('the access token is not active');
    verifier.tokens.set('t', failure);
    await expect(service.authorize('t', 'current_time', { requestId: 'r' })).rejects.toBe(failure);
  });
});
