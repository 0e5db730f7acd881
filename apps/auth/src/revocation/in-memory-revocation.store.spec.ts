import { T0 } from '../../test/support/fakes';
import { InMemoryRevocationStore } from './in-memory-revocation.store';

describe('InMemoryRevocationStore', () => {
  let now: number;
  let store: InMemoryRevocationStore;

  beforeEach(() => {
    now = T0;
    store = new InMemoryRevocationStore(() => now, 60_000);
  });

  afterEach(() => store.onModuleDestroy());

  it('reports a revoked token id as revoked, and only that one', async () => {
    await store.revoke('jti-1', T0 + 5);
    expect(await store.isRevoked('jti-1')).toBe(true);
    expect(await store.isRevoked('jti-2')).toBe(false);
  });

  it('keeps a revocation until one second past the expiry', async () => {
    await store.revoke('jti-1', T0 + 5);
    now = T0 + 6;
    store.purge();
    expect(await store.isRevoked('jti-1')).toBe(true);
    now = T0 + 7;
    store.purge();
    expect(await store.isRevoked('jti-1')).toBe(false);
    expect(store.size).toBe(0);
  });

  it('never shortens a revocation', async () => {
    await store.revoke('jti-1', T0 + 20);
    await store.revoke('jti-1', T0 + 5);
    now = T0 + 10;
    store.purge();
    expect(await store.isRevoked('jti-1')).toBe(true);
    expect(store.size).toBe(1);
  });

  it('purges only what has expired', async () => {
    await store.revoke('jti-1', T0 + 5);
    await store.revoke('jti-2', T0 + 50);
    now = T0 + 10;
    store.purge();
    expect([await store.isRevoked('jti-1'), await store.isRevoked('jti-2')]).toEqual([false, true]);
  });
});
