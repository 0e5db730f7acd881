import { BadUpstreamAnswerError, LoginRequiredError } from '../errors/webapp.errors';
import { AuthorizationCodeFlow } from '../flow/authorization-code.flow';
import {
  FIXED_EPOCH,
  FIXED_TIME,
  FakeAuthServer,
  FakeResourceServer,
  callContext,
  fakeLogger,
  rejection,
  testConfig,
  thrown,
} from '../../test/support/fakes';
import { TimeService } from './time.service';

describe('TimeService', () => {
  let auth: FakeAuthServer;
  let resource: FakeResourceServer;
  let service: TimeService;

  beforeEach(() => {
    auth = new FakeAuthServer();
    resource = new FakeResourceServer();
    const config = testConfig({ defaultUser: 'demo', defaultPassword: 'demo-pw' });
    service = new TimeService(
      new AuthorizationCodeFlow(auth, config),
      resource,
      config,
      fakeLogger(),
    );
  });

  describe('callerOf', () => {
    it('runs for the configured default user when the caller sent no login', () => {
      expect(service.callerOf(undefined)).toEqual({ username: 'demo', password: 'demo-pw' });
    });

    it('runs for the user the caller named, with their password', () => {
      expect(service.callerOf({ username: 'alice', password: 'pw' })).toEqual({
        username: 'alice',
        password: 'pw',
      });
    });

    it('stands in a non-empty password when the caller sent none', () => {
      expect(service.callerOf({ username: 'alice', password: '' })).toEqual({
        username: 'alice',
        password: '-',
      });
    });

    it('refuses an empty username', () => {
      const err = thrown(() => service.callerOf({ username: '', password: 'x' }));
      expect(err).toBeInstanceOf(LoginRequiredError);
      expect((err as LoginRequiredError).description).toBe('the username must not be empty');
    });
  });

  describe('read', () => {
    it('runs a flow for the scope and reads the resource with its token', async () => {
      const context = callContext('req-5');
      await expect(
        service.read('epoch_time', { username: 'alice', password: 'pw' }, context),
      ).resolves.toEqual({ scope: 'epoch_time', epochTime: FIXED_EPOCH, user: 'alice' });
      expect(auth.authorizeCalls[0]?.call.scope).toBe('epoch_time');
      expect(resource.calls).toEqual([
        { scope: 'epoch_time', accessToken: 'token-for-alice', context },
      ]);
    });

    it('gets a new token for every call', async () => {
      const caller = { username: 'alice', password: 'pw' };
      await service.read('current_time', caller, callContext());
      await service.read('current_time', caller, callContext());
      expect(auth.authorizeCalls).toHaveLength(2);
      expect(auth.exchangeCalls).toHaveLength(2);
    });

    it('refuses an answer for another user', async () => {
      resource.user = 'mallory';
      const err = await rejection(
        service.read('current_time', { username: 'alice', password: 'pw' }, callContext()),
      );
      expect(err).toBeInstanceOf(BadUpstreamAnswerError);
      expect((err as BadUpstreamAnswerError).detail).toBe('the answer is for another user');
      expect((err as BadUpstreamAnswerError).upstream).toBe('resource');
    });

    it('returns the current time as the resource server gave it', async () => {
      await expect(
        service.read('current_time', { username: 'bob', password: 'pw' }, callContext()),
      ).resolves.toEqual({ scope: 'current_time', currentTime: FIXED_TIME, user: 'bob' });
    });
  });
});
