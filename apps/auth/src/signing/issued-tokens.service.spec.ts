// libs/contracts' DTOs (class-transformer's @Type) need the metadata polyfill Nest loads.
import 'reflect-metadata';
import { createHash } from 'node:crypto';
import { LIMITS } from '@app/contracts';
import { InMemoryTokenRegistry } from '../stores/memory/in-memory-token.registry';
import { FakeClock, FakeTokens, T0, claimsFor, testConfig } from '../../test/support/fakes';
import { compactJws } from '../../../../libs/common/test/jws';
import { IssuedTokens } from './issued-tokens.service';

describe('IssuedTokens', () => {
  let clock: FakeClock;
  let registry: InMemoryTokenRegistry;
  let signer: FakeTokens;
  let issued: IssuedTokens;
  const claims = claimsFor({ jti: 'jti-1', iat: T0, exp: T0 + 5 });

  const open = (clockLeeway = 0): void => {
    registry?.onModuleDestroy();
    registry = new InMemoryTokenRegistry(clock);
    issued = new IssuedTokens(registry, signer, clock, testConfig({ clockLeeway }));
  };

  beforeEach(() => {
    clock = new FakeClock(T0);
    signer = new FakeTokens();
    open();
  });

  afterEach(() => registry.onModuleDestroy());

  describe('a token it recorded', () => {
    it('is found by jti and hash, with no signature check', async () => {
      const token = signer.sign(claims);
      await issued.record(token, claims);
      expect(await issued.find(token)).toEqual({ claims, revoked: false });
      expect(signer.verifiedAt).toEqual([]);
    });

    it('is recorded under its SHA-256, never as the token itself', async () => {
      const token = signer.sign(claims);
      await issued.record(token, claims);
      expect((await registry.lookup('jti-1')).issued).toEqual({
        tokenHash: createHash('sha256').update(token).digest('base64url'),
        claims,
      });
    });

    it('is found revoked once revoked', async () => {
      const token = signer.sign(claims);
      await issued.record(token, claims);
      await issued.revoke(claims);
      expect(await issued.find(token)).toEqual({ claims, revoked: true });
    });

    it('is not found once exp is reached, or past the leeway', async () => {
      const token = signer.sign(claims);
      await issued.record(token, claims);
      clock.now = T0 + 4;
      expect(await issued.find(token)).toBeDefined();
      clock.now = T0 + 5;
      expect(await issued.find(token)).toBeUndefined();

      open(2);
      await issued.record(token, claims);
      clock.now = T0 + 6;
      expect(await issued.find(token)).toBeDefined();
      clock.now = T0 + 7;
      expect(await issued.find(token)).toBeUndefined();
    });

    it('is kept, and its revocation too, until one second past exp plus the leeway', async () => {
      open(2);
      const token = signer.sign(claims);
      await issued.record(token, claims);
      await issued.revoke(claims);
      clock.now = T0 + 8;
      expect(await registry.lookup('jti-1')).toMatchObject({ revoked: true, issued: { claims } });
      clock.now = T0 + 9;
      expect(await registry.lookup('jti-1')).toEqual({ revoked: false });
    });

    it('does not vouch for a copy with another signature: that one is checked in full', async () => {
      const token = signer.sign(claims);
      await issued.record(token, claims);
      const [head, payload] = token.split('.');
      expect(await issued.find(`${head}.${payload}.AAAA`)).toBeUndefined();
      expect(signer.verifiedAt).toEqual([T0]);
    });
  });

  describe('a token it did not record (another replica’s, or one from before the store was emptied)', () => {
    it('is verified in full, and found when genuine', async () => {
      const token = signer.sign(claims);
      expect(await issued.find(token)).toEqual({ claims, revoked: false });
      expect(signer.verifiedAt).toEqual([T0]);
    });

    it('is found revoked when only its revocation was recorded', async () => {
      const token = signer.sign(claims);
      await issued.revoke(claims);
      expect(await issued.find(token)).toEqual({ claims, revoked: true });
    });

    it('is not found when it does not verify', async () => {
      const forged = compactJws({ alg: 'ES256' }, claims, () => Buffer.from('forged'));
      expect(await issued.find(forged)).toBeUndefined();
      expect(signer.verifiedAt).toEqual([T0]);
    });
  });

  describe('anything that is not one of its tokens', () => {
    it.each([
      ['the empty string', ''],
      ['garbage', 'not-a-token'],
      ['a JWS whose payload is not JSON', 'eyJhbGciOiJFUzI1NiJ9.bm90IGpzb24.c2ln'],
      ['a JWS without jti', compactJws({}, { sub: 'a' }, () => Buffer.from('s'))],
      ['a JWS with an empty jti', compactJws({}, { jti: '' }, () => Buffer.from('s'))],
      ['a JWS with a numeric jti', compactJws({}, { jti: 7 }, () => Buffer.from('s'))],
      [
        'a JWS with a jti longer than 128 characters',
        compactJws({}, { jti: 'j'.repeat(LIMITS.jti + 1) }, () => Buffer.from('s')),
      ],
      [
        'a JWS whose payload is null',
        compactJws({}, null as unknown as object, () => Buffer.from('s')),
      ],
      ['two parts', 'eyJhbGciOiJFUzI1NiJ9.eyJqdGkiOiJqdGktMSJ9'],
      ['an empty header part', '.eyJqdGkiOiJqdGktMSJ9.c2ln'],
    ])('is not found, with no lookup and no signature check: %s', async (_name, token) => {
      const lookup = jest.spyOn(registry, 'lookup');
      expect(await issued.find(token)).toBeUndefined();
      expect(lookup).not.toHaveBeenCalled();
      expect(signer.verifiedAt).toEqual([]);
    });

    it('is a token longer than any of ours, even a recorded one', async () => {
      const long = signer.sign(claimsFor({ jti: 'jti-long', sub: 'u'.repeat(LIMITS.accessToken) }));
      expect(long.length).toBeGreaterThan(LIMITS.accessToken);
      await issued.record(long, claimsFor({ jti: 'jti-long' }));
      const lookup = jest.spyOn(registry, 'lookup');
      expect(await issued.find(long)).toBeUndefined();
      expect(lookup).not.toHaveBeenCalled();
    });
  });
});
