import { generateKeyPairSync } from 'node:crypto';
import { StoreUnavailableError } from '@app/common';
import type { AccessTokenClaims } from '@app/contracts';
import { InMemoryKeyDirectory } from '../stores/memory/in-memory-key.directory';
import { FakeClock, RecordedOutcome, T0, claimsFor, thrown } from '../../test/support/fakes';
import { compactJws, decodeJws, es256, hs256, unsigned } from '../../../../libs/common/test/jws';
import { JwtAccessTokens } from './jwt-access-tokens';
import { type KeySet, loadKeySet } from './key-set';
import { SigningKeys } from './signing-keys';

const ISSUER = 'http://localhost:5001';
const OPTIONS = { tokenLifetimeSeconds: 6, rotationSeconds: 0, heartbeatSeconds: 10 };

describe('JwtAccessTokens', () => {
  const clock = new FakeClock(T0);
  const directory = new InMemoryKeyDirectory();
  const keySet = loadKeySet();
  const kid = keySet.current.kid;
  const opened: SigningKeys[] = [];
  // The clock only moves forward here: a kid it does not know is looked up at most once a
  // second, so each test that needs a lookup moves it on by a second first.
  let keys: SigningKeys;
  let tokens: JwtAccessTokens;
  const claims: AccessTokenClaims = claimsFor({ iat: T0, exp: T0 + 5, jti: 'jti-1' });
  const header = { alg: 'ES256', typ: 'at+jwt', kid };

  /** The signing keys of one replica, published in the shared directory. */
  const replica = async (set: KeySet, rotationSeconds = 0): Promise<SigningKeys> => {
    const replicaKeys = new SigningKeys(set, directory, clock, new RecordedOutcome(), {
      ...OPTIONS,
      rotationSeconds,
    });
    opened.push(replicaKeys);
    await replicaKeys.onModuleInit();
    return replicaKeys;
  };

  /** A token made by hand exactly as the server makes it, then changed as each test says. */
  const forge = (
    headerChanges: object = {},
    claimChanges: object = {},
    signer = es256(keySet.current.privateKey),
  ): string => compactJws({ ...header, ...headerChanges }, { ...claims, ...claimChanges }, signer);

  beforeAll(async () => {
    keys = await replica(keySet);
    tokens = new JwtAccessTokens(keys, ISSUER, 0);
  });

  afterAll(() => {
    for (const each of opened) each.onModuleDestroy();
  });

  describe('sign', () => {
    it('round-trips: what it signs, it verifies to the same claims', async () => {
      expect(await tokens.verify(tokens.sign(claims), T0)).toEqual(claims);
    });

    it('writes an RFC 9068 header: typ at+jwt, alg ES256, kid of the published key', async () => {
      const { header: written } = decodeJws(tokens.sign(claims));
      expect(written).toEqual({ alg: 'ES256', typ: 'at+jwt', kid });
      expect((await keys.publicJwks()).map((jwk) => jwk.kid)).toContain(kid);
    });

    it('writes the claims and nothing else', () => {
      expect(decodeJws(tokens.sign(claims)).payload).toEqual({ ...claims });
    });

    it('writes the confirmation of a DPoP-bound token', () => {
      const bound = { ...claims, cnf: { jkt: 'a'.repeat(43) } };
      expect(decodeJws(tokens.sign(bound)).payload).toEqual(bound);
    });

    it('signs nothing while its key is not published', () => {
      const unpublished = new SigningKeys(
        loadKeySet(),
        directory,
        clock,
        new RecordedOutcome(),
        OPTIONS,
      );
      const error = thrown(() => new JwtAccessTokens(unpublished, ISSUER, 0).sign(claims));
      expect(error).toBeInstanceOf(StoreUnavailableError);
    });

    it('publishes only public key material', async () => {
      expect((await keys.publicJwks()).find((jwk) => jwk.kid === kid)).toEqual({
        kty: 'EC',
        crv: 'P-256',
        x: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
        y: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
        kid,
        use: 'sig',
        alg: 'ES256',
      });
    });
  });

  describe('verify', () => {
    it('accepts a token forged exactly like its own (the control for the cases below)', async () => {
      expect(await tokens.verify(forge(), T0)).toEqual(claims);
    });

    it('accepts typ application/at+jwt (RFC 9068 2.1)', async () => {
      expect(await tokens.verify(forge({ typ: 'application/at+jwt' }), T0)).toEqual(claims);
    });

    it('accepts a DPoP-bound token with its confirmation', async () => {
      const cnf = { jkt: 'a'.repeat(43) };
      expect(await tokens.verify(forge({}, { cnf }), T0)).toEqual({ ...claims, cnf });
    });

    it('rejects alg none', async () => {
      expect(await tokens.verify(forge({ alg: 'none' }, {}, unsigned), T0)).toBeUndefined();
    });

    it('rejects HS256 signed with the public key’s PEM as the secret', async () => {
      const pem = keySet.current.publicKey.export({ type: 'spki', format: 'pem' });
      expect(await tokens.verify(forge({ alg: 'HS256' }, {}, hs256(pem)), T0)).toBeUndefined();
    });

    it('rejects HS256 signed with the public JWK as the secret', async () => {
      const jwk = JSON.stringify(keySet.current.jwk);
      expect(await tokens.verify(forge({ alg: 'HS256' }, {}, hs256(jwk)), T0)).toBeUndefined();
    });

    it('rejects a tampered payload', async () => {
      const [head, , signature] = tokens.sign(claims).split('.');
      const payload = Buffer.from(JSON.stringify({ ...claims, sub: 'mallory' })).toString(
        'base64url',
      );
      expect(await tokens.verify(`${head}.${payload}.${signature}`, T0)).toBeUndefined();
    });

    it('rejects a token signed by a foreign P-256 key under the known kid', async () => {
      const foreign = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
      expect(await tokens.verify(forge({}, {}, es256(foreign)), T0)).toBeUndefined();
    });

    it('rejects an unknown kid', async () => {
      clock.advance(1);
      expect(await tokens.verify(forge({ kid: 'someone-else' }), T0)).toBeUndefined();
    });

    it('rejects a token without kid', async () => {
      expect(await tokens.verify(forge({ kid: undefined }), T0)).toBeUndefined();
    });

    it('accepts a token one second before exp and rejects it at exp exactly', async () => {
      const token = tokens.sign(claims);
      expect(await tokens.verify(token, T0 + 4)).toEqual(claims);
      expect(await tokens.verify(token, T0 + 5)).toBeUndefined();
    });

    it('tolerates the configured leeway past exp, and no more', async () => {
      const lenient = new JwtAccessTokens(keys, ISSUER, 2);
      const token = tokens.sign(claims);
      expect(await lenient.verify(token, T0 + 6)).toEqual(claims);
      expect(await lenient.verify(token, T0 + 7)).toBeUndefined();
    });

    it('rejects a token of another issuer', async () => {
      expect(await tokens.verify(forge({}, { iss: 'http://evil.example' }), T0)).toBeUndefined();
      const elsewhere = new JwtAccessTokens(keys, 'http://auth:5001', 0);
      expect(await elsewhere.verify(tokens.sign(claims), T0)).toBeUndefined();
    });

    it.each([
      ['typ JWT', { typ: 'JWT' }],
      ['no typ', { typ: undefined }],
      ['typ at+jwt with a suffix', { typ: 'at+jwtx' }],
    ])('rejects %s', async (_name, changes) => {
      expect(await tokens.verify(forge(changes), T0)).toBeUndefined();
    });

    it.each([
      ['an empty sub', { sub: '' }],
      ['no sub', { sub: undefined }],
      ['a scope that opens both endpoints', { scope: 'current_time epoch_time' }],
      ['no jti', { jti: undefined }],
      ['no client_id', { client_id: undefined }],
      ['an aud list', { aud: ['http://localhost:5002'] }],
      ['a fractional iat', { iat: T0 + 0.5 }],
      ['a confirmation without jkt', { cnf: { x5t: 'x' } }],
    ])('rejects a well-signed token with %s', async (_name, changes) => {
      expect(await tokens.verify(forge({}, changes), T0)).toBeUndefined();
    });

    it.each(['', 'garbage', 'a.b.c', '.e30.', `${'a'.repeat(4097)}.e30.sig`])(
      'rejects %p',
      async (token) => {
        expect(await tokens.verify(token, T0)).toBeUndefined();
      },
    );
  });

  describe('keys of other replicas and rotated keys', () => {
    it('accepts tokens of a previous key still in the key set', async () => {
      const previous = loadKeySet();
      const rotated: KeySet = {
        current: keySet.current,
        verification: new Map([...keySet.verification, ...previous.verification]),
        generated: false,
      };
      const old = new JwtAccessTokens(await replica(previous), ISSUER, 0).sign(claims);
      const verifier = new JwtAccessTokens(
        new SigningKeys(rotated, new InMemoryKeyDirectory(), clock, new RecordedOutcome(), OPTIONS),
        ISSUER,
        0,
      );
      expect(await verifier.verify(old, T0)).toEqual(claims);
    });

    it('accepts a token of another replica, whose key only the directory lists', async () => {
      const other = new JwtAccessTokens(await replica(loadKeySet()), ISSUER, 0);
      clock.advance(1);
      const token = other.sign(claims);
      expect(await tokens.verify(token, T0)).toEqual(claims);
    });

    it('rejects a token of a key no replica published', async () => {
      const stranger = loadKeySet().current;
      clock.advance(1);
      const token = forge({ kid: stranger.kid }, {}, es256(stranger.privateKey));
      expect(await tokens.verify(token, T0)).toBeUndefined();
    });

    it('accepts the tokens of a rotated-out key after the rotation', async () => {
      jest.useFakeTimers();
      try {
        const rotating = await replica(loadKeySet(), 30);
        const signer = new JwtAccessTokens(rotating, ISSUER, 0);
        const before = signer.sign(claims);
        for (let i = 0; i < 3; i++) {
          clock.advance(10);
          await jest.advanceTimersByTimeAsync(10_000);
        }
        const after = signer.sign(claims);
        expect(decodeJws(after).header.kid).not.toBe(decodeJws(before).header.kid);
        expect(await signer.verify(before, T0)).toEqual(claims);
        expect(await signer.verify(after, T0)).toEqual(claims);
      } finally {
        jest.useRealTimers();
      }
    });
  });
});
