import type { BasicAuthResult } from '@app/common';
import { LIMITS } from '@app/contracts';
import { BadUpstreamAnswerError, LoginRequiredError } from '../errors/webapp.errors';
import { AuthorizationCodeFlow } from '../flow/authorization-code.flow';
import {
  FIXED_EPOCH,
  FIXED_TIME,
  FakeAuthServer,
  FakeResourceServer,
  RecordedOutcome,
  rejection,
  testConfig,
} from '../../test/support/fakes';
import { TimeService } from './time.service';

const login = (username: string, password: string): BasicAuthResult => ({
  kind: 'credentials',
  credentials: { username, password },
});
const ABSENT: BasicAuthResult = { kind: 'absent' };

describe('TimeService', () => {
  let auth: FakeAuthServer;
  let resource: FakeResourceServer;
  let outcome: RecordedOutcome;
  let service: TimeService;

  beforeEach(() => {
    auth = new FakeAuthServer();
    resource = new FakeResourceServer();
    outcome = new RecordedOutcome();
    const config = testConfig({
      defaultUser: 'demo',
      defaultPassword: 'demo-pw',
      upstreamTimeoutMs: 1_000,
    });
    service = new TimeService(new AuthorizationCodeFlow(auth, config), resource, outcome, config);
  });

  describe('who the flow runs for', () => {
    it('runs for the configured default user when the caller sent no login', async () => {
      await expect(service.read('current_time', ABSENT, 'r-1')).resolves.toEqual({
        current_time: FIXED_TIME,
        user: 'demo',
      });
      expect(auth.authorizeCalls[0]?.call).toMatchObject({ username: 'demo', password: 'demo-pw' });
    });

    it('runs for the user the caller named, with their password', async () => {
      await service.read('current_time', login('alice', 'pw'), 'r-1');
      expect(auth.authorizeCalls[0]?.call).toMatchObject({ username: 'alice', password: 'pw' });
    });

    it('stands in a non-empty password when the caller sent none', async () => {
      await service.read('current_time', login('alice', ''), 'r-1');
      expect(auth.authorizeCalls[0]?.call).toMatchObject({ username: 'alice', password: '-' });
    });

    it(`accepts a username of ${LIMITS.username} characters`, async () => {
      const name = 'u'.repeat(LIMITS.username);
      await expect(service.read('epoch_time', login(name, 'pw'), 'r-1')).resolves.toEqual({
        epoch_time: FIXED_EPOCH,
        user: name,
      });
    });

    it.each([
      ['an empty username', login('', 'x'), 'the username must not be empty'],
      [
        'a username longer than any the stack accepts',
        login('u'.repeat(LIMITS.username + 1), 'x'),
        `the username must be at most ${LIMITS.username} characters`,
      ],
      [
        'Basic credentials that cannot be read',
        { kind: 'malformed' },
        'the Basic credentials cannot be read',
      ],
    ] as const)('refuses %s before any call', async (_case, credentials, description) => {
      const err = await rejection(service.read('current_time', credentials, 'r-1'));
      expect(err).toBeInstanceOf(LoginRequiredError);
      expect((err as LoginRequiredError).description).toBe(description);
      expect(auth.authorizeCalls).toHaveLength(0);
      expect(outcome.identity).toEqual({});
    });
  });

  describe('read', () => {
    it('runs a flow for the scope and reads the resource with its token, under one context', async () => {
      await expect(service.read('epoch_time', login('alice', 'pw'), 'req-5')).resolves.toEqual({
        epoch_time: FIXED_EPOCH,
        user: 'alice',
      });
      expect(auth.authorizeCalls[0]?.call.scope).toBe('epoch_time');
      expect(resource.calls).toEqual([
        {
          scope: 'epoch_time',
          token: { value: 'token-for-alice', type: 'Bearer' },
          context: expect.objectContaining({ requestId: 'req-5' }) as unknown,
        },
      ]);
      const contexts = [
        auth.authorizeCalls[0]?.context,
        auth.exchangeCalls[0]?.context,
        resource.calls[0]?.context,
      ];
      expect(new Set(contexts).size).toBe(1);
    });

    it('names the client and the user for the request log and records flow_completed', async () => {
      await service.read('current_time', login('alice', 'pw'), 'r-1');
      expect(outcome.identity).toEqual({ client_id: '1234', user: 'alice' });
      expect(outcome.events).toEqual([
        { kind: 'record', event: 'flow_completed', fields: { scope: 'current_time' } },
      ]);
    });

    it('gets a new token for every call', async () => {
      await service.read('current_time', login('alice', 'pw'), 'r-1');
      await service.read('current_time', login('alice', 'pw'), 'r-2');
      expect(auth.authorizeCalls).toHaveLength(2);
      expect(auth.exchangeCalls).toHaveLength(2);
    });

    it('refuses an answer for another user, and records no completed flow', async () => {
      resource.user = 'mallory';
      const err = await rejection(service.read('current_time', login('alice', 'pw'), 'r-1'));
      expect(err).toBeInstanceOf(BadUpstreamAnswerError);
      expect(err).toMatchObject({ upstream: 'resource', detail: 'the answer is for another user' });
      expect(outcome.names).toEqual([]);
    });

    it('passes on what a call throws', async () => {
      const failure = new Error('down');
      resource.failure = failure;
      await expect(service.read('current_time', login('alice', 'pw'), 'r-1')).rejects.toBe(failure);
    });
  });

  describe('the deadline (UPSTREAM_TIMEOUT_MS for the whole flow)', () => {
    beforeEach(() => {
      jest.useFakeTimers();
    });

    afterEach(() => {
      jest.useRealTimers();
    });

    it('aborts every call of the flow with a TimeoutError once UPSTREAM_TIMEOUT_MS has passed', async () => {
      // The resource server hangs until the signal aborts, as a real client does.
      resource.fetch = (_scope, _token, context) =>
        new Promise((_resolve, reject) => {
          context.signal.addEventListener('abort', () => reject(context.signal.reason as Error));
        });
      const pending = rejection(service.read('current_time', login('alice', 'pw'), 'r-1'));
      await jest.advanceTimersByTimeAsync(999);
      const signal = auth.authorizeCalls[0]?.context.signal;
      expect(signal?.aborted).toBe(false);
      await jest.advanceTimersByTimeAsync(1);
      expect(signal?.aborted).toBe(true);
      const err = await pending;
      expect(err).toMatchObject({ name: 'TimeoutError', message: 'deadline of 1000 ms passed' });
    });

    it('clears the deadline when the flow ends, so that no timer outlives the request', async () => {
      await service.read('current_time', login('alice', 'pw'), 'r-1');
      const signal = auth.authorizeCalls[0]?.context.signal;
      expect(jest.getTimerCount()).toBe(0);
      await jest.advanceTimersByTimeAsync(5_000);
      expect(signal?.aborted).toBe(false);
    });

    it('clears the deadline when the flow fails too', async () => {
      auth.failure = new Error('down');
      await rejection(service.read('current_time', login('alice', 'pw'), 'r-1'));
      expect(jest.getTimerCount()).toBe(0);
    });
  });
});
