import { RFC7636_CHALLENGE, T0 } from '../../test/support/fakes';
import type { AuthorizationGrant } from './code-store.port';
import { InMemoryCodeStore } from './in-memory-code.store';

const GRANT: AuthorizationGrant = {
  clientId: '1234',
  redirectUri: 'http://localhost:5003/callback',
  scope: 'current_time',
  username: 'alice',
  codeChallenge: RFC7636_CHALLENGE,
  expiresAt: T0 + 60,
};

describe('InMemoryCodeStore', () => {
  let now: number;
  let store: InMemoryCodeStore;

  beforeEach(async () => {
    now = T0;
    store = new InMemoryCodeStore(() => now, 60_000);
    await store.save('code-1', GRANT);
  });

  afterEach(() => store.onModuleDestroy());

  it('redeems a code once, recording the token id', async () => {
    expect(await store.consume('code-1', 'jti-1', T0)).toEqual({
      status: 'redeemed',
      grant: GRANT,
    });
  });

  it('reports a second redemption as a replay with the first token id', async () => {
    await store.consume('code-1', 'jti-1', T0);
    expect(await store.consume('code-1', 'jti-2', T0 + 1)).toEqual({
      status: 'replayed',
      grant: GRANT,
      issuedJti: 'jti-1',
    });
    expect(await store.consume('code-1', 'jti-3', T0 + 2)).toEqual({
      status: 'replayed',
      grant: GRANT,
      issuedJti: 'jti-1',
    });
  });

  it('does not know a code it never saved', async () => {
    expect(await store.peek('code-2', T0)).toBeUndefined();
    expect(await store.consume('code-2', 'jti-1', T0)).toEqual({ status: 'unknown' });
  });

  it('peeks without consuming, used or not', async () => {
    expect(await store.peek('code-1', T0)).toEqual(GRANT);
    expect((await store.consume('code-1', 'jti-1', T0)).status).toBe('redeemed');
    expect(await store.peek('code-1', T0)).toEqual(GRANT);
  });

  it('forgets a code at its expiry', async () => {
    expect(await store.peek('code-1', T0 + 59)).toEqual(GRANT);
    expect(await store.peek('code-1', T0 + 60)).toBeUndefined();
    expect(await store.consume('code-1', 'jti-1', T0 + 60)).toEqual({ status: 'unknown' });
  });

  it('keeps no code in the clear', () => {
    const keys = [...(store as unknown as { entries: Map<string, unknown> }).entries.keys()];
    expect(keys).toHaveLength(1);
    expect(keys[0]).not.toContain('code-1');
  });

  it('purges expired codes and only those', async () => {
    await store.save('code-2', { ...GRANT, expiresAt: T0 + 30 });
    await store.save('code-3', { ...GRANT, expiresAt: T0 + 31 });
    now = T0 + 30;
    store.purge();
    expect(store.size).toBe(2);
    expect(await store.peek('code-3', T0 + 30)).toBeDefined();
    now = T0 + 60;
    store.purge();
    expect(store.size).toBe(0);
  });

  it('purges on its own timer', async () => {
    jest.useFakeTimers();
    try {
      const timed = new InMemoryCodeStore(() => now, 1_000);
      await timed.save('code-1', GRANT);
      now = T0 + 60;
      jest.advanceTimersByTime(999);
      expect(timed.size).toBe(1);
      jest.advanceTimersByTime(1);
      expect(timed.size).toBe(0);
      timed.onModuleDestroy();
    } finally {
      jest.useRealTimers();
    }
  });

  it('forgets a used code once its token has expired, but still detects a replay before that', async () => {
    const store = new InMemoryCodeStore(() => now, 60_000, 6);
    await store.save('code-9', GRANT);
    await store.consume('code-9', 'jti-9', T0);
    now = T0 + 5;
    store.purge();
    expect(await store.consume('code-9', 'jti-10', T0 + 5)).toEqual({
      status: 'replayed',
      grant: GRANT,
      issuedJti: 'jti-9',
    });
    now = T0 + 6;
    store.purge();
    expect(store.size).toBe(0);
    expect(await store.consume('code-9', 'jti-11', T0 + 6)).toEqual({ status: 'unknown' });
    store.onModuleDestroy();
  });

  it('keeps an unused code until it expires', async () => {
    const store = new InMemoryCodeStore(() => now, 60_000, 6);
    await store.save('code-8', GRANT);
    now = T0 + 30;
    store.purge();
    expect(store.size).toBe(1);
    store.onModuleDestroy();
  });

  it('refuses a new code when full, after purging what it can', async () => {
    const store = new InMemoryCodeStore(() => now, 60_000, 6, 2);
    expect(await store.save('a', GRANT)).toBe(true);
    expect(await store.save('b', { ...GRANT, expiresAt: T0 + 10 })).toBe(true);
    expect(await store.save('c', GRANT)).toBe(false);
    now = T0 + 10;
    expect(await store.save('c', GRANT)).toBe(true);
    expect(store.size).toBe(2);
    store.onModuleDestroy();
  });
});
