import type {
  AuthorizationGrant,
  CodeStore,
  CodeStoreLimits,
  ConsumeResult,
} from './code-store.port';

/** A fresh, empty store behind one or more handles, and how to take it down. */
export interface CodeStoreFixture {
  /**
   * Handles on one shared store (one per connection for Redis, one for memory); concurrent calls
   * are spread over all of them, as replicas would make them.
   */
  stores: [CodeStore, ...CodeStore[]];
  /** The time the suite counts from, epoch seconds (the adapter's clock reads it too). */
  now: number;
  close(): Promise<void>;
}

export type MakeCodeStore = (limits: CodeStoreLimits) => Promise<CodeStoreFixture>;

export const CONTRACT_LIMITS: CodeStoreLimits = {
  quotaPerOwner: 3,
  keepUsedSeconds: 10,
  capacity: 10_000,
};

/** The behaviour `CodeStore` documents, for any adapter: the same cases, unchanged, for each. */
export function describeCodeStore(make: MakeCodeStore): void {
  describe('CodeStore contract', () => {
    let fixture: CodeStoreFixture | undefined;
    let stores: CodeStore[];
    let store: CodeStore;
    let t0: number;

    /** A fresh store with `limits` in place of the contract's (closing the one before). */
    async function open(limits: Partial<CodeStoreLimits> = {}): Promise<void> {
      await fixture?.close();
      fixture = await make({ ...CONTRACT_LIMITS, ...limits });
      stores = fixture.stores;
      store = fixture.stores[0];
      t0 = fixture.now;
    }

    /** Handle `i` of the store, round robin. */
    function handle(i: number): CodeStore {
      return stores[i % stores.length] ?? store;
    }

    function grant(overrides: Partial<AuthorizationGrant> = {}): AuthorizationGrant {
      return {
        clientId: '1234',
        redirectUri: 'http://localhost:5003/callback',
        scope: 'current_time',
        username: 'alice',
        codeChallenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
        expiresAt: t0 + 60,
        owner: 'address:192.0.2.1',
        ...overrides,
      };
    }

    beforeEach(async () => open());
    afterEach(async () => {
      await fixture?.close();
      fixture = undefined;
    });

    it('redeems a saved code once, with the grant it was saved with', async () => {
      const saved = grant({ dpopJkt: '0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I' });
      expect(await store.save('code-1', saved, t0)).toBe('saved');
      expect(await handle(1).consume('code-1', '1234', 'jti-1', t0 + 1)).toStrictEqual({
        status: 'redeemed',
        grant: saved,
      });
    });

    it('keeps a grant without a DPoP binding without one', async () => {
      await store.save('code-1', grant(), t0);
      const result = await store.consume('code-1', '1234', 'jti-1', t0);
      expect(result).toStrictEqual({ status: 'redeemed', grant: grant() });
    });

    it('answers every later redemption as a replay naming the first jti', async () => {
      await store.save('code-1', grant(), t0);
      await store.consume('code-1', '1234', 'jti-1', t0 + 1);
      const replay: ConsumeResult = { status: 'replayed', grant: grant(), issuedJti: 'jti-1' };
      expect(await handle(1).consume('code-1', '1234', 'jti-2', t0 + 2)).toStrictEqual(replay);
      expect(await store.consume('code-1', '1234', 'jti-3', t0 + 3)).toStrictEqual(replay);
    });

    it('refuses a code to another client and leaves it redeemable by its own', async () => {
      await store.save('code-1', grant(), t0);
      expect(await store.consume('code-1', 'other', 'jti-x', t0 + 1)).toStrictEqual({
        status: 'other_client',
      });
      expect(await store.consume('code-1', '1234', 'jti-1', t0 + 2)).toStrictEqual({
        status: 'redeemed',
        grant: grant(),
      });
    });

    it('answers a used code presented by another client as other_client, not as a replay', async () => {
      await store.save('code-1', grant(), t0);
      expect((await store.consume('code-1', '1234', 'jti-1', t0 + 1)).status).toBe('redeemed');
      // A replay would revoke the first token: another client must not be able to cause that.
      expect(await store.consume('code-1', 'other', 'jti-x', t0 + 2)).toStrictEqual({
        status: 'other_client',
      });
      expect(await store.consume('code-1', '1234', 'jti-2', t0 + 3)).toStrictEqual({
        status: 'replayed',
        grant: grant(),
        issuedJti: 'jti-1',
      });
    });

    it('does not know a code it never saved, nor one saved under another value', async () => {
      await store.save('code-1', grant(), t0);
      expect(await store.consume('code-2', '1234', 'jti-1', t0)).toStrictEqual({
        status: 'unknown',
      });
      expect(await store.consume('CODE-1', '1234', 'jti-1', t0)).toStrictEqual({
        status: 'unknown',
      });
    });

    it('redeems a code until the second before expiresAt, and not from expiresAt on', async () => {
      await store.save('code-1', grant(), t0);
      await store.save('code-2', grant(), t0);
      expect((await store.consume('code-1', '1234', 'jti-1', t0 + 59)).status).toBe('redeemed');
      expect(await store.consume('code-2', '1234', 'jti-2', t0 + 60)).toStrictEqual({
        status: 'unknown',
      });
    });

    it('answers an expired code as unknown to another client too', async () => {
      await store.save('code-1', grant(), t0);
      expect(await store.consume('code-1', 'other', 'jti-x', t0 + 60)).toStrictEqual({
        status: 'unknown',
      });
    });

    it('remembers a used code keepUsedSeconds after redemption, past its expiry, then forgets it', async () => {
      await store.save('code-1', grant({ expiresAt: t0 + 5 }), t0);
      await store.consume('code-1', '1234', 'jti-1', t0 + 4);
      // forgetAt = t0 + 4 + keepUsedSeconds (10) = t0 + 14; the code itself expired at t0 + 5.
      expect(await store.consume('code-1', '1234', 'jti-2', t0 + 13)).toStrictEqual({
        status: 'replayed',
        grant: grant({ expiresAt: t0 + 5 }),
        issuedJti: 'jti-1',
      });
      expect(await store.consume('code-1', '1234', 'jti-3', t0 + 14)).toStrictEqual({
        status: 'unknown',
      });
    });

    it('refuses an owner its quota-th + 1 code, and nobody else', async () => {
      for (const code of ['a', 'b', 'c']) expect(await store.save(code, grant(), t0)).toBe('saved');
      expect(await store.save('d', grant(), t0)).toBe('quota_exceeded');
      expect(await handle(1).save('d', grant(), t0)).toBe('quota_exceeded');
      expect(await store.save('e', grant({ owner: 'address:192.0.2.2' }), t0)).toBe('saved');
      // The refused code was not stored.
      expect(await store.consume('d', '1234', 'jti-d', t0)).toStrictEqual({ status: 'unknown' });
    });

    it('frees a quota slot when a code is redeemed, not when another client is refused', async () => {
      for (const code of ['a', 'b', 'c']) await store.save(code, grant(), t0);
      expect((await store.consume('a', 'other', 'jti-x', t0)).status).toBe('other_client');
      expect(await store.save('d', grant(), t0)).toBe('quota_exceeded');
      expect((await store.consume('a', '1234', 'jti-a', t0)).status).toBe('redeemed');
      expect(await store.save('d', grant(), t0)).toBe('saved');
      expect(await store.save('e', grant(), t0)).toBe('quota_exceeded');
      // A replay of the used code does not free a second slot.
      expect((await store.consume('a', '1234', 'jti-a2', t0)).status).toBe('replayed');
      expect(await store.save('e', grant(), t0)).toBe('quota_exceeded');
    });

    it('frees a quota slot when a code expires', async () => {
      await store.save('a', grant({ expiresAt: t0 + 10 }), t0);
      await store.save('b', grant(), t0);
      await store.save('c', grant(), t0);
      expect(await store.save('d', grant(), t0 + 9)).toBe('quota_exceeded');
      expect(await store.save('d', grant(), t0 + 10)).toBe('saved');
      expect(await store.save('e', grant(), t0 + 10)).toBe('quota_exceeded');
    });

    it('redeems a code once of 100 parallel redemptions; the 99 others replay its jti', async () => {
      await open({ quotaPerOwner: 1_000 });
      await store.save('raced', grant(), t0);
      const results = await Promise.all(
        Array.from({ length: 100 }, (_, i) => handle(i).consume('raced', '1234', `jti-${i}`, t0)),
      );
      const redeemed = results.flatMap((r, i) => (r.status === 'redeemed' ? [`jti-${i}`] : []));
      expect(redeemed).toHaveLength(1);
      const replays = results.filter((r) => r.status === 'replayed');
      expect(replays).toHaveLength(99);
      for (const replay of replays) {
        expect(replay).toStrictEqual({
          status: 'replayed',
          grant: grant(),
          issuedJti: redeemed[0],
        });
      }
    });

    it('redeems each of 50 codes raced by 4 callers exactly once', async () => {
      await open({ quotaPerOwner: 1_000 });
      const codes = Array.from({ length: 50 }, (_, i) => `code-${i}`);
      await Promise.all(codes.map((code, i) => handle(i).save(code, grant(), t0)));
      const attempts = codes.flatMap((code) =>
        [0, 1, 2, 3].map((caller) => ({ code, jti: `${code}/jti-${caller}`, caller })),
      );
      const results = await Promise.all(
        attempts.map(async (a) => ({
          ...a,
          result: await handle(a.caller).consume(a.code, '1234', a.jti, t0),
        })),
      );
      for (const code of codes) {
        const mine = results.filter((r) => r.code === code);
        const winners = mine.filter((r) => r.result.status === 'redeemed');
        expect(winners).toHaveLength(1);
        const others = mine.filter((r) => r.result.status === 'replayed');
        expect(others.map((r) => r.result)).toStrictEqual(
          Array.from({ length: 3 }, () => ({
            status: 'replayed',
            grant: grant(),
            issuedJti: winners[0]?.jti,
          })),
        );
      }
    });
  });
}
