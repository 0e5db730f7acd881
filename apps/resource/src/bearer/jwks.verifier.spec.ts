import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { UpstreamError } from '@app/common';
import { InvalidTokenError } from '../errors/resource.errors';
import {
  AUDIENCE,
  FakeClock,
  FakeUpstream,
  ISSUER,
  T0,
  json,
  rejection,
} from '../../test/support/fakes';
import { compactJws, es256, hs256, unsigned } from '../../../../libs/common/test/jws';
import { JwksVerifier, type JwksVerifierOptions } from './jwks.verifier';

interface SigningKey {
  kid: string;
  privateKey: KeyObject;
  publicKey: KeyObject;
  jwk: Record<string, unknown>;
}

function signingKey(kid: string): SigningKey {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const jwk = { ...publicKey.export({ format: 'jwk' }), kid, use: 'sig', alg: 'ES256' };
  return { kid, privateKey, publicKey, jwk };
}

const OPTIONS: JwksVerifierOptions = {
  path: '/jwks.json',
  issuer: ISSUER,
  leewaySeconds: 0,
  cacheSeconds: 300,
  refetchCooldownSeconds: 10,
};

function claims(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    iss: ISSUER,
    sub: 'alice',
    aud: AUDIENCE,
    client_id: '1234',
    scope: 'epoch_time',
    iat: T0,
    exp: T0 + 5,
    jti: 'jti-3',
    ...overrides,
  };
}

function tokenOf(
  key: SigningKey,
  payload: Record<string, unknown> = claims(),
  header: Record<string, unknown> = {},
): string {
  return compactJws(
    { alg: 'ES256', typ: 'at+jwt', kid: key.kid, ...header },
    payload,
    es256(key.privateKey),
  );
}

describe('JwksVerifier (RFC 9068 with RFC 7517 keys)', () => {
  const context = { requestId: 'r-1' };
  let k1: SigningKey;
  let k2: SigningKey;
  let published: SigningKey[];
  let clock: FakeClock;
  let upstream: FakeUpstream;
  let verifier: JwksVerifier;

  beforeAll(() => {
    k1 = signingKey('k1');
    k2 = signingKey('k2');
  });

  beforeEach(() => {
    published = [k1];
    clock = new FakeClock();
    upstream = new FakeUpstream(() => json(200, { keys: published.map((key) => key.jwk) }));
    verifier = new JwksVerifier(upstream.asClient(), OPTIONS, () => clock.nowSeconds());
  });

  const refused = async (token: string): Promise<InvalidTokenError> => {
    const err = await rejection(verifier.verify(token, context));
    expect(err).toBeInstanceOf(InvalidTokenError);
    return err as InvalidTokenError;
  };

  it('accepts a token signed with a published key and returns its claims', async () => {
    await expect(verifier.verify(tokenOf(k1), context)).resolves.toEqual({
      issuer: ISSUER,
      subject: 'alice',
      audience: [AUDIENCE],
      clientId: '1234',
      scopes: ['epoch_time'],
      expiresAt: T0 + 5,
      jti: 'jti-3',
    });
    expect(upstream.requests).toEqual([{ method: 'GET', path: '/jwks.json', requestId: 'r-1' }]);
  });

  it('accepts the typ application/at+jwt too (RFC 9068 2.1)', async () => {
    await expect(
      verifier.verify(tokenOf(k1, claims(), { typ: 'application/at+jwt' }), context),
    ).resolves.toMatchObject({ subject: 'alice' });
  });

  it('serves later tokens from the cached key set', async () => {
    await verifier.verify(tokenOf(k1), context);
    clock.now += 299;
    await verifier.verify(tokenOf(k1, claims({ exp: clock.now + 5 })), context);
    expect(upstream.requests).toHaveLength(1);
  });

  it('refuses alg none', async () => {
    const token = compactJws({ alg: 'none', typ: 'at+jwt', kid: 'k1' }, claims(), unsigned);
    expect((await refused(token)).detail).toBe('alg none');
  });

  it('refuses HS256 signed with the public key as the secret', async () => {
    const pem = k1.publicKey.export({ format: 'pem', type: 'spki' });
    const token = compactJws({ alg: 'HS256', typ: 'at+jwt', kid: 'k1' }, claims(), hs256(pem));
    expect((await refused(token)).detail).toBe('alg HS256');
  });

  it('refuses a token whose payload was changed after signing', async () => {
    const [header, , signature] = tokenOf(k1).split('.');
    const forged = Buffer.from(JSON.stringify(claims({ sub: 'mallory' }))).toString('base64url');
    await refused(`${header}.${forged}.${signature}`);
  });

  it('refuses a token signed by a foreign key under a known kid', async () => {
    const foreign = signingKey('k1');
    await refused(tokenOf(foreign));
    expect(upstream.requests).toHaveLength(1);
  });

  it('refuses typ JWT (RFC 9068 4: access tokens must say at+jwt)', async () => {
    expect((await refused(tokenOf(k1, claims(), { typ: 'JWT' }))).detail).toBe('typ JWT');
  });

  it('refuses a token without a kid', async () => {
    expect((await refused(tokenOf(k1, claims(), { kid: undefined }))).detail).toBe('no kid');
  });

  it('refuses a token once exp has come (exp == now)', async () => {
    await refused(tokenOf(k1, claims({ iat: T0 - 5, exp: T0 })));
  });

  it('accepts a token in its last second (exp == now + 1)', async () => {
    await expect(
      verifier.verify(tokenOf(k1, claims({ iat: T0 - 4, exp: T0 + 1 })), context),
    ).resolves.toMatchObject({ expiresAt: T0 + 1 });
  });

  it('refuses a token from another issuer', async () => {
    await refused(tokenOf(k1, claims({ iss: 'http://evil.example' })));
  });

  it('refuses a token that lacks a claim it needs', async () => {
    const withoutJti = claims();
    delete withoutJti.jti;
    expect((await refused(tokenOf(k1, withoutJti))).detail).toBe('claims missing');
  });

  it.each([
    ['no dot', 'abc'],
    ['a header that is not JSON', `${Buffer.from('{x').toString('base64url')}.e30.sig`],
    ['an empty header', '.e30.sig'],
  ])('refuses a malformed token: %s', async (_case, token) => {
    await refused(token);
    expect(upstream.requests).toHaveLength(0);
  });

  describe('key rotation', () => {
    it('refetches once for an unknown kid and then accepts the new key', async () => {
      await verifier.verify(tokenOf(k1), context);
      clock.now += 10;
      published = [k1, k2];
      await expect(
        verifier.verify(tokenOf(k2, claims({ exp: clock.now + 5 })), context),
      ).resolves.toMatchObject({ subject: 'alice' });
      expect(upstream.requests).toHaveLength(2);
    });

    it('lets concurrent verifies of an unknown kid share one refetch', async () => {
      await verifier.verify(tokenOf(k1), context);
      clock.now += 10;
      published = [k1, k2];
      upstream.hold();
      const token = tokenOf(k2, claims({ exp: clock.now + 5 }));
      const verifies = [1, 2, 3].map(() => verifier.verify(token, context));
      await new Promise((resolve) => setImmediate(resolve));
      upstream.release();
      const results = await Promise.all(verifies);
      expect(results.map((result) => result.subject)).toEqual(['alice', 'alice', 'alice']);
      expect(upstream.requests).toHaveLength(2);
    });

    it('does not refetch again within the cooldown', async () => {
      await verifier.verify(tokenOf(k1), context);
      clock.now += 10;
      expect((await refused(tokenOf(k2, claims({ exp: clock.now + 5 })))).detail).toBe(
        'unknown kid k2',
      );
      expect(upstream.requests).toHaveLength(2);
      clock.now += 9;
      published = [k1, k2];
      await refused(tokenOf(k2, claims({ exp: clock.now + 5 })));
      expect(upstream.requests).toHaveLength(2);
      clock.now += 1;
      await expect(
        verifier.verify(tokenOf(k2, claims({ exp: clock.now + 5 })), context),
      ).resolves.toMatchObject({ subject: 'alice' });
      expect(upstream.requests).toHaveLength(3);
    });

    it('refetches a stale key set even within the refetch cooldown', async () => {
      verifier = new JwksVerifier(upstream.asClient(), { ...OPTIONS, cacheSeconds: 5 }, () =>
        clock.nowSeconds(),
      );
      await verifier.verify(tokenOf(k1), context);
      clock.now += 6;
      await expect(
        verifier.verify(tokenOf(k1, claims({ exp: clock.now + 5 })), context),
      ).resolves.toMatchObject({ subject: 'alice' });
      expect(upstream.requests).toHaveLength(2);
    });

    it('fetches for every token when JWKS_CACHE_SECONDS is 0', async () => {
      verifier = new JwksVerifier(upstream.asClient(), { ...OPTIONS, cacheSeconds: 0 }, () =>
        clock.nowSeconds(),
      );
      await verifier.verify(tokenOf(k1), context);
      await expect(verifier.verify(tokenOf(k1), context)).resolves.toMatchObject({
        subject: 'alice',
      });
      expect(upstream.requests).toHaveLength(2);
    });
  });

  describe('the key set answer', () => {
    it('treats a non-200 answer as bad_response', async () => {
      upstream.answer = () => json(500, { error: 'server_error' });
      const err = await rejection(verifier.verify(tokenOf(k1), context));
      expect(err).toBeInstanceOf(UpstreamError);
      expect((err as UpstreamError).failure).toBe('bad_response');
      expect((err as UpstreamError).detail).toBe('JWKS answered 500');
    });

    it.each([
      ['a body that is not JSON', undefined],
      ['no keys', {}],
      ['an empty key list', { keys: [] }],
      ['keys that are not a list', { keys: 'k1' }],
    ])('treats %s as bad_response', async (_case, body) => {
      upstream.answer = () => json(200, body);
      const err = await rejection(verifier.verify(tokenOf(k1), context));
      expect(err).toBeInstanceOf(UpstreamError);
      expect((err as UpstreamError).failure).toBe('bad_response');
    });

    it('skips unusable entries and keeps the usable keys', async () => {
      upstream.answer = () =>
        json(200, {
          keys: [
            null,
            'k0',
            { kty: 'RSA', kid: 'r1', n: 'AQAB', e: 'AQAB' },
            { kty: 'EC', crv: 'P-256', kid: 'bad', x: 'AA', y: 'AA' },
            { ...k2.jwk, use: 'enc' },
            k1.jwk,
          ],
        });
      await expect(verifier.verify(tokenOf(k1), context)).resolves.toMatchObject({
        subject: 'alice',
      });
      await refused(tokenOf(k2));
    });

    it('keeps what it knew when a refetch fails', async () => {
      await verifier.verify(tokenOf(k1), context);
      clock.now += 10;
      upstream.answer = () => json(503, {});
      await expect(
        verifier.verify(tokenOf(k2, claims({ exp: clock.now + 5 })), context),
      ).rejects.toBeInstanceOf(UpstreamError);
      await expect(
        verifier.verify(tokenOf(k1, claims({ exp: clock.now + 5 })), context),
      ).resolves.toMatchObject({ subject: 'alice' });
    });
  });
});
