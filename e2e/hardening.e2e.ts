/* eslint-disable @typescript-eslint/no-floating-promises -- node:test registers suites synchronously; the runner awaits them */
/**
 * The classes of an outside audit (issue 9), black-box: limits that an unauthenticated party
 * could exhaust for everyone, one length limit per datum through the whole flow, empty
 * parameters, challenges on every 401, transport-level errors in the contract's shape,
 * revocation by the token's own client only, secrets that need form-encoding, and the headers a
 * scanner expects.
 */
import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { assertJsonError, basic, call, jsonBody, postForm, type Reply } from './support/http.ts';
import {
  authorize,
  callResource,
  clientBasic,
  introspect,
  obtainCode,
  obtainToken,
  redeem,
  redirectParams,
  revoke,
} from './support/oauth.ts';
import {
  CLIENT_ID,
  CLIENT_SECRET,
  FRONT_PROXY,
  NEEDS_LOCAL_PROCESSES,
  RESOURCE_CLIENT_ID,
  RESOURCE_CLIENT_SECRET,
  Stack,
} from './support/stack.ts';

/** The datum limits of libs/contracts/src/limits.ts that a user or client can reach. */
const USERNAME_LIMIT = 256;
const ACCESS_TOKEN_LIMIT = 4096;

/**
 * Sends raw bytes and reads one answer: until its Content-Length is complete, or until the
 * peer closes (a proxy in front may keep the connection open after a well-framed request).
 */
function rawExchange(url: string, bytes: string, timeoutMs = 5_000): Promise<RawAnswer> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname);
    let received = Buffer.alloc(0);
    const finish = (): void => {
      socket.destroy();
      resolve(parseRaw(received.toString('utf8')));
    };
    socket.setTimeout(timeoutMs, () => {
      socket.destroy();
      reject(new Error(`no answer within ${timeoutMs} ms`));
    });
    socket.on('data', (chunk) => {
      received = Buffer.concat([received, chunk]);
      const end = received.indexOf('\r\n\r\n');
      if (end < 0) return;
      const length = /\r\ncontent-length:\s*(\d+)/i.exec(received.subarray(0, end).toString());
      if (length !== null && received.length >= end + 4 + Number(length[1])) finish();
    });
    socket.on('error', () => undefined);
    socket.on('close', finish);
    socket.write(bytes);
  });
}

interface RawAnswer {
  status: number;
  headers: Map<string, string>;
  json: unknown;
}

/** The status, headers and JSON body of a raw HTTP/1.1 answer. */
function parseRaw(answer: string): RawAnswer {
  const [head = '', body = ''] = answer.split('\r\n\r\n');
  const [statusLine = '', ...lines] = head.split('\r\n');
  const headers = new Map<string, string>();
  for (const line of lines) {
    const colon = line.indexOf(':');
    headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    json = undefined;
  }
  return { status: Number(statusLine.split(' ')[1]), headers, json };
}

/** A POST from another loopback address (127.0.0.2), as an attacker on another host would come. */
function postFromElsewhere(
  url: string,
  form: Record<string, string>,
  authorization: string,
): Promise<number> {
  return new Promise((resolve, reject) => {
    const body = new URLSearchParams(form).toString();
    const req = httpRequest(
      url,
      {
        method: 'POST',
        localAddress: '127.0.0.2',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          'content-length': Buffer.byteLength(body),
          authorization,
        },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** A GET from 127.0.0.2 whose redirect is not followed: the Location it answered with. */
function getLocationFromElsewhere(url: string, authorization: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      url,
      { localAddress: '127.0.0.2', headers: { authorization } },
      (res) => {
        res.resume();
        res.on('end', () => resolve(String(res.headers.location ?? '')));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

describe('hardening', () => {
  let stack: Stack;

  before(async () => {
    stack = await Stack.start('hardening');
  });

  after(async () => {
    await stack?.stop();
  });

  describe('limits nobody can exhaust for everyone', () => {
    it(
      'a flood of wrong secrets for resource-server from one address leaves the real client at 100 %',
      { skip: NEEDS_LOCAL_PROCESSES },
      async () => {
        const auth = await stack.startApp('auth', {
          label: 'auth-low-limit',
          env: { AUTH_FAILURE_LIMIT: '20', AUTH_FAILURE_WINDOW_SECONDS: '60' },
        });
        const wrong = clientBasic(RESOURCE_CLIENT_ID, 'not-the-secret');
        const statuses: number[] = [];
        for (let i = 0; i < 40; i++) {
          statuses.push(await postFromElsewhere(`${auth.url}/introspect`, { token: 'x' }, wrong));
        }
        assert.deepEqual(statuses.slice(0, 20), Array<number>(20).fill(401));
        assert.deepEqual(statuses.slice(20), Array<number>(20).fill(429));
        // The real resource server, from its own address, is not locked out.
        for (let i = 0; i < 20; i++) {
          const reply = await postForm(
            `${auth.url}/introspect`,
            { token: 'x' },
            { authorization: clientBasic(RESOURCE_CLIENT_ID, RESOURCE_CLIENT_SECRET) },
          );
          assert.equal(reply.status, 200, reply.text);
          assert.deepEqual(jsonBody(reply), { active: false });
        }
        // The attacking address stays limited, even with the right secret (no oracle).
        const blocked = await postFromElsewhere(
          `${auth.url}/introspect`,
          { token: 'x' },
          clientBasic(RESOURCE_CLIENT_ID, RESOURCE_CLIENT_SECRET),
        );
        assert.equal(blocked, 429);
      },
    );

    it(
      'one address holds only its quota of unredeemed codes; a full quota reaches the user as 503',
      { skip: NEEDS_LOCAL_PROCESSES },
      async () => {
        const auth = await stack.startApp('auth', {
          label: 'auth-code-quota',
          env: { CODE_QUOTA_PER_ADDRESS: '5' },
        });
        const resource = await stack.startApp('resource', {
          label: 'resource-code-quota',
          env: { AUTH_URL: auth.url },
        });
        const webapp = await stack.startApp('webapp', {
          label: 'webapp-code-quota',
          env: { AUTH_URL: auth.url, RESOURCE_URL: resource.url },
        });
        await webapp.waitUntilReady();
        const at = { ...stack, authUrl: auth.url };
        const query = (): string =>
          new URLSearchParams({
            response_type: 'code',
            client_id: CLIENT_ID,
            redirect_uri: stack.redirectUri,
            scope: 'current_time',
            state: 's',
            code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
            code_challenge_method: 'S256',
          }).toString();
        // Another address asks for codes and never redeems them: it fills its own quota only.
        const locations: string[] = [];
        for (let i = 0; i < 8; i++) {
          locations.push(
            await getLocationFromElsewhere(
              `${auth.url}/authorize?${query()}`,
              basic('mallory', 'pw'),
            ),
          );
        }
        assert.equal(locations.filter((l) => l.includes('code=')).length, 5);
        assert.equal(
          locations.filter((l) => l.includes('error=temporarily_unavailable')).length,
          3,
        );
        const served = await call(`${webapp.url}/current_time`);
        assert.equal(served.status, 200, served.text);
        // This address (the webapp's, here) filling its quota gets 503 with Retry-After at the
        // webapp, never a 502: the user may retry.
        for (let i = 0; i < 5; i++) assert.ok(redirectParams(at, await authorize(at)).get('code'));
        const full = redirectParams(at, await authorize(at));
        assert.equal(full.get('error'), 'temporarily_unavailable');
        const refused = await call(`${webapp.url}/current_time`);
        assertJsonError(refused, 503, 'service_unavailable');
        assert.equal(refused.headers.get('retry-after'), '1');
      },
    );
  });

  describe('one limit per datum, enforced where it enters', () => {
    it('a username of the limit goes through the whole flow; one more is refused at login', async () => {
      const longest = 'u'.repeat(USERNAME_LIMIT);
      const ok = await call(`${stack.webappUrl}/current_time`, {
        headers: { authorization: basic(longest, 'pw') },
      });
      assert.equal(ok.status, 200, ok.text);
      assert.equal(jsonBody(ok).user, longest);
      const tooLong = await call(`${stack.webappUrl}/current_time`, {
        headers: { authorization: basic(`${longest}u`, 'pw') },
      });
      assertJsonError(tooLong, 401, 'unauthorized');
      assert.match(tooLong.headers.get('www-authenticate') ?? '', /^Basic /);
      // At the authorization server itself, the same limit at login.
      const atAuth = await authorize(stack, {}, { user: `${longest}u`, password: 'pw' });
      assertJsonError(atAuth, 401, 'login_required');
      assert.match(atAuth.headers.get('www-authenticate') ?? '', /^Basic /);
    });

    it('a bearer token past the limit is a malformed token: 401 with its challenge', async () => {
      const reply = await callResource(
        stack.resourceUrl,
        'current_time',
        'a'.repeat(ACCESS_TOKEN_LIMIT + 1),
      );
      assertJsonError(reply, 401, 'invalid_token');
      assert.match(
        reply.headers.get('www-authenticate') ?? '',
        /^Bearer realm="[^"]+", error="invalid_token"/,
      );
    });

    it('introspection and revocation of a token past any limit answer as for an unknown token', async () => {
      const huge = 'a'.repeat(9000);
      const introspection = await introspect(stack, huge);
      assert.equal(introspection.status, 200, introspection.text);
      assert.deepEqual(jsonBody(introspection), { active: false });
      const revocation = await revoke(stack, huge);
      assert.equal(revocation.status, 200, revocation.text);
    });
  });

  describe('parameters sent without a value are omitted (RFC 6749 3.1, 3.2)', () => {
    it('client_secret= and client_id= beside a valid Basic header', async () => {
      const { code, verifier } = await obtainCode(stack);
      const reply = await postForm(
        `${stack.authUrl}/token`,
        {
          grant_type: 'authorization_code',
          code,
          redirect_uri: stack.redirectUri,
          code_verifier: verifier,
          client_id: '',
          client_secret: '',
        },
        { authorization: clientBasic(CLIENT_ID, CLIENT_SECRET) },
      );
      assert.equal(reply.status, 200, reply.text);
    });

    it('response_type= is a missing response_type, redirected as invalid_request', async () => {
      const params = redirectParams(stack, await authorize(stack, { response_type: '' }));
      assert.equal(params.get('error'), 'invalid_request');
      assert.match(params.get('error_description') ?? '', /response_type is required/);
    });

    it('grant_type= is a missing grant_type', async () => {
      const reply = await postForm(
        `${stack.authUrl}/token`,
        { grant_type: '' },
        { authorization: clientBasic(CLIENT_ID, CLIENT_SECRET) },
      );
      assertJsonError(reply, 400, 'invalid_request');
    });

    it('redirect_uri= at the token endpoint is missing, and does not burn the code', async () => {
      const { code, verifier } = await obtainCode(stack);
      const missing = await redeem(stack, { code, verifier, redirectUri: '' });
      assertJsonError(missing, 400, 'invalid_request');
      assert.equal((await redeem(stack, { code, verifier })).status, 200);
    });
  });

  describe('redirectable errors go back to the client', () => {
    for (const [name, value] of [
      ['scope', ['current_time', 'epoch_time']],
      ['scope', 'x'.repeat(300)],
      ['response_type', ['code', 'code']],
      ['code_challenge', 'c'.repeat(200)],
      ['code_challenge_method', ['S256', 'S256']],
    ] as const) {
      it(`a repeated or over-long ${name} is an error redirect with the state`, async () => {
        const query = new URLSearchParams({
          response_type: 'code',
          client_id: CLIENT_ID,
          redirect_uri: stack.redirectUri,
          scope: 'current_time',
          state: 'st-1',
          code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
          code_challenge_method: 'S256',
        });
        query.delete(name);
        for (const v of Array.isArray(value) ? value : [value]) query.append(name, v);
        const reply = await call(`${stack.authUrl}/authorize?${query.toString()}`, {
          headers: { authorization: basic('alice', 'pw') },
        });
        const params = redirectParams(stack, reply);
        assert.equal(params.get('error'), 'invalid_request');
        assert.equal(params.get('state'), 'st-1');
        assert.equal(params.get('iss'), stack.issuer);
        assert.equal(reply.headers.get('cache-control'), 'no-store');
      });
    }
  });

  describe('every 401 carries a challenge (RFC 9110 15.5.2)', () => {
    it('invalid_client with client_secret_post, and with no credentials at all', async () => {
      const forms: Record<string, string>[] = [
        { grant_type: 'authorization_code', client_id: CLIENT_ID, client_secret: 'wrong' },
        { grant_type: 'authorization_code' },
      ];
      for (const form of forms) {
        const reply = await postForm(`${stack.authUrl}/token`, form);
        assertJsonError(reply, 401, 'invalid_client');
        assert.match(reply.headers.get('www-authenticate') ?? '', /^Basic realm="[^"]+"/);
      }
    });

    it('a bearer credential outside the b64token syntax is invalid_token 401', async () => {
      const reply = await call(`${stack.resourceUrl}/current_time`, {
        headers: { authorization: 'Bearer not a token!' },
      });
      assertJsonError(reply, 401, 'invalid_token');
      assert.match(reply.headers.get('www-authenticate') ?? '', /error="invalid_token"/);
    });
  });

  describe('transport-level errors in the contract shape, with a request id', () => {
    /**
     * Name, bytes, the services' answer, and what a front proxy does with them: `refuses` (it
     * cannot parse them either and answers 400 itself), `forwards` (they are well-framed: the
     * service answers), `unfolds` (RFC 9112 5.2 lets a proxy replace obs-fold with SP and
     * forward the request) or `reframes` (RFC 9112 6.3: it may process the message by its
     * Transfer-Encoding alone, forward it without the Content-Length, and close the connection).
     */
    const cases: [string, string, number, 'refuses' | 'forwards' | 'unfolds' | 'reframes'][] = [
      [
        'a bad Content-Length',
        'POST /token HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n',
        400,
        'refuses',
      ],
      [
        'Content-Length beside Transfer-Encoding',
        'POST /token HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n',
        400,
        'reframes',
      ],
      [
        'an obs-folded header',
        'GET /healthz HTTP/1.1\r\nHost: x\r\nX-A: a\r\n b\r\n\r\n',
        400,
        'unfolds',
      ],
      ['no Host header', 'GET /healthz HTTP/1.1\r\n\r\n', 400, 'forwards'],
      [
        'oversized headers',
        `GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ${'b'.repeat(20_000)}\r\n\r\n`,
        431,
        'refuses',
      ],
      ['garbage', 'NOT HTTP AT ALL\r\n\r\n', 400, 'refuses'],
      [
        'a path that does not percent-decode',
        'GET /%E0%A4%A HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n',
        400,
        'forwards',
      ],
    ];
    for (const [name, bytes, status, proxy] of cases) {
      it(`${name}: ${status} JSON`, async () => {
        for (const url of [stack.authUrl, stack.resourceUrl, stack.webappUrl]) {
          const answer = await rawExchange(url, bytes);
          const seen = `${url}: ${JSON.stringify({ ...answer, headers: [...answer.headers] })}`;
          // Without a proxy in front, every case reaches the service as sent.
          const via = FRONT_PROXY === undefined ? 'forwards' : proxy;
          if (via === 'refuses') {
            // HAProxy before 3.2 answers what it cannot parse with its built-in page, whatever
            // the configuration says (haproxy/haproxy#3032): a 400 that ends the connection.
            assert.equal(answer.status, 400, seen);
            assert.equal(answer.headers.get('connection'), 'close', seen);
            continue;
          }
          if (via === 'reframes') {
            // Now an ordinary request with an empty body, refused by the service, which the
            // proxy answers with the connection closed.
            assert.ok(answer.status >= 400 && answer.status < 500, seen);
            assert.equal(answer.headers.get('connection'), 'close', seen);
          } else {
            assert.equal(answer.status, via === 'unfolds' ? 200 : status, seen);
          }
          assert.match(answer.headers.get('content-type') ?? '', /^application\/json/);
          assert.match(answer.headers.get('x-request-id') ?? '', /^[0-9a-f-]{36}$/);
          const body = answer.json as Record<string, unknown>;
          if (answer.status !== 200) {
            assert.deepEqual(Object.keys(body).sort(), ['error', 'error_description'], seen);
          }
          // The headers of every answer, at this layer too.
          assert.equal(answer.headers.get('x-content-type-options'), 'nosniff', url);
          assert.match(answer.headers.get('x-served-by') ?? '', /^(auth|resource|webapp)@/, url);
          const framing = url === stack.authUrl ? 'DENY' : undefined;
          assert.equal(answer.headers.get('x-frame-options'), framing, url);
        }
      });
    }
  });

  describe('revocation: only the client a token was issued to (RFC 7009 2.1)', () => {
    it('the resource server cannot revoke a user token; the token stays active', async () => {
      const { token } = await obtainToken(stack);
      const refused = await postForm(
        `${stack.authUrl}/revoke`,
        { token },
        { authorization: clientBasic(RESOURCE_CLIENT_ID, RESOURCE_CLIENT_SECRET) },
      );
      assertJsonError(refused, 400, 'unauthorized_client');
      assert.equal(jsonBody(await introspect(stack, token)).active, true);
      assert.equal((await callResource(stack.resourceUrl, 'current_time', token)).status, 200);
      assert.equal((await revoke(stack, token)).status, 200);
      assert.deepEqual(jsonBody(await introspect(stack, token)), { active: false });
    });
  });

  describe('client secrets that need form-encoding (RFC 6749 2.3.1)', () => {
    it(
      'a secret with + / % = works form-encoded and raw; a wrong one does not',
      { skip: NEEDS_LOCAL_PROCESSES },
      async () => {
        const secret = 'Ab+cd/ef%2==';
        const auth = await stack.startApp('auth', {
          label: 'auth-odd-secret',
          env: { CLIENT_SECRET: secret },
        });
        const at = { ...stack, authUrl: auth.url };
        const raw = `Basic ${Buffer.from(`${CLIENT_ID}:${secret}`).toString('base64')}`;
        for (const authorization of [clientBasic(CLIENT_ID, secret), raw]) {
          const { code, verifier } = await obtainCode(at);
          const reply = await postForm(
            `${auth.url}/token`,
            {
              grant_type: 'authorization_code',
              code,
              redirect_uri: stack.redirectUri,
              code_verifier: verifier,
            },
            { authorization },
          );
          assert.equal(reply.status, 200, reply.text);
        }
        const wrong = `Basic ${Buffer.from(`${CLIENT_ID}:Ab cd/ef%2==`).toString('base64')}`;
        assertJsonError(
          await postForm(
            `${auth.url}/token`,
            { grant_type: 'authorization_code' },
            { authorization: wrong },
          ),
          401,
          'invalid_client',
        );
      },
    );
  });

  describe('headers a scanner expects', () => {
    const expectHeaders = (reply: Reply, where: string): void => {
      assert.equal(reply.headers.get('x-content-type-options'), 'nosniff', where);
    };

    it('nosniff everywhere; no-store and no framing on the authorization server', async () => {
      for (const url of [
        `${stack.authUrl}/.well-known/oauth-authorization-server`,
        `${stack.authUrl}/nope`,
        `${stack.resourceUrl}/current_time`,
        `${stack.webappUrl}/current_time`,
      ]) {
        expectHeaders(await call(url), url);
      }
      const { code, verifier } = await obtainCode(stack);
      const token = await redeem(stack, { code, verifier });
      assert.equal(token.headers.get('cache-control'), 'no-store');
      for (const reply of [token, await authorize(stack), await introspect(stack, 'x')]) {
        assert.equal(reply.headers.get('x-frame-options'), 'DENY');
        assert.equal(reply.headers.get('content-security-policy'), "frame-ancestors 'none'");
        assert.equal(reply.headers.get('cache-control'), 'no-store');
        expectHeaders(reply, 'auth');
      }
    });
  });
});
