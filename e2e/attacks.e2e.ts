/* eslint-disable @typescript-eslint/no-floating-promises -- node:test registers suites synchronously; the runner awaits them */
/**
 * What an attacker tries: forged, tampered, foreign-key, expired, revoked and misplaced tokens at
 * the resource server (validating by introspection and, in a second process, by JWKS), and
 * replayed codes, wrong verifiers, foreign redirect URIs and bad client credentials at the
 * authorization server.
 */
import assert from 'node:assert/strict';
import { createPublicKey, generateKeyPairSync } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { assertJsonError, call, jsonBody, type Reply } from './support/http.ts';
import { signEs256, signHs256, unsigned, withPayload, type Json } from './support/jwt.ts';
import {
  authorize,
  callResource,
  introspect,
  obtainCode,
  obtainToken,
  pkcePair,
  redeem,
  redirectParams,
  revoke,
  type IssuedToken,
} from './support/oauth.ts';
import { remember } from './support/secrets.ts';
import { EXTERNAL, sleep, Stack } from './support/stack.ts';

/** RFC 6750 3.1: 401, a Bearer challenge with error="invalid_token", and the JSON error body. */
function assertInvalidToken(reply: Reply): void {
  assertJsonError(reply, 401, 'invalid_token');
  assert.match(
    reply.headers.get('www-authenticate') ?? '',
    /^Bearer realm="[^"]*", error="invalid_token"/,
  );
}

/** A forged token, remembered so that the log check can prove it was not logged. */
function forged(token: string): string {
  return remember('forged_token', token);
}

describe('attacks', () => {
  let stack: Stack;
  /** Issued first, used last: by then it has expired. */
  let early: IssuedToken;
  let jwk: Json;
  const servers: { mode: string; url: () => string }[] = [];

  before(async () => {
    stack = await Stack.start('attacks');
    early = await obtainToken(stack, 'current_time');
    const jwks = jsonBody(await call(`${stack.authUrl}/jwks.json`));
    const keys = jwks.keys as Json[];
    assert.ok(Array.isArray(keys) && keys.length >= 1, 'the JWKS lists no key');
    jwk =
      keys.find((k) => k.kid === early.header.kid) ??
      assert.fail(`no JWKS key for kid ${String(early.header.kid)}`);
  });

  after(async () => {
    await stack?.stop();
  });

  servers.push({ mode: 'introspection', url: () => stack.resourceUrl });
  if (!EXTERNAL) {
    let jwksUrl = '';
    before(async () => {
      jwksUrl = (
        await stack.startApp('resource', {
          label: 'resource-jwks',
          env: { TOKEN_VALIDATION: 'jwks' },
        })
      ).url;
    });
    servers.push({ mode: 'jwks', url: () => jwksUrl });
  }

  for (const server of servers) {
    describe(`resource server, TOKEN_VALIDATION=${server.mode}`, () => {
      it('a genuine token opens its endpoint (the control for every forgery below)', async () => {
        const { token } = await obtainToken(stack, 'current_time', {
          user: 'victim',
          password: 'pw-Secret-123',
        });
        const reply = await callResource(server.url(), 'current_time', token);
        assert.equal(reply.status, 200, reply.text);
        assert.equal(jsonBody(reply).user, 'victim');
      });

      it('no token: 401 with a bare Bearer challenge', async () => {
        const reply = await call(`${server.url()}/current_time`);
        assert.equal(reply.status, 401, reply.text);
        // RFC 6750 3.1: no error code when the request carried no authentication at all.
        assert.match(reply.headers.get('www-authenticate') ?? '', /^Bearer realm="[^"]+"$/);
        const body = jsonBody(reply);
        assert.equal(typeof body.error, 'string');
        assert.equal(typeof body.error_description, 'string');
      });

      it('alg none is refused', async () => {
        const { header, claims } = await obtainToken(stack);
        const reply = await callResource(
          server.url(),
          'current_time',
          forged(unsigned({ ...header, alg: 'none' }, claims)),
        );
        assertInvalidToken(reply);
      });

      it('HS256 signed with the public key as JWK JSON is refused', async () => {
        const { header, claims } = await obtainToken(stack);
        const token = forged(signHs256({ ...header, alg: 'HS256' }, claims, JSON.stringify(jwk)));
        assertInvalidToken(await callResource(server.url(), 'current_time', token));
      });

      it('HS256 signed with the public key as PEM is refused', async () => {
        const { header, claims } = await obtainToken(stack);
        const pem = createPublicKey({ key: jwk, format: 'jwk' }).export({
          type: 'spki',
          format: 'pem',
        });
        const token = forged(signHs256({ ...header, alg: 'HS256' }, claims, pem));
        assertInvalidToken(await callResource(server.url(), 'current_time', token));
      });

      it('a tampered scope is refused, not given the other endpoint', async () => {
        const { token } = await obtainToken(stack, 'current_time');
        const tampered = forged(withPayload(token, { scope: 'epoch_time' }));
        assertInvalidToken(await callResource(server.url(), 'epoch_time', tampered));
      });

      it('a tampered sub is refused', async () => {
        const { token } = await obtainToken(stack, 'current_time', {
          user: 'mallory',
          password: 'pw-Secret-123',
        });
        const tampered = forged(withPayload(token, { sub: 'admin' }));
        assertInvalidToken(await callResource(server.url(), 'current_time', tampered));
      });

      it('a token signed by a foreign P-256 key under the known kid is refused', async () => {
        const { header, claims } = await obtainToken(stack);
        const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
        const token = forged(signEs256(header, claims, privateKey));
        assertInvalidToken(await callResource(server.url(), 'current_time', token));
      });

      it('a token for the other endpoint is 403 insufficient_scope', async () => {
        const { token } = await obtainToken(stack, 'current_time');
        const reply = await callResource(server.url(), 'epoch_time', token);
        assertJsonError(reply, 403, 'insufficient_scope');
        assert.match(
          reply.headers.get('www-authenticate') ?? '',
          /^Bearer realm="[^"]*", error="insufficient_scope"/,
        );
        assert.match(reply.headers.get('www-authenticate') ?? '', /scope="epoch_time"/);
      });

      it('a genuine token in the query string is 401, as a request without authentication', async () => {
        const { token } = await obtainToken(stack, 'current_time');
        const reply = await call(
          `${server.url()}/current_time?access_token=${encodeURIComponent(token)}`,
        );
        // RFC 6750 3.1: a token sent by a method the server does not support is no authentication.
        assert.equal(reply.status, 401, reply.text);
        assert.match(reply.headers.get('www-authenticate') ?? '', /^Bearer realm="[^"]+"$/);
        const body = jsonBody(reply);
        assert.equal(typeof body.error, 'string');
        assert.equal(body.user, undefined);
      });

      it('a token in both the header and the query is 400 invalid_request (RFC 6750 2)', async () => {
        const { token } = await obtainToken(stack, 'current_time');
        const reply = await call(
          `${server.url()}/current_time?access_token=${encodeURIComponent(token)}`,
          { headers: { authorization: `Bearer ${token}` } },
        );
        assertJsonError(reply, 400, 'invalid_request');
        assert.match(reply.headers.get('www-authenticate') ?? '', /error="invalid_request"/);
      });

      it('a token that is no JWT at all is refused', async () => {
        assertInvalidToken(
          await callResource(server.url(), 'current_time', forged('not-a-jwt-at-all')),
        );
      });
    });
  }

  it('a revoked token is refused at once (introspection mode)', async () => {
    const { token } = await obtainToken(stack, 'current_time');
    assert.equal((await callResource(stack.resourceUrl, 'current_time', token)).status, 200);
    const revocation = await revoke(stack, token);
    assert.equal(revocation.status, 200, revocation.text);
    assertInvalidToken(await callResource(stack.resourceUrl, 'current_time', token));
  });

  describe('authorization server', () => {
    it('a proper redemption answers exactly the RFC 6749 5.1 body, not to be cached', async () => {
      const { code, verifier } = await obtainCode(stack, 'epoch_time');
      const reply = await redeem(stack, { code, verifier });
      assert.equal(reply.status, 200, reply.text);
      assert.equal(reply.headers.get('cache-control'), 'no-store');
      const body = jsonBody(reply);
      remember('access_token', String(body.access_token));
      assert.match(String(body.access_token), /^[\w-]+\.[\w-]+\.[\w-]+$/);
      assert.deepEqual(
        { ...body, access_token: 'x' },
        { access_token: 'x', token_type: 'Bearer', expires_in: 5, scope: 'epoch_time' },
      );
    });

    it('a replayed code is invalid_grant and revokes the token of the first redemption', async () => {
      const { code, verifier } = await obtainCode(stack);
      const first = await redeem(stack, { code, verifier });
      assert.equal(first.status, 200, first.text);
      const token = remember('access_token', jsonBody(first).access_token as string);
      assert.equal(jsonBody(await introspect(stack, token)).active, true);
      const second = await redeem(stack, { code, verifier });
      assertJsonError(second, 400, 'invalid_grant');
      assert.equal(second.headers.get('cache-control'), 'no-store');
      assert.deepEqual(jsonBody(await introspect(stack, token)), { active: false });
      assertInvalidToken(await callResource(stack.resourceUrl, 'current_time', token));
    });

    it('a wrong PKCE verifier is invalid_grant', async () => {
      const { code } = await obtainCode(stack);
      assertJsonError(
        await redeem(stack, { code, verifier: pkcePair().verifier }),
        400,
        'invalid_grant',
      );
    });

    it("a redirect_uri other than the authorization request's is invalid_grant", async () => {
      const { code, verifier } = await obtainCode(stack);
      assertJsonError(
        await redeem(stack, { code, verifier, redirectUri: `${stack.redirectUri}/other` }),
        400,
        'invalid_grant',
      );
    });

    it('an invented code is invalid_grant', async () => {
      const reply = await redeem(stack, {
        code: remember('code', 'A'.repeat(43)),
        verifier: pkcePair().verifier,
      });
      assertJsonError(reply, 400, 'invalid_grant');
    });

    for (const [name, overrides] of [
      ['an unregistered redirect URI', { redirect_uri: 'https://evil.example/callback' }],
      ['a redirect URI with an extra path', { redirect_uri: 'REGISTERED/x' }],
      ['a missing redirect URI', { redirect_uri: undefined }],
      ['an unknown client', { client_id: 'no-such-client' }],
    ] as const) {
      it(`${name} at /authorize is 400 JSON and never a redirect`, async () => {
        const uri = overrides.redirect_uri?.replace('REGISTERED', stack.redirectUri);
        const reply = await authorize(stack, {
          ...overrides,
          ...('redirect_uri' in overrides ? { redirect_uri: uri } : {}),
        });
        assertJsonError(reply, 400, 'invalid_request');
        assert.equal(reply.headers.get('location'), null);
      });
    }

    for (const [name, overrides, error] of [
      ['an unknown scope', { scope: 'openid' }, 'invalid_scope'],
      ['both scopes at once', { scope: 'current_time epoch_time' }, 'invalid_scope'],
      [
        'a missing PKCE challenge',
        { code_challenge: undefined, code_challenge_method: undefined },
        'invalid_request',
      ],
      [
        'the plain PKCE method',
        { code_challenge: 'a'.repeat(43), code_challenge_method: 'plain' },
        'invalid_request',
      ],
      ['response_type=token', { response_type: 'token' }, 'unsupported_response_type'],
    ] as const) {
      it(`${name} is redirected back with error=${error} and the state`, async () => {
        const reply = await authorize(stack, { ...overrides, state: 'st-42' });
        const params = redirectParams(stack, reply);
        assert.equal(params.get('error'), error);
        assert.equal(params.get('state'), 'st-42');
        assert.equal(params.get('iss'), stack.issuer);
        assert.equal(params.get('code'), null);
      });
    }

    it('no login is 401 JSON with a Basic challenge', async () => {
      const reply = await authorize(stack, {}, null);
      assert.equal(reply.status, 401, reply.text);
      assert.match(reply.headers.get('www-authenticate') ?? '', /^Basic /);
      assert.equal(reply.headers.get('location'), null);
      assert.equal(typeof jsonBody(reply).error, 'string');
    });

    it('a wrong client secret (Basic) is 401 invalid_client with a Basic challenge', async () => {
      const { code, verifier } = await obtainCode(stack);
      const reply = await redeem(stack, { code, verifier, clientSecret: 'qwerty-wrong' });
      assertJsonError(reply, 401, 'invalid_client');
      assert.match(reply.headers.get('www-authenticate') ?? '', /^Basic /);
      // The code survives a refused client: the rightful one can still redeem it.
      assert.equal((await redeem(stack, { code, verifier })).status, 200);
    });

    it('a wrong client secret (post) is 401 invalid_client', async () => {
      const { code, verifier } = await obtainCode(stack);
      assertJsonError(
        await redeem(stack, { code, verifier, auth: 'post', clientSecret: 'qwerty-wrong' }),
        401,
        'invalid_client',
      );
    });

    it('introspection without client authentication is 401', async () => {
      const reply = await call(`${stack.authUrl}/introspect`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ token: early.token }).toString(),
      });
      assert.equal(reply.status, 401, reply.text);
      assert.equal(jsonBody(reply).error, 'invalid_client');
    });
  });

  // Last, so that the wait overlaps the tests above.
  it('an expired token is refused by every resource server (6 s after issue)', async () => {
    const exp = early.claims.exp as number;
    assert.equal(exp - (early.claims.iat as number), 5);
    await sleep((exp + 1) * 1000 - Date.now());
    for (const server of servers) {
      assertInvalidToken(await callResource(server.url(), 'current_time', early.token));
    }
    assert.deepEqual(jsonBody(await introspect(stack, early.token)), { active: false });
  });
});
