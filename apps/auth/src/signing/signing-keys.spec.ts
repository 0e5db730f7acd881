import { StoreUnavailableError } from '@app/common';
import { InMemoryKeyDirectory } from '../stores/memory/in-memory-key.directory';
import { FakeClock, RecordedOutcome, T0, thrown } from '../../test/support/fakes';
import { type KeySet, loadKeySet } from './key-set';
import { SigningKeys, type SigningKeysOptions } from './signing-keys';

const OPTIONS: SigningKeysOptions = {
  tokenLifetimeSeconds: 6,
  rotationSeconds: 0,
  heartbeatSeconds: 10,
};

describe('SigningKeys', () => {
  let clock: FakeClock;
  let directory: InMemoryKeyDirectory;
  let outcome: RecordedOutcome;
  let keySet: KeySet;
  let keys: SigningKeys;

  const open = (options: Partial<SigningKeysOptions> = {}, set: KeySet = keySet): SigningKeys => {
    keys = new SigningKeys(set, directory, clock, outcome, { ...OPTIONS, ...options });
    return keys;
  };
  const kids = async (at = clock.now): Promise<string[]> =>
    (await directory.list(at)).map((jwk) => jwk.kid);
  /** Moves the clock and the heartbeat timer on together, one heartbeat at a time. */
  const heartbeats = async (count: number): Promise<void> => {
    for (let i = 0; i < count; i++) {
      clock.advance(10);
      await jest.advanceTimersByTimeAsync(10_000);
    }
  };

  beforeEach(() => {
    jest.useFakeTimers();
    clock = new FakeClock(T0);
    directory = new InMemoryKeyDirectory();
    outcome = new RecordedOutcome();
    keySet = loadKeySet();
  });

  afterEach(() => {
    keys.onModuleDestroy();
    jest.useRealTimers();
  });

  describe('publication', () => {
    it('signs nothing before the current key is published', () => {
      open();
      const error = thrown(() => keys.signingKey());
      expect(error).toBeInstanceOf(StoreUnavailableError);
      expect(error).toHaveProperty(
        'message',
        'keys store unavailable: the signing key is not published yet',
      );
      expect(keys.ready).toBe(false);
    });

    it('publishes the current key at start, for three heartbeats and a token lifetime', async () => {
      await open().onModuleInit();
      expect(keys.ready).toBe(true);
      expect(keys.signingKey()).toBe(keySet.current);
      expect(await directory.list(T0)).toEqual([keySet.current.jwk]);
      expect(await kids(T0 + 36)).toEqual([keySet.current.kid]);
      expect(await kids(T0 + 37)).toEqual([]);
    });

    it('publishes the previous key of the key set as well', async () => {
      const previous = loadKeySet().current;
      const set: KeySet = {
        current: keySet.current,
        verification: new Map([
          [keySet.current.kid, keySet.current],
          [previous.kid, previous],
        ]),
        generated: false,
      };
      await open({}, set).onModuleInit();
      expect((await kids()).sort()).toEqual([keySet.current.kid, previous.kid].sort());
      expect(keys.signingKey().kid).toBe(keySet.current.kid);
    });

    it('keeps the key listed by re-publishing it on every heartbeat', async () => {
      await open().onModuleInit();
      await heartbeats(3);
      expect(await kids(T0 + 30 + 36)).toEqual([keySet.current.kid]);
      expect(await kids(T0 + 30 + 37)).toEqual([]);
    });

    it('stops the heartbeat on module destroy', async () => {
      await open().onModuleInit();
      keys.onModuleDestroy();
      await heartbeats(3);
      expect(await kids(T0 + 37)).toEqual([]);
    });

    it('retries on the heartbeat when the directory cannot be reached, signing nothing meanwhile', async () => {
      jest.spyOn(directory, 'publish').mockRejectedValueOnce(new Error('connection refused'));
      await open().onModuleInit();

      expect(keys.ready).toBe(false);
      expect(thrown(() => keys.signingKey())).toBeInstanceOf(StoreUnavailableError);
      expect(outcome.events).toEqual([
        {
          kind: 'warn',
          event: 'signing_key_unpublished',
          fields: { detail: 'connection refused' },
        },
      ]);

      await heartbeats(1);
      expect(keys.ready).toBe(true);
      expect(keys.signingKey()).toBe(keySet.current);
      expect(await kids()).toEqual([keySet.current.kid]);
    });

    it('serves the directory’s list as the JWKS, keys of every replica included', async () => {
      const replica = loadKeySet().current;
      await directory.publish(replica.jwk, T0 + 100);
      await open().onModuleInit();
      expect(await keys.publicJwks()).toEqual(await directory.list(T0));
      expect((await keys.publicJwks()).map((jwk) => jwk.kid).sort()).toEqual(
        [keySet.current.kid, replica.kid].sort(),
      );
      clock.advance(101);
      expect((await keys.publicJwks()).map((jwk) => jwk.kid)).not.toContain(replica.kid);
    });
  });

  describe('rotation (KEY_ROTATION_SECONDS)', () => {
    it('never rotates with KEY_ROTATION_SECONDS=0', async () => {
      await open().onModuleInit();
      await heartbeats(20);
      expect(keys.signingKey()).toBe(keySet.current);
      expect(outcome.names).not.toContain('signing_key_rotated');
    });

    it('rotates once the period has passed, publishing the new key before signing with it', async () => {
      await open({ rotationSeconds: 60 }).onModuleInit();
      await heartbeats(5);
      expect(keys.signingKey().kid).toBe(keySet.current.kid);

      const publish = jest.spyOn(directory, 'publish');
      await heartbeats(1);

      const next = keys.signingKey();
      expect(next.kid).not.toBe(keySet.current.kid);
      expect(publish.mock.calls[0]?.[0]).toEqual(next.jwk);
      expect(outcome.events).toEqual([
        { kind: 'warn', event: 'signing_key_rotated', fields: { kid: next.kid } },
      ]);
      expect((await kids()).sort()).toEqual([keySet.current.kid, next.kid].sort());
      // Tokens of the rotated-out key still verify here.
      expect(await keys.verificationKey(keySet.current.kid)).toBe(keySet.current.publicKey);
    });

    it('drops a generated key from the JWKS once the last token it signed has expired', async () => {
      await open({ rotationSeconds: 60 }).onModuleInit();
      await heartbeats(6);
      const second = keys.signingKey();
      await heartbeats(6);
      const third = keys.signingKey();
      expect(third.kid).not.toBe(second.kid);
      // The second key signed until T0 + 120; its last re-publication, at T0 + 110, ran to
      // T0 + 110 + 36, past the life of those tokens (6 s).
      expect(await kids(T0 + 146)).toContain(second.kid);
      expect(await kids(T0 + 147)).not.toContain(second.kid);
      expect(await kids(T0 + 147)).toContain(third.kid);
    });

    it('drops the key it started with too, once rotated out and its tokens expired', async () => {
      await open({ rotationSeconds: 60 }).onModuleInit();
      const first = keys.signingKey();
      await heartbeats(6);
      expect(keys.signingKey().kid).not.toBe(first.kid);
      await heartbeats(60);
      expect(await kids()).not.toContain(first.kid);
    });

    it('never rotates a configured key (SIGNING_KEY_FILE)', async () => {
      await open({ rotationSeconds: 30 }, { ...keySet, generated: false }).onModuleInit();
      await heartbeats(12);
      expect(keys.signingKey().kid).toBe(keySet.current.kid);
      expect(outcome.names).toEqual([]);
    });

    it('keeps rotating: a new key every period', async () => {
      await open({ rotationSeconds: 30 }).onModuleInit();
      const seen = new Set<string>([keys.signingKey().kid]);
      for (let i = 0; i < 3; i++) {
        await heartbeats(3);
        seen.add(keys.signingKey().kid);
      }
      expect(seen.size).toBe(4);
      expect(outcome.names).toEqual([
        'signing_key_rotated',
        'signing_key_rotated',
        'signing_key_rotated',
      ]);
    });
  });

  describe('verificationKey', () => {
    it('knows its own keys without asking the directory', async () => {
      await open().onModuleInit();
      const list = jest.spyOn(directory, 'list');
      expect(await keys.verificationKey(keySet.current.kid)).toBe(keySet.current.publicKey);
      expect(list).not.toHaveBeenCalled();
    });

    it('finds the key of another replica in the directory, then keeps it', async () => {
      await open().onModuleInit();
      const replica = loadKeySet().current;
      await directory.publish(replica.jwk, T0 + 100);
      const list = jest.spyOn(directory, 'list');

      const found = await keys.verificationKey(replica.kid);

      expect(found?.export({ format: 'jwk' })).toEqual(replica.publicKey.export({ format: 'jwk' }));
      expect(list).toHaveBeenCalledTimes(1);
      clock.advance(500);
      expect(await keys.verificationKey(replica.kid)).toBe(found);
      expect(list).toHaveBeenCalledTimes(1);
    });

    it('asks the directory about unknown kids at most once a second', async () => {
      await open().onModuleInit();
      const list = jest.spyOn(directory, 'list');
      expect(await keys.verificationKey('unknown-1')).toBeUndefined();
      expect(await keys.verificationKey('unknown-2')).toBeUndefined();
      expect(list).toHaveBeenCalledTimes(1);

      const replica = loadKeySet().current;
      await directory.publish(replica.jwk, T0 + 100);
      expect(await keys.verificationKey(replica.kid)).toBeUndefined();
      expect(list).toHaveBeenCalledTimes(1);

      clock.advance(1);
      expect(await keys.verificationKey(replica.kid)).toBeDefined();
      expect(list).toHaveBeenCalledTimes(2);
    });

    it('takes only EC P-256 keys from the directory', async () => {
      await open().onModuleInit();
      const replica = loadKeySet().current;
      await directory.publish({ ...replica.jwk, crv: 'P-384' }, T0 + 100);
      expect(await keys.verificationKey(replica.kid)).toBeUndefined();
    });
  });
});
