import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { UpstreamError } from '@app/common';
import { InvalidTokenError } from '../errors/resource.errors';
import {
  AUDIENCE,
  FakeClock,
  FakeUpstream,
  ISSUER,
  T0,
  accessRequest,
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

/** Lets every settled promise run its callbacks (fake timers leave setImmediate real). */
const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

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

/** A token whose header names `kid`, signed by no published key. */
function tokenOfKid(kid: string): string {
  return compactJws({ alg: 'ES256', typ: 'at+jwt', kid }, claims(), () => Buffer.alloc(64));
}

describe('JwksVerifier (RFC 9068 with RFC 7517 keys)', () => {
  const context = accessRequest({ requestId: 'r-1' });
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
    await expect(verifier.verify(tokenOf(k1), context)).resolves.toStrictEqual({
      issuer: ISSUER,
      subject: 'alice',
      audience: [AUDIENCE],
      clientId: '1234',
      scopes: ['epoch_time'],
      expiresAt: T0 + 5,
      jti: 'jti-3',
      boundToJkt: undefined,
    });
    expect(upstream.requests).toEqual([{ method: 'GET', path: '/jwks.json', requestId: 'r-1' }]);
  });

  it('names the key a DPoP-bound token is bound to (RFC 9449 6.1 cnf.jkt)', async () => {
    const jkt = '0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I';
    await expect(
      verifier.verify(tokenOf(k1, claims({ cnf: { jkt } })), context),
    ).resolves.toMatchObject({ boundToJkt: jkt });
    await expect(
      verifier.verify(tokenOf(k1, claims({ cnf: { x5t: 'x' } })), context),
    ).resolves.toMatchObject({ boundToJkt: undefined });
  });

  it('reads an audience list, keeping only its strings', async () => {
    await expect(
      verifier.verify(tokenOf(k1, claims({ aud: [AUDIENCE, 7, 'http://other'] })), context),
    ).resolves.toMatchObject({ audience: [AUDIENCE, 'http://other'] });
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
    ['no dot', 'abc', 'not a compact JWS'],
    [
      'a header that is not JSON',
      `${Buffer.from('{x').toString('base64url')}.e30.sig`,
      'header is not JSON',
    ],
    ['an empty header', '.e30.sig', 'not a compact JWS'],
    [
      'a header that is not an object',
      `${Buffer.from('"x"').toString('base64url')}.e30.sig`,
      'header is not an object',
    ],
    ['an empty kid', tokenOfKid(''), 'no kid'],
    ['a token too long to be ours', `${'a'.repeat(4097)}.e30.sig`, 'too long'],
  ])('refuses a malformed token before any fetch: %s', async (_case, token, detail) => {
    const err = await refused(token);
    expect(err.description).toBe('the access token is invalid');
    expect(err.detail).toBe(detail);
    expect(upstream.requests).toHaveLength(0);
  });

  describe('key rotation', () => {
    it('refetches for an unknown kid once the cooldown has passed, and accepts the new key', async () => {
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
      await settle();
      upstream.release();
      const results = await Promise.all(verifies);
      expect(results.map((result) => result.subject)).toEqual(['alice', 'alice', 'alice']);
      expect(upstream.requests).toHaveLength(2);
    });

    describe('within the cooldown', () => {
      beforeEach(() => {
        jest.useFakeTimers({ doNotFake: ['setImmediate', 'nextTick', 'queueMicrotask'] });
      });

      afterEach(() => {
        jest.useRealTimers();
      });

      /** Lets `seconds` pass on the verifier's clock and on its timers alike. */
      const elapse = async (seconds: number): Promise<void> => {
        clock.now += seconds;
        await jest.advanceTimersByTimeAsync(seconds * 1000);
      };

      it('waits for the next fetch instead of refusing a kid that is new (a key rotated in)', async () => {
        await verifier.verify(tokenOf(k1), context);
        await elapse(3);
        published = [k1, k2];
        let settled = false;
        const pending = verifier.verify(tokenOf(k2, claims({ exp: T0 + 60 })), context);
        void pending.finally(() => {
          settled = true;
        });
        await elapse(6);
        expect(settled).toBe(false);
        expect(upstream.requests).toHaveLength(1);
        await elapse(1);
        await expect(pending).resolves.toMatchObject({ subject: 'alice' });
        expect(upstream.requests).toHaveLength(2);
      });

      it('refuses a kid that the next fetch does not publish either', async () => {
        await verifier.verify(tokenOf(k1), context);
        const pending = rejection(verifier.verify(tokenOf(k2, claims({ exp: T0 + 60 })), context));
        await elapse(10);
        const err = await pending;
        expect(err).toBeInstanceOf(InvalidTokenError);
        expect((err as InvalidTokenError).detail).toBe('unknown kid k2');
        expect(upstream.requests).toHaveLength(2);
      });

      it('fetches at most once per cooldown, however many forged kids come in', async () => {
        await verifier.verify(tokenOf(k1), context);
        const forged = [1, 2, 3, 4, 5].map((n) =>
          rejection(
            verifier.verify(
              tokenOf({ ...k1, kid: `forged-${n}` }, claims({ exp: T0 + 60 })),
              context,
            ),
          ),
        );
        await settle();
        expect(upstream.requests).toHaveLength(1);
        await elapse(10);
        for (const err of await Promise.all(forged)) expect(err).toBeInstanceOf(InvalidTokenError);
        expect(upstream.requests).toHaveLength(2);
        // The next forged kid waits for the next cooldown: no fetch before it has passed.
        const next = rejection(
          verifier.verify(tokenOf({ ...k1, kid: 'forged-6' }, claims({ exp: T0 + 60 })), context),
        );
        await elapse(9);
        expect(upstream.requests).toHaveLength(2);
        await elapse(1);
        expect(await next).toBeInstanceOf(InvalidTokenError);
        expect(upstream.requests).toHaveLength(3);
      });

      it('serves known kids from the cache while a fetch for an unknown one waits', async () => {
        await verifier.verify(tokenOf(k1), context);
        const waiting = verifier.verify(tokenOf(k2, claims({ exp: T0 + 60 })), context);
        void waiting.catch(() => undefined);
        await expect(verifier.verify(tokenOf(k1), context)).resolves.toMatchObject({
          subject: 'alice',
        });
        expect(upstream.requests).toHaveLength(1);
        await elapse(10);
        await expect(waiting).rejects.toBeInstanceOf(InvalidTokenError);
      });
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
      // k2 was published for encryption only: the next fetch, once the cooldown is over, skips it
      // again.
      clock.now += 10;
      expect((await refused(tokenOf(k2, claims({ exp: clock.now + 5 })))).detail).toBe(
        'unknown kid k2',
      );
      expect(upstream.requests).toHaveLength(2);
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
