import type { PublicJwk } from '@app/contracts';
import type { KeyDirectory } from './key-directory.port';

/** A fresh, empty directory behind one or more handles, and how to take it down. */
export interface KeyDirectoryFixture {
  /** Handles on one shared directory (one per connection for Redis, one for memory). */
  directories: [KeyDirectory, ...KeyDirectory[]];
  /** The time the suite counts from, epoch seconds. */
  now: number;
  close(): Promise<void>;
}

export type MakeKeyDirectory = () => Promise<KeyDirectoryFixture>;

/** An EC P-256 public JWK named `kid`, as a replica would publish it. */
export function jwk(kid: string): PublicJwk {
  return {
    kty: 'EC',
    crv: 'P-256',
    x: 'f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU',
    y: 'x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0',
    kid,
    use: 'sig',
    alg: 'ES256',
  };
}

/** The behaviour `KeyDirectory` documents, for any adapter: the same cases, unchanged, for each. */
export function describeKeyDirectory(make: MakeKeyDirectory): void {
  describe('KeyDirectory contract', () => {
    let fixture: KeyDirectoryFixture;
    let directory: KeyDirectory;
    let other: KeyDirectory;
    let t0: number;

    beforeEach(async () => {
      fixture = await make();
      directory = fixture.directories[0];
      other = fixture.directories[1] ?? directory;
      t0 = fixture.now;
    });
    afterEach(async () => fixture.close());

    it('lists nothing before anything is published', async () => {
      expect(await directory.list(t0)).toStrictEqual([]);
    });

    it('lists a published key to every handle, as published', async () => {
      await directory.publish(jwk('key-a'), t0 + 60);
      expect(await other.list(t0)).toStrictEqual([jwk('key-a')]);
      expect(await directory.list(t0 + 60)).toStrictEqual([jwk('key-a')]);
    });

    it('stops listing a key after its until', async () => {
      await directory.publish(jwk('key-a'), t0 + 60);
      await directory.publish(jwk('key-b'), t0 + 30);
      expect(await directory.list(t0 + 31)).toStrictEqual([jwk('key-a')]);
      expect(await other.list(t0 + 61)).toStrictEqual([]);
      // Pruned: going back in time does not bring them back.
      expect(await directory.list(t0)).toStrictEqual([]);
    });

    it('moves until later when a key is published again, never earlier', async () => {
      await directory.publish(jwk('key-a'), t0 + 10);
      await other.publish(jwk('key-a'), t0 + 20);
      expect(await directory.list(t0 + 15)).toStrictEqual([jwk('key-a')]);
      await directory.publish(jwk('key-a'), t0 + 5);
      expect(await directory.list(t0 + 20)).toStrictEqual([jwk('key-a')]);
      expect(await directory.list(t0 + 21)).toStrictEqual([]);
    });

    it('lists keys in one stable order, whatever the order and timing of publication', async () => {
      await directory.publish(jwk('key-c'), t0 + 30);
      await other.publish(jwk('key-a'), t0 + 10);
      await directory.publish(jwk('key-b'), t0 + 20);
      const sorted = [jwk('key-a'), jwk('key-b'), jwk('key-c')];
      expect(await directory.list(t0)).toStrictEqual(sorted);
      await directory.publish(jwk('key-a'), t0 + 40);
      expect(await other.list(t0)).toStrictEqual(sorted);
    });
  });
}
