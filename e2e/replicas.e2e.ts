/* eslint-disable @typescript-eslint/no-floating-promises -- node:test registers suites synchronously; the runner awaits them */
/**
 * Several replicas of the authorization server on one Redis (issue 10): two AS processes, A and
 * B, with one issuer and REDIS_URL, each with a key of its own (no SIGNING_KEY_FILE), a resource
 * server and a webapp pointed at A. What one replica does, the other sees at once: a code of A
 * redeemed at B, its replay at A revoking B's token, races between them, one failure limit, keys
 * in one directory; and when Redis stops, both fail closed and recover without a restart.
 *
 * Needs Redis: redis-server on the PATH (started here on a free port) or REDIS_URL (used under a
 * key prefix of this run; the test that stops Redis is then skipped). Without either the suite is
 * skipped with a message, except under CI=true, where that is a failure.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { assertJsonError, call, jsonBody, postForm, type Reply } from './support/http.ts';
import { decodeJwt, type Json } from './support/jwt.ts';
import {
  authorize,
  callResource,
  clientBasic,
  introspect,
  obtainCode,
  obtainToken,
  redeem,
} from './support/oauth.ts';
import { E2eRedis, missingRedisFailure, redisSource, skipWithoutRedis } from './support/redis.ts';
import { remember } from './support/secrets.ts';
import {
  CLIENT_ID,
  NEEDS_LOCAL_PROCESSES,
  RESOURCE_CLIENT_ID,
  RESOURCE_CLIENT_SECRET,
  Stack,
  type ServiceProcess,
  type StackAddresses,
} from './support/stack.ts';

/** Failed client authentications per address and window, low enough to reach in a test. */
const FAILURE_LIMIT = 4;
/** Codes raced between the two replicas. */
const RACED_CODES = 50;

const SOURCE = redisSource();
const MISSING = missingRedisFailure(SOURCE);

describe(
  'replicas of the authorization server on one Redis',
  {
    skip: NEEDS_LOCAL_PROCESSES || skipWithoutRedis(SOURCE),
  },
  () => {
    if (MISSING !== undefined) {
      it('has a Redis to run against', () => assert.fail(MISSING));
      return;
    }

    let redis: E2eRedis;
    let stack: Stack;
    let authA: ServiceProcess;
    let authB: ServiceProcess;
    /** A resource server that verifies tokens against A's JWKS and talks to nothing else. */
    let jwksResource: ServiceProcess | undefined;

    before(async () => {
      redis = await E2eRedis.start(SOURCE, 'replicas');
      const store = { REDIS_URL: redis.url, REDIS_KEY_PREFIX: redis.keyPrefix };
      stack = await Stack.start('replicas', {
        env: {
          auth: {
            ...store,
            AUTH_FAILURE_LIMIT: String(FAILURE_LIMIT),
            // The failure test names its own client address in X-Forwarded-For, so that its
            // lock-out does not reach the webapp's and the resource server's calls.
            TRUST_PROXY_HOPS: '1',
          },
          resource: store,
        },
      });
      authA = stack.process('auth');
      authB = await stack.startApp('auth', { label: 'auth-b' });
      await Promise.all([authA.waitUntilReady(), authB.waitUntilReady()]);
    });

    after(async () => {
      await stack?.stop();
      await redis?.close();
    });

    /** The stack's addresses with the authorization server at `auth`. */
    function at(auth: ServiceProcess): StackAddresses {
      return {
        authUrl: auth.url,
        resourceUrl: stack.resourceUrl,
        webappUrl: stack.webappUrl,
        issuer: stack.issuer,
        audience: stack.audience,
        redirectUri: stack.redirectUri,
      };
    }

    /** Which process answered: `X-Served-By: auth@<host>:<pid>`. */
    function servedBy(reply: Reply, expected: ServiceProcess): void {
      assert.match(
        reply.headers.get('x-served-by') ?? '',
        new RegExp(`^auth@[^:]+:${expected.pid}$`),
        `expected ${expected.label} to answer`,
      );
    }

    function tokenOf(reply: Reply): { token: string; claims: Json } {
      assert.equal(reply.status, 200, `token endpoint answered ${reply.status} ${reply.text}`);
      const token = remember('access_token', jsonBody(reply).access_token as string);
      return { token, claims: decodeJwt(token).payload };
    }

    /** The kids a replica's JWKS lists. */
    async function listedKids(auth: ServiceProcess): Promise<string[]> {
      const keys = jsonBody(await call(`${auth.url}/jwks.json`)).keys as { kid: string }[];
      return keys.map((k) => k.kid).sort();
    }

    async function activeAt(auth: ServiceProcess, token: string): Promise<boolean> {
      const reply = await introspect(at(auth), token);
      assert.equal(reply.status, 200, reply.text);
      servedBy(reply, auth);
      return jsonBody(reply).active as boolean;
    }

    it('a code obtained at A is redeemed at B; the token is active at both and opens the resource server', async () => {
      const { code, verifier } = await obtainCode(at(authA));
      const reply = await redeem(at(authB), { code, verifier });
      servedBy(reply, authB);
      const { token, claims } = tokenOf(reply);
      assert.equal(claims.iss, stack.issuer);
      assert.equal(await activeAt(authA, token), true);
      assert.equal(await activeAt(authB, token), true);
      // The resource server introspects at A, which never saw this token issued.
      const resource = await callResource(stack.resourceUrl, 'current_time', token);
      assert.equal(resource.status, 200, resource.text);
      assert.equal(jsonBody(resource).user, 'e2e-user');
    });

    it('the replay at A of a code B redeemed fails, and B’s token is at once inactive at A and B and refused by the resource server', async () => {
      const { code, verifier } = await obtainCode(at(authA));
      const { token } = tokenOf(await redeem(at(authB), { code, verifier }));
      assert.equal((await callResource(stack.resourceUrl, 'current_time', token)).status, 200);

      const replay = await redeem(at(authA), { code, verifier });
      servedBy(replay, authA);
      assertJsonError(replay, 400, 'invalid_grant');

      assert.equal(await activeAt(authA, token), false);
      assert.equal(await activeAt(authB, token), false);
      assertJsonError(
        await callResource(stack.resourceUrl, 'current_time', token),
        401,
        'invalid_token',
      );
    });

    it(`${RACED_CODES} codes, each redeemed at A and at B at once, give exactly one token per code, which the loser revokes`, async () => {
      const codes: { code: string; verifier: string }[] = [];
      for (let i = 0; i < RACED_CODES; i += 10) {
        const batch = Array.from({ length: 10 }, (_, j) =>
          obtainCode(at((i + j) % 2 === 0 ? authA : authB)),
        );
        codes.push(...(await Promise.all(batch)));
      }
      // Half of the pairs are sent to B first, so that neither replica always has the head start.
      const races = await Promise.all(
        codes.map(async (c, i) => {
          const [first, second] = i % 2 === 0 ? [authA, authB] : [authB, authA];
          const replies = await Promise.all([redeem(at(first), c), redeem(at(second), c)]);
          return i % 2 === 0 ? replies : replies.reverse();
        }),
      );

      const tokens: string[] = [];
      races.forEach((replies, i) => {
        const statuses = replies.map((r) => r.status).sort();
        assert.deepEqual(
          statuses,
          [200, 400],
          `code ${i}: ${replies.map((r) => r.text).join(' | ')}`,
        );
        for (const reply of replies) {
          if (reply.status === 400) assertJsonError(reply, 400, 'invalid_grant');
          else tokens.push(remember('access_token', jsonBody(reply).access_token as string));
        }
      });
      assert.equal(new Set(tokens.map((t) => decodeJwt(t).payload.jti)).size, RACED_CODES);
      // Every loser was a replay of a used code, and revoked the winner's token, whichever replica
      // recorded it and in whichever order the two writes came.
      const active = await Promise.all(
        tokens.map((token, i) => activeAt(i % 2 === 0 ? authA : authB, token)),
      );
      assert.deepEqual(
        active,
        tokens.map(() => false),
      );
    });

    it('a redemption by another client at B does not burn A’s code', async () => {
      const { code, verifier } = await obtainCode(at(authA));
      const form = {
        grant_type: 'authorization_code',
        code,
        redirect_uri: stack.redirectUri,
        code_verifier: verifier,
      };

      // A registered client without the grant is refused before the code is looked at.
      const byResourceServer = await postForm(`${authB.url}/token`, form, {
        authorization: clientBasic(RESOURCE_CLIENT_ID, RESOURCE_CLIENT_SECRET),
      });
      servedBy(byResourceServer, authB);
      assertJsonError(byResourceServer, 400, 'unauthorized_client');

      // One with the grant reaches the store, which finds the code is another client's: the
      // configuration registers one such client, so this one is a replica that registers another.
      const other = await stack.startApp('auth', {
        label: 'auth-other-client',
        env: {
          CLIENT_ID: 'e2e-other-client',
          CLIENT_SECRET: remember('client_secret', 'e2e-other-secret'),
        },
      });
      try {
        const byOtherClient = await postForm(`${other.url}/token`, form, {
          authorization: clientBasic('e2e-other-client', 'e2e-other-secret'),
        });
        assertJsonError(byOtherClient, 400, 'invalid_grant');
        // The line is written once the answer is sent; wait for it rather than guess.
        const seen = await stack.waitForLogs(
          'auth',
          (e) => e.event === 'oauth_error' && e.detail === 'code of another client',
        );
        assert.equal(seen.length, 1, 'the store did not see another client’s code');
      } finally {
        await other.stop();
      }

      const rightful = await redeem(at(authB), { code, verifier });
      servedBy(rightful, authB);
      const { token, claims } = tokenOf(rightful);
      assert.equal(claims.client_id, CLIENT_ID);
      assert.equal(await activeAt(authA, token), true);
    });

    it('failed client authentications at A and at B count against one shared limit', async () => {
      const address = `198.51.100.${(process.pid % 250) + 1}`;
      const wrong = remember('client_secret', 'wrong-resource-secret');
      const attempt = (auth: ServiceProcess, from = address): Promise<Reply> =>
        postForm(
          `${auth.url}/introspect`,
          { token: 'not-a-token' },
          { authorization: clientBasic(RESOURCE_CLIENT_ID, wrong), 'x-forwarded-for': from },
        );

      for (let i = 0; i < FAILURE_LIMIT; i++) {
        const replica = i % 2 === 0 ? authA : authB;
        const reply = await attempt(replica);
        servedBy(reply, replica);
        assertJsonError(reply, 401, 'invalid_client');
      }
      // Each replica saw only half of the failures; the limit is reached on both.
      for (const replica of [authA, authB]) {
        const reply = await attempt(replica);
        servedBy(reply, replica);
        assert.equal(reply.status, 429, reply.text);
        assert.equal(jsonBody(reply).error, 'too_many_requests');
        assert.match(reply.headers.get('retry-after') ?? '', /^[1-9]\d*$/);
      }
      // Another address is not locked out.
      assertJsonError(await attempt(authB, '203.0.113.9'), 401, 'invalid_client');
    });

    it('a token signed by B verifies at a JWKS-mode resource server that talks only to A', async () => {
      jwksResource = await stack.startApp('resource', {
        label: 'resource-jwks',
        env: { TOKEN_VALIDATION: 'jwks' },
      });
      const fromA = await obtainToken(at(authA));
      const fromB = await obtainToken(at(authB));
      assert.notEqual(
        fromA.header.kid,
        fromB.header.kid,
        'each replica signs with a key of its own',
      );

      const [atA, atB] = [await listedKids(authA), await listedKids(authB)];
      assert.deepEqual(atA, atB, 'every replica publishes the same key set');
      assert.ok(
        atA.includes(fromA.header.kid as string) && atA.includes(fromB.header.kid as string),
      );

      for (const issued of [fromA, fromB]) {
        const reply = await callResource(jwksResource.url, 'current_time', issued.token);
        assert.equal(reply.status, 200, reply.text);
      }
    });

    it('a replica started seconds ago (C) signs a token that the JWKS-mode resource server verifies', async () => {
      assert.ok(
        jwksResource !== undefined,
        'needs the JWKS-mode resource server of the test before',
      );
      // The resource server holds a fresh key set without C's key.
      const warm = await obtainToken(at(authA));
      assert.equal((await callResource(jwksResource.url, 'current_time', warm.token)).status, 200);

      const before = await listedKids(authA);

      const authC = await stack.startApp('auth', { label: 'auth-c' });
      try {
        await authC.waitUntilReady();
        const fromC = await obtainToken(at(authC));
        assert.ok(!before.includes(fromC.header.kid as string), 'C signs with a key of its own');
        const reply = await callResource(jwksResource.url, 'current_time', fromC.token);
        assert.equal(reply.status, 200, reply.text);
        assert.equal(jsonBody(reply).user, 'e2e-user');
      } finally {
        await authC.stop();
      }
    });

    it(
      'with Redis stopped, A and B answer 503 temporarily_unavailable, the webapp 503, /readyz 503; all recover when it is back, with no restart',
      {
        skip:
          SOURCE.kind === 'shared'
            ? 'stops Redis, so it needs redis-server on the PATH (REDIS_URL names a server it must not stop)'
            : false,
      },
      async () => {
        const server = redis.server;
        assert.ok(server !== undefined);
        const pids = stack.processes.filter((p) => p.running).map((p) => [p.label, p.pid]);
        const issued = await obtainToken(at(authA));
        const pending = await obtainCode(at(authA));

        await server.stopServer();
        try {
          const token = await redeem(at(authB), pending);
          assertJsonError(token, 503, 'temporarily_unavailable');
          assert.equal(token.headers.get('retry-after'), '1');
          assertJsonError(
            await introspect(at(authA), issued.token),
            503,
            'temporarily_unavailable',
          );
          // The resource server asks A, which cannot tell: unavailable (503), not a bad answer.
          assertJsonError(
            await callResource(stack.resourceUrl, 'current_time', issued.token),
            503,
            'temporarily_unavailable',
          );
          // RFC 6749 4.1.2.1: the authorization endpoint tells the client on its redirect URI.
          const login = await authorize(at(authA), { state: 'redis-down' });
          assert.equal(login.status, 302, login.text);
          const back = new URL(login.headers.get('location') ?? '').searchParams;
          assert.equal(back.get('error'), 'temporarily_unavailable');
          assert.equal(back.get('state'), 'redis-down');
          assert.equal(back.get('code'), null);

          const webapp = await call(`${stack.webappUrl}/current_time`);
          assertJsonError(webapp, 503, 'service_unavailable');
          for (const auth of [authA, authB]) {
            const ready = await call(`${auth.url}/readyz`);
            assert.equal(ready.status, 503, ready.text);
          }
          const resourceReady = await call(`${stack.resourceUrl}/readyz`);
          assert.equal(resourceReady.status, 503, resourceReady.text);
        } finally {
          await server.startServer();
        }

        await Promise.all(
          [authA, authB, stack.process('resource')].map((p) => p.waitUntilReady(10_000)),
        );
        // The keys are listed again at once, not at the next heartbeat: the restarted store was empty.
        const listed = await listedKids(authA);
        const fromB = await obtainToken(at(authB));
        assert.ok(
          listed.includes(issued.header.kid as string),
          `A's key is not listed: ${listed.join()}`,
        );
        assert.ok(
          listed.includes(fromB.header.kid as string),
          `B's key is not listed: ${listed.join()}`,
        );
        const webapp = await call(`${stack.webappUrl}/current_time`);
        assert.equal(webapp.status, 200, webapp.text);
        // What a restart of a Redis without persistence loses: the codes not yet redeemed.
        assertJsonError(await redeem(at(authB), pending), 400, 'invalid_grant');

        assert.deepEqual(
          stack.processes.filter((p) => p.running).map((p) => [p.label, p.pid]),
          pids,
          'no process was restarted',
        );
        assert.deepEqual(
          stack.processes.flatMap((p) => p.unexpectedExits),
          [],
          'no process exited',
        );
      },
    );
  },
);
