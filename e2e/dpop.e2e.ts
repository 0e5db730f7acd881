/* eslint-disable @typescript-eslint/no-floating-promises -- node:test registers suites synchronously; the runner awaits them */
/**
 * DPoP (RFC 9449) end to end, driven by oauth4webapi's DPoP() handle: the code flow with a
 * proof gets a token bound to the handle's key (`token_type: DPoP`, `cnf.jkt`, also in
 * introspection), which both resource-server modes accept only as `Authorization: DPoP` with a
 * valid proof. Then the attacks of RFC 9449 11, each refused with the RFC's error and the 7.1
 * challenge, at both modes; the token endpoint's refusals; a client registered as requiring
 * DPoP; and the webapp with DPOP on and off.
 */
import assert from 'node:assert/strict';
import { KeyObject } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import * as oauth from 'oauth4webapi';
import { basic, call, jsonBody, postForm, type Reply } from './support/http.ts';
import { decodeJwt, signHs256, unsigned, type Json } from './support/jwt.ts';
import { clientBasic, introspect } from './support/oauth.ts';
import { remember } from './support/secrets.ts';
import {
  CLIENT_ID,
  CLIENT_SECRET,
  EXTERNAL,
  freePort,
  NEEDS_LOCAL_PROCESSES,
  NEEDS_LOGS,
  PASSWORD,
  RESOURCE_CLIENT_ID,
  RESOURCE_CLIENT_SECRET,
  Stack,
} from './support/stack.ts';

/** The issuer is plain http on a test machine. */
const INSECURE = { [oauth.allowInsecureRequests]: true } as const;
const webapp: oauth.Client = { client_id: CLIENT_ID };
const resourceServer: oauth.Client = { client_id: RESOURCE_CLIENT_ID };
type Scope = 'current_time' | 'epoch_time';

const nowSeconds = (): number => Math.floor(Date.now() / 1000);

async function es256Pair(): Promise<CryptoKeyPair> {
  return await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, [
    'sign',
    'verify',
  ]);
}

/** A fetch for oauth4webapi that sends nothing: it keeps the DPoP proof and answers 200 `{}`. */
function proofCatcher() {
  const proofs: string[] = [];
  const fetch = async (
    _url: string,
    init: oauth.CustomFetchOptions<string, unknown>,
  ): Promise<Response> => {
    const proof = new Headers(init.headers).get('dpop');
    assert.ok(proof, 'oauth4webapi sent no DPoP header');
    proofs.push(remember('dpop_proof', proof));
    return new Response('{}', { status: 200, headers: { 'content-type': 'application/json' } });
  };
  return { proofs, fetch };
}

/** A fetch that passes the request on and keeps the DPoP proof it carried. */
function proofRecorder() {
  const proofs: string[] = [];
  const fetch = (
    url: string,
    init: oauth.CustomFetchOptions<string, unknown>,
  ): Promise<Response> => {
    const proof = new Headers(init.headers).get('dpop');
    if (proof !== null) proofs.push(remember('dpop_proof', proof));
    return globalThis.fetch(url, init as RequestInit);
  };
  return { proofs, fetch };
}

/** The proof `handle` makes for a resource request with `token`, without sending it. */
async function resourceProof(
  handle: oauth.DPoPHandle,
  token: string,
  url: string,
  method = 'GET',
): Promise<string> {
  const caught = proofCatcher();
  await oauth.protectedResourceRequest(token, method, new URL(url), new Headers(), null, {
    ...INSECURE,
    DPoP: handle,
    [oauth.customFetch]: caught.fetch,
  });
  return caught.proofs[0]!;
}

/** A resource request with the token under `scheme`, and `proof` when there is one. */
function present(url: string, token: string, proof?: string, scheme = 'DPoP'): Promise<Reply> {
  const headers: Record<string, string> = { authorization: `${scheme} ${token}` };
  if (proof !== undefined) headers.dpop = proof;
  return call(url, { headers });
}

/**
 * A refusal with the RFC 9449 7.1 challenge: 401, the `DPoP` scheme with `algs` (asymmetric
 * algorithms only), the error and its description, and the same in the JSON body.
 */
function assertDpopChallenge(reply: Reply, error: string, description: string): void {
  assert.equal(reply.status, 401, reply.text);
  assert.deepEqual(jsonBody(reply), { error, error_description: description });
  const challenge = reply.headers.get('www-authenticate') ?? '';
  const match =
    /^DPoP realm="[^"]+", algs="([^"]+)", error="([^"]+)", error_description="([^"]+)"$/.exec(
      challenge,
    );
  assert.ok(match !== null, `not an RFC 9449 7.1 challenge: ${challenge}`);
  const algs = match[1]!.split(' ');
  assert.ok(algs.includes('ES256'), `algs ${match[1]}`);
  assert.ok(!algs.some((alg) => alg === 'none' || alg.startsWith('HS')), `algs ${match[1]}`);
  assert.equal(match[2], error);
  assert.equal(match[3], description);
}

describe('DPoP (RFC 9449) end to end, driven by oauth4webapi', () => {
  let stack: Stack;
  let as: oauth.AuthorizationServer;
  let pair: CryptoKeyPair;
  let handle: oauth.DPoPHandle;
  let jkt: string;
  /** The key's public JWK, for hand-made proofs. */
  let publicJwk: Json;

  before(async () => {
    stack = await Stack.start('dpop');
    const issuer = new URL(stack.issuer);
    as = await oauth.processDiscoveryResponse(
      issuer,
      await oauth.discoveryRequest(issuer, { algorithm: 'oauth2', ...INSECURE }),
    );
    pair = await es256Pair();
    handle = oauth.DPoP(webapp, pair);
    jkt = await handle.calculateThumbprint();
    publicJwk = KeyObject.from(pair.publicKey).export({ format: 'jwk' });
  });

  after(async () => {
    await stack?.stop();
  });

  /** The authorization response for `user`, through the user agent's eyes (Basic login). */
  async function authorizationResponse(
    server: oauth.AuthorizationServer,
    scope: Scope,
    user: string,
  ): Promise<{ params: URLSearchParams; verifier: string }> {
    const verifier = remember('code_verifier', oauth.generateRandomCodeVerifier());
    const state = oauth.generateRandomState();
    const url = new URL(server.authorization_endpoint!);
    url.search = new URLSearchParams({
      response_type: 'code',
      client_id: CLIENT_ID,
      redirect_uri: stack.redirectUri,
      scope,
      state,
      code_challenge: await oauth.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
    }).toString();
    const reply = await call(url.href, { headers: { authorization: basic(user, PASSWORD) } });
    assert.equal(reply.status, 302, reply.text);
    const params = oauth.validateAuthResponse(
      server,
      webapp,
      new URL(reply.headers.get('location') ?? ''),
      state,
    );
    remember('code', params.get('code') ?? '');
    return { params, verifier };
  }

  /** The code exchange with a proof by `dpop`; the raw answer. */
  async function exchange(
    server: oauth.AuthorizationServer,
    scope: Scope,
    user: string,
    dpop: oauth.DPoPHandle | undefined,
    fetch?: (url: string, init: oauth.CustomFetchOptions<string, unknown>) => Promise<Response>,
  ): Promise<{ response: Response; params: URLSearchParams; verifier: string }> {
    const { params, verifier } = await authorizationResponse(server, scope, user);
    const response = await oauth.authorizationCodeGrantRequest(
      server,
      webapp,
      oauth.ClientSecretBasic(CLIENT_SECRET),
      params,
      stack.redirectUri,
      verifier,
      {
        ...INSECURE,
        ...(dpop === undefined ? {} : { DPoP: dpop }),
        ...(fetch === undefined ? {} : { [oauth.customFetch]: fetch }),
      },
    );
    return { response, params, verifier };
  }

  /** A DPoP-bound token for `user`, bound to `dpop`'s key (the suite's handle by default). */
  async function dpopToken(
    scope: Scope = 'current_time',
    user = 'dpop-user',
    dpop: oauth.DPoPHandle = handle,
  ): Promise<{ token: string; result: oauth.TokenEndpointResponse; claims: Json }> {
    const { response } = await exchange(as, scope, user, dpop);
    const result = await oauth.processAuthorizationCodeResponse(as, webapp, response);
    const token = remember('access_token', result.access_token);
    return { token, result, claims: decodeJwt(token).payload };
  }

  describe('the authorization server', () => {
    it('publishes dpop_signing_alg_values_supported, asymmetric algorithms only (RFC 9449 5.1)', () => {
      const algs = as.dpop_signing_alg_values_supported;
      assert.ok(Array.isArray(algs) && algs.includes('ES256'), `algs ${String(algs)}`);
      assert.ok(!algs.some((alg) => alg === 'none' || alg.startsWith('HS')));
    });

    it('binds the token to the proof key: token_type DPoP, cnf.jkt the RFC 7638 thumbprint', async () => {
      const { result, claims } = await dpopToken('current_time', 'dpop-alice');
      // oauth4webapi lower-cases token_type (RFC 6749 5.1: case-insensitive).
      assert.equal(result.token_type, 'dpop');
      assert.equal(result.expires_in, 5);
      assert.equal(result.scope, 'current_time');
      assert.deepEqual(claims.cnf, { jkt });
      assert.equal(claims.sub, 'dpop-alice');
    });

    it('shows token_type DPoP and cnf.jkt in introspection (RFC 9449 6.2)', async () => {
      const { token, claims } = await dpopToken('epoch_time', 'dpop-intro');
      const result = await oauth.processIntrospectionResponse(
        as,
        resourceServer,
        await oauth.introspectionRequest(
          as,
          resourceServer,
          oauth.ClientSecretBasic(RESOURCE_CLIENT_SECRET),
          token,
          INSECURE,
        ),
      );
      assert.deepEqual(
        { ...result },
        {
          active: true,
          scope: 'epoch_time',
          client_id: CLIENT_ID,
          username: 'dpop-intro',
          sub: 'dpop-intro',
          aud: stack.audience,
          iss: stack.issuer,
          exp: claims.exp,
          iat: claims.iat,
          jti: claims.jti,
          token_type: 'DPoP',
          cnf: { jkt },
        },
      );
    });

    it('issues a Bearer token, without cnf, to a token request without a proof', async () => {
      const { response } = await exchange(as, 'current_time', 'dpop-none', undefined);
      const result = await oauth.processAuthorizationCodeResponse(as, webapp, response);
      assert.equal(result.token_type, 'bearer');
      const token = remember('access_token', result.access_token);
      assert.equal(decodeJwt(token).payload.cnf, undefined);
      const introspection = jsonBody(await introspect(stack, token));
      assert.equal(introspection.token_type, 'Bearer');
      assert.equal(introspection.cnf, undefined);
    });

    it('refuses a bad proof with 400 invalid_dpop_proof, and the code stays usable', async () => {
      const elsewhere = oauth.DPoP(webapp, pair, {
        [oauth.modifyAssertion]: (_header, payload) => {
          payload.htu = `${stack.issuer}/authorize`;
        },
      });
      const { response, params, verifier } = await exchange(
        as,
        'current_time',
        'dpop-bad',
        elsewhere,
      );
      assert.equal(response.status, 400);
      assert.deepEqual(await response.json(), {
        error: 'invalid_dpop_proof',
        error_description: 'the DPoP proof htu does not match the request URL',
      });
      // The proof is judged before the grant, so a bad proof did not use the code up.
      const retry = await oauth.authorizationCodeGrantRequest(
        as,
        webapp,
        oauth.ClientSecretBasic(CLIENT_SECRET),
        params,
        stack.redirectUri,
        verifier,
        { ...INSECURE, DPoP: handle },
      );
      const result = await oauth.processAuthorizationCodeResponse(as, webapp, retry);
      assert.equal(result.token_type, 'dpop');
      remember('access_token', result.access_token);
    });

    it('refuses an alg none proof and a replayed proof at the token endpoint', async () => {
      const recorder = proofRecorder();
      const first = await exchange(as, 'current_time', 'dpop-replay', handle, recorder.fetch);
      assert.equal(first.response.status, 200);
      const used = recorder.proofs[0]!;
      for (const [proof, description] of [
        [used, 'the DPoP proof has been used before'],
        [
          unsigned(
            { typ: 'dpop+jwt', alg: 'none', jwk: publicJwk },
            { jti: crypto.randomUUID(), htm: 'POST', htu: as.token_endpoint!, iat: nowSeconds() },
          ),
          'the DPoP proof must be signed (alg none)',
        ],
      ] as const) {
        const { params, verifier } = await authorizationResponse(as, 'current_time', 'dpop-replay');
        const reply = await postForm(
          as.token_endpoint!,
          {
            grant_type: 'authorization_code',
            code: params.get('code') ?? '',
            redirect_uri: stack.redirectUri,
            code_verifier: verifier,
          },
          {
            authorization: clientBasic(CLIENT_ID, CLIENT_SECRET),
            dpop: remember('dpop_proof', proof),
          },
        );
        assert.equal(reply.status, 400, reply.text);
        assert.deepEqual(jsonBody(reply), {
          error: 'invalid_dpop_proof',
          error_description: description,
        });
      }
    });
  });

  describe(
    'a client registered as requiring DPoP (CLIENT_REQUIRES_DPOP=true)',
    { skip: NEEDS_LOCAL_PROCESSES },
    () => {
      let strict: oauth.AuthorizationServer;

      before(async () => {
        const port = await freePort();
        const issuer = `http://127.0.0.1:${port}`;
        await stack.startApp('auth', {
          label: 'auth-requires-dpop',
          port,
          env: { ISSUER: issuer, CLIENT_REQUIRES_DPOP: 'true' },
        });
        strict = await oauth.processDiscoveryResponse(
          new URL(issuer),
          await oauth.discoveryRequest(new URL(issuer), { algorithm: 'oauth2', ...INSECURE }),
        );
      });

      it('refuses its token request without a proof: 400 invalid_dpop_proof', async () => {
        const { response } = await exchange(strict, 'current_time', 'dpop-strict', undefined);
        assert.equal(response.status, 400);
        assert.equal(response.headers.get('cache-control'), 'no-store');
        assert.deepEqual(await response.json(), {
          error: 'invalid_dpop_proof',
          error_description: 'this client must send a DPoP proof',
        });
      });

      it('issues it a DPoP token with a proof', async () => {
        const strictHandle = oauth.DPoP(webapp, pair);
        const { response } = await exchange(strict, 'epoch_time', 'dpop-strict', strictHandle);
        const result = await oauth.processAuthorizationCodeResponse(strict, webapp, response);
        assert.equal(result.token_type, 'dpop');
        assert.deepEqual(decodeJwt(remember('access_token', result.access_token)).payload.cnf, {
          jkt,
        });
      });
    },
  );

  /** Each mode, and how it words a token it cannot accept (the AS says inactive; a bad signature). */
  const servers: { mode: string; url: () => string; refusedToken: string }[] = [];
  servers.push({
    mode: 'introspection',
    url: () => stack.resourceUrl,
    refusedToken: 'the access token is not active',
  });
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
    servers.push({
      mode: 'jwks',
      url: () => jwksUrl,
      refusedToken: 'the access token is invalid or expired',
    });
  }

  for (const server of servers) {
    describe(`resource server, TOKEN_VALIDATION=${server.mode}`, () => {
      const endpoint = (scope: Scope = 'current_time'): string => `${server.url()}/${scope}`;

      it('answers oauth4webapi’s Authorization: DPoP with a proof (the control for every attack)', async () => {
        for (const scope of ['current_time', 'epoch_time'] as const) {
          const { token } = await dpopToken(scope, `dpop-${server.mode}`);
          const recorder = proofRecorder();
          const response = await oauth.protectedResourceRequest(
            token,
            'GET',
            new URL(endpoint(scope)),
            new Headers(),
            null,
            { ...INSECURE, DPoP: handle, [oauth.customFetch]: recorder.fetch },
          );
          assert.equal(response.status, 200);
          const body = (await response.json()) as Record<string, unknown>;
          assert.deepEqual(Object.keys(body).sort(), [scope, 'user']);
          assert.equal(body.user, `dpop-${server.mode}`);
          // The proof oauth4webapi sent names this request and hashes this token.
          const proof = decodeJwt(recorder.proofs[0]!);
          assert.equal(proof.header.typ, 'dpop+jwt');
          assert.equal(proof.payload.htm, 'GET');
          assert.equal(proof.payload.htu, endpoint(scope));
          assert.equal(typeof proof.payload.ath, 'string');
        }
      });

      it('refuses a proof for another method', async () => {
        const { token } = await dpopToken();
        const proof = await resourceProof(handle, token, endpoint(), 'POST');
        assertDpopChallenge(
          await present(endpoint(), token, proof),
          'invalid_dpop_proof',
          'the DPoP proof htm does not match the request method',
        );
      });

      it('refuses a proof for another URL', async () => {
        const { token } = await dpopToken();
        const proof = await resourceProof(handle, token, endpoint('epoch_time'));
        assertDpopChallenge(
          await present(endpoint(), token, proof),
          'invalid_dpop_proof',
          'the DPoP proof htu does not match the request URL',
        );
      });

      it('refuses a proof with an old iat', async () => {
        const { token } = await dpopToken();
        const old = oauth.DPoP(webapp, pair, {
          [oauth.modifyAssertion]: (_header, payload) => {
            payload.iat = nowSeconds() - 300;
          },
        });
        assertDpopChallenge(
          await present(endpoint(), token, await resourceProof(old, token, endpoint())),
          'invalid_dpop_proof',
          'the DPoP proof is too old',
        );
      });

      it('refuses a replayed proof (its jti was seen)', async () => {
        const { token } = await dpopToken();
        const proof = await resourceProof(handle, token, endpoint());
        const first = await present(endpoint(), token, proof);
        assert.equal(first.status, 200, first.text);
        assertDpopChallenge(
          await present(endpoint(), token, proof),
          'invalid_dpop_proof',
          'the DPoP proof has been used before',
        );
      });

      it('refuses a proof by another key than cnf.jkt: a stolen token is worthless', async () => {
        const { token } = await dpopToken();
        const thief = oauth.DPoP(webapp, await es256Pair());
        // oauth4webapi, as the thief's client, reads the 7.1 challenge itself.
        const refusal = await oauth
          .protectedResourceRequest(token, 'GET', new URL(endpoint()), new Headers(), null, {
            ...INSECURE,
            DPoP: thief,
          })
          .then(
            () => assert.fail('the resource server accepted a proof by another key'),
            (err: unknown) => err,
          );
        assert.ok(refusal instanceof oauth.WWWAuthenticateChallengeError, String(refusal));
        assert.equal(refusal.response.status, 401);
        const [challenge] = refusal.cause;
        assert.equal(challenge?.scheme, 'dpop');
        assert.equal(challenge?.parameters.error, 'invalid_dpop_proof');
        assert.equal(
          challenge?.parameters.error_description,
          'the DPoP proof key is not the key the access token is bound to',
        );
        assert.match(challenge?.parameters.algs ?? '', /\bES256\b/);
      });

      it('refuses the bound token sent as Bearer: invalid_token, with the DPoP challenge', async () => {
        const { token } = await dpopToken();
        assertDpopChallenge(
          await present(endpoint(), token, undefined, 'Bearer'),
          'invalid_token',
          'the access token is DPoP-bound; send it with the DPoP scheme and a proof',
        );
        // A proof alongside does not make the Bearer scheme acceptable.
        assertDpopChallenge(
          await present(
            endpoint(),
            token,
            await resourceProof(handle, token, endpoint()),
            'Bearer',
          ),
          'invalid_token',
          'the access token is DPoP-bound; send it with the DPoP scheme and a proof',
        );
      });

      it('refuses the bound token under DPoP without a proof', async () => {
        const { token } = await dpopToken();
        assertDpopChallenge(
          await present(endpoint(), token),
          'invalid_dpop_proof',
          'send exactly one DPoP proof with a DPoP-bound token',
        );
      });

      it('refuses a proof whose ath hashes another token', async () => {
        const { token } = await dpopToken();
        const { token: other } = await dpopToken();
        assertDpopChallenge(
          await present(endpoint(), token, await resourceProof(handle, other, endpoint())),
          'invalid_dpop_proof',
          'the DPoP proof ath does not match the access token',
        );
      });

      it('refuses a proof with a private key in its jwk header', async () => {
        const { token } = await dpopToken();
        const privateJwk = KeyObject.from(pair.privateKey).export({ format: 'jwk' }) as Json;
        assert.equal(typeof privateJwk.d, 'string');
        const leaky = oauth.DPoP(webapp, pair, {
          [oauth.modifyAssertion]: (header) => {
            header.jwk = privateJwk as oauth.JWK;
          },
        });
        assertDpopChallenge(
          await present(endpoint(), token, await resourceProof(leaky, token, endpoint())),
          'invalid_dpop_proof',
          'the DPoP proof jwk header must not contain a private key',
        );
      });

      it('refuses alg none and HS256 proofs', async () => {
        const { token } = await dpopToken();
        const { payload } = decodeJwt(await resourceProof(handle, token, endpoint()));
        const fresh = (): Json => ({ ...payload, jti: crypto.randomUUID(), iat: nowSeconds() });
        const none = unsigned({ typ: 'dpop+jwt', alg: 'none', jwk: publicJwk }, fresh());
        assertDpopChallenge(
          await present(endpoint(), token, remember('dpop_proof', none)),
          'invalid_dpop_proof',
          'the DPoP proof must be signed (alg none)',
        );
        // A MAC keyed with the public key's own JSON, the classic algorithm confusion.
        const hs256 = signHs256(
          { typ: 'dpop+jwt', alg: 'HS256', jwk: publicJwk },
          fresh(),
          JSON.stringify(publicJwk),
        );
        assertDpopChallenge(
          await present(endpoint(), token, remember('dpop_proof', hs256)),
          'invalid_dpop_proof',
          'the DPoP proof alg must be asymmetric',
        );
      });

      it('answers a DPoP request whose token is forged with the DPoP challenge, invalid_token', async () => {
        const { token } = await dpopToken();
        const [header, payload, signature] = token.split('.') as [string, string, string];
        const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as Json;
        const forged = remember(
          'access_token',
          `${header}.${Buffer.from(JSON.stringify({ ...claims, sub: 'admin' })).toString('base64url')}.${signature}`,
        );
        const reply = await present(
          endpoint(),
          forged,
          await resourceProof(handle, forged, endpoint()),
        );
        assertDpopChallenge(reply, 'invalid_token', server.refusedToken);
      });

      it('answers a DPoP request whose token lacks the scope with the DPoP challenge, insufficient_scope', async () => {
        const { token } = await dpopToken('epoch_time');
        const reply = await present(
          endpoint(),
          token,
          await resourceProof(handle, token, endpoint()),
        );
        assert.equal(reply.status, 403, reply.text);
        assert.deepEqual(jsonBody(reply), {
          error: 'insufficient_scope',
          error_description: 'this endpoint needs the scope current_time',
        });
        assert.match(
          reply.headers.get('www-authenticate') ?? '',
          /^DPoP realm="[^"]+", algs="[^"]*\bES256\b[^"]*", error="insufficient_scope", error_description="this endpoint needs the scope current_time", scope="current_time"$/,
        );
      });

      it('refuses an unbound (Bearer) token under the DPoP scheme', async () => {
        const { response } = await exchange(as, 'current_time', 'dpop-unbound', undefined);
        const result = await oauth.processAuthorizationCodeResponse(as, webapp, response);
        const token = remember('access_token', result.access_token);
        assertDpopChallenge(
          await present(endpoint(), token, await resourceProof(handle, token, endpoint())),
          'invalid_token',
          'the access token is not DPoP-bound; send it with the Bearer scheme',
        );
        const asBearer = await present(endpoint(), token, undefined, 'Bearer');
        assert.equal(asBearer.status, 200, asBearer.text);
      });
    });
  }

  describe('the webapp', () => {
    /** The scheme the resource server saw for the webapp's request `requestId`. */
    async function schemeSeen(requestId: string): Promise<unknown> {
      const [granted] = await stack.waitForLogs(
        'resource',
        (e) => e.event === 'access_granted' && e.request_id === requestId,
      );
      return granted?.scheme;
    }

    it('answers /current_time with DPOP=true (the default), presenting a DPoP token', async (t) => {
      const reply = await call(`${stack.webappUrl}/current_time`, {
        headers: { authorization: basic('dpop-webapp', PASSWORD), 'x-request-id': 'e2e-dpop-on' },
      });
      assert.equal(reply.status, 200, reply.text);
      assert.equal(jsonBody(reply).user, 'dpop-webapp');
      if (NEEDS_LOGS !== false) return t.skip(NEEDS_LOGS);
      assert.equal(await schemeSeen('e2e-dpop-on'), 'DPoP');
    });

    it(
      'answers /current_time with DPOP=false, presenting a Bearer token',
      { skip: NEEDS_LOCAL_PROCESSES },
      async () => {
        const bearer = await stack.startApp('webapp', {
          label: 'webapp-bearer',
          env: { DPOP: 'false' },
        });
        await bearer.waitUntilReady();
        const reply = await call(`${bearer.url}/current_time`, {
          headers: { authorization: basic('dpop-off', PASSWORD), 'x-request-id': 'e2e-dpop-off' },
        });
        assert.equal(reply.status, 200, reply.text);
        assert.equal(jsonBody(reply).user, 'dpop-off');
        assert.equal(await schemeSeen('e2e-dpop-off'), 'Bearer');
      },
    );

    it('gets a DPoP token through the front channel too (/login, /callback)', async (t) => {
      const login = await call(`${stack.webappUrl}/login?scope=epoch_time`);
      assert.equal(login.status, 302, login.text);
      const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
      remember('login_cookie', cookie);
      const authorize = await call(login.headers.get('location') ?? '', {
        headers: { authorization: basic('dpop-browser', PASSWORD) },
      });
      assert.equal(authorize.status, 302, authorize.text);
      const callback = await call(authorize.headers.get('location') ?? '', {
        headers: { cookie, 'x-request-id': 'e2e-dpop-login' },
      });
      assert.equal(callback.status, 200, callback.text);
      assert.equal(jsonBody(callback).user, 'dpop-browser');
      if (NEEDS_LOGS !== false) return t.skip(NEEDS_LOGS);
      assert.equal(await schemeSeen('e2e-dpop-login'), 'DPoP');
    });
  });
});
