/* eslint-disable @typescript-eslint/no-floating-promises -- node:test registers suites synchronously; the runner awaits them */
/**
 * The whole flow driven by oauth4webapi, a standards client nobody here wrote: discovery
 * (RFC 8414), PKCE (RFC 7636), the authorization response with `iss` (RFC 9207), the code
 * exchange with both client authentication methods, RFC 9068 access-token validation,
 * introspection (RFC 7662) and revocation (RFC 7009).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as oauth from 'oauth4webapi';
import { basic, call, jsonBody } from './support/http.ts';
import { callResource } from './support/oauth.ts';
import { remember } from './support/secrets.ts';
import {
  CLIENT_ID,
  CLIENT_SECRET,
  PASSWORD,
  RESOURCE_CLIENT_ID,
  RESOURCE_CLIENT_SECRET,
  Stack,
} from './support/stack.ts';

/** The issuer is plain http on a test machine. */
const INSECURE = { [oauth.allowInsecureRequests]: true } as const;

const webapp: oauth.Client = { client_id: CLIENT_ID };
const resourceServer: oauth.Client = { client_id: RESOURCE_CLIENT_ID };

describe('oauth4webapi against the authorization and resource servers', () => {
  let stack: Stack;
  let as: oauth.AuthorizationServer;

  before(async () => {
    stack = await Stack.start('oauth4webapi');
  });

  after(async () => {
    await stack?.stop();
  });

  /** Authorize as `user` through the user agent's eyes; returns the validated callback parameters. */
  async function authorizationResponse(
    scope: string,
    user: string,
  ): Promise<{ params: URLSearchParams; verifier: string }> {
    const verifier = remember('code_verifier', oauth.generateRandomCodeVerifier());
    const challenge = await oauth.calculatePKCECodeChallenge(verifier);
    const state = oauth.generateRandomState();
    const url = new URL(as.authorization_endpoint!);
    url.search = new URLSearchParams({
      response_type: 'code',
      client_id: webapp.client_id,
      redirect_uri: stack.redirectUri,
      scope,
      state,
      code_challenge: challenge,
      code_challenge_method: 'S256',
    }).toString();
    const reply = await call(url.href, { headers: { authorization: basic(user, PASSWORD) } });
    assert.equal(reply.status, 302, reply.text);
    const location = new URL(reply.headers.get('location') ?? '');
    assert.equal(`${location.origin}${location.pathname}`, stack.redirectUri);
    // Checks state, iss (the metadata announces RFC 9207) and that no error came back.
    const params = oauth.validateAuthResponse(as, webapp, location, state);
    remember('code', params.get('code') ?? '');
    return { params, verifier };
  }

  async function exchange(
    scope: string,
    user: string,
    clientAuth: oauth.ClientAuth,
  ): Promise<{ token: string; response: Response; result: oauth.TokenEndpointResponse }> {
    const { params, verifier } = await authorizationResponse(scope, user);
    const response = await oauth.authorizationCodeGrantRequest(
      as,
      webapp,
      clientAuth,
      params,
      stack.redirectUri,
      verifier,
      INSECURE,
    );
    const headers = response.headers;
    const result = await oauth.processAuthorizationCodeResponse(as, webapp, response);
    assert.equal(headers.get('cache-control'), 'no-store');
    remember('access_token', result.access_token);
    return { token: result.access_token, response, result };
  }

  it('discovers the authorization server (RFC 8414)', async () => {
    const issuer = new URL(stack.issuer);
    const response = await oauth.discoveryRequest(issuer, { algorithm: 'oauth2', ...INSECURE });
    as = await oauth.processDiscoveryResponse(issuer, response);
    assert.equal(as.issuer, stack.issuer);
    for (const endpoint of [
      'authorization_endpoint',
      'token_endpoint',
      'introspection_endpoint',
      'revocation_endpoint',
      'jwks_uri',
    ] as const) {
      assert.ok(
        as[endpoint]?.startsWith(`${stack.issuer}/`),
        `${endpoint} ${as[endpoint]} is not under the issuer`,
      );
    }
    assert.deepEqual(as.scopes_supported, ['current_time', 'epoch_time']);
    assert.deepEqual(as.response_types_supported, ['code']);
    assert.ok(as.grant_types_supported?.includes('authorization_code'));
    assert.deepEqual(as.code_challenge_methods_supported, ['S256']);
    assert.ok(as.token_endpoint_auth_methods_supported?.includes('client_secret_basic'));
    assert.ok(as.token_endpoint_auth_methods_supported?.includes('client_secret_post'));
    assert.equal(as.authorization_response_iss_parameter_supported, true);
  });

  for (const [method, auth] of [
    ['client_secret_basic', () => oauth.ClientSecretBasic(CLIENT_SECRET)],
    ['client_secret_post', () => oauth.ClientSecretPost(CLIENT_SECRET)],
  ] as const) {
    it(`runs the code flow with PKCE S256 and ${method}, and the token opens the API`, async () => {
      const { token, result } = await exchange('current_time', 'o4w-user', auth());
      assert.equal(result.token_type, 'bearer');
      assert.equal(result.expires_in, 5);
      assert.equal(result.scope, 'current_time');
      const reply = await callResource(stack.resourceUrl, 'current_time', token);
      assert.equal(reply.status, 200, reply.text);
      assert.deepEqual(Object.keys(jsonBody(reply)).sort(), ['current_time', 'user']);
      assert.equal(jsonBody(reply).user, 'o4w-user');
    });
  }

  it('issues RFC 9068 access tokens that oauth4webapi validates against the JWKS', async () => {
    const { token } = await exchange(
      'epoch_time',
      'o4w-jwt',
      oauth.ClientSecretBasic(CLIENT_SECRET),
    );
    const request = new Request(`${stack.resourceUrl}/epoch_time`, {
      headers: { authorization: `Bearer ${token}` },
    });
    // Checks typ at+jwt, the signature by a JWKS key, iss, aud, exp, iat, sub, client_id, jti.
    const claims = await oauth.validateJwtAccessToken(as, request, stack.audience, INSECURE);
    assert.equal(claims.iss, stack.issuer);
    assert.equal(claims.aud, stack.audience);
    assert.equal(claims.sub, 'o4w-jwt');
    assert.equal(claims.client_id, CLIENT_ID);
    assert.equal(claims.scope, 'epoch_time');
    assert.equal(claims.exp - claims.iat, 5);
    assert.match(claims.jti, /\S/);
    const [header] = token.split('.');
    const decoded = JSON.parse(Buffer.from(header!, 'base64url').toString()) as Record<
      string,
      unknown
    >;
    assert.equal(decoded.typ, 'at+jwt');
    assert.equal(decoded.alg, 'ES256');
    assert.equal(typeof decoded.kid, 'string');
  });

  it('introspects an active token for the resource server (RFC 7662)', async () => {
    const { token } = await exchange(
      'current_time',
      'o4w-intro',
      oauth.ClientSecretBasic(CLIENT_SECRET),
    );
    const response = await oauth.introspectionRequest(
      as,
      resourceServer,
      oauth.ClientSecretBasic(RESOURCE_CLIENT_SECRET),
      token,
      INSECURE,
    );
    const result = await oauth.processIntrospectionResponse(as, resourceServer, response);
    const jwt = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as Record<
      string,
      unknown
    >;
    assert.deepEqual(
      { ...result },
      {
        active: true,
        scope: 'current_time',
        client_id: CLIENT_ID,
        username: 'o4w-intro',
        sub: 'o4w-intro',
        aud: stack.audience,
        iss: stack.issuer,
        exp: jwt.exp,
        iat: jwt.iat,
        jti: jwt.jti,
        token_type: 'Bearer',
      },
    );
  });

  it('revokes a token (RFC 7009): inactive at once, refused by the resource server', async () => {
    const { token } = await exchange(
      'current_time',
      'o4w-revoke',
      oauth.ClientSecretBasic(CLIENT_SECRET),
    );
    assert.equal((await callResource(stack.resourceUrl, 'current_time', token)).status, 200);
    const revocation = await oauth.revocationRequest(
      as,
      webapp,
      oauth.ClientSecretBasic(CLIENT_SECRET),
      token,
      INSECURE,
    );
    assert.equal(revocation.status, 200);
    await oauth.processRevocationResponse(revocation);
    const response = await oauth.introspectionRequest(
      as,
      resourceServer,
      oauth.ClientSecretBasic(RESOURCE_CLIENT_SECRET),
      token,
      INSECURE,
    );
    const result = await oauth.processIntrospectionResponse(as, resourceServer, response);
    assert.deepEqual({ ...result }, { active: false });
    const reply = await callResource(stack.resourceUrl, 'current_time', token);
    assert.equal(reply.status, 401, reply.text);
    assert.match(
      reply.headers.get('www-authenticate') ?? '',
      /^Bearer realm="[^"]*", error="invalid_token"/,
    );
    assert.equal(jsonBody(reply).error, 'invalid_token');
  });

  it('revocation of an unknown token is still 200', async () => {
    const response = await oauth.revocationRequest(
      as,
      webapp,
      oauth.ClientSecretPost(CLIENT_SECRET),
      'no-such-token',
      INSECURE,
    );
    assert.equal(response.status, 200);
    await oauth.processRevocationResponse(response);
  });

  it('a replayed code is an RFC 6749 5.2 invalid_grant that oauth4webapi reads', async () => {
    const { params, verifier } = await authorizationResponse('current_time', 'o4w-replay');
    const first = await oauth.authorizationCodeGrantRequest(
      as,
      webapp,
      oauth.ClientSecretBasic(CLIENT_SECRET),
      params,
      stack.redirectUri,
      verifier,
      INSECURE,
    );
    remember(
      'access_token',
      (await oauth.processAuthorizationCodeResponse(as, webapp, first)).access_token,
    );
    const second = await oauth.authorizationCodeGrantRequest(
      as,
      webapp,
      oauth.ClientSecretBasic(CLIENT_SECRET),
      params,
      stack.redirectUri,
      verifier,
      INSECURE,
    );
    await assert.rejects(
      oauth.processAuthorizationCodeResponse(as, webapp, second),
      (err: unknown) => {
        assert.ok(err instanceof oauth.ResponseBodyError, String(err));
        assert.equal(err.status, 400);
        assert.equal(err.error, 'invalid_grant');
        return true;
      },
    );
  });

  it('a wrong client secret is invalid_client with a Basic challenge', async () => {
    const { params, verifier } = await authorizationResponse('current_time', 'o4w-badclient');
    const response = await oauth.authorizationCodeGrantRequest(
      as,
      webapp,
      oauth.ClientSecretBasic(remember('client_secret', 'not-the-secret')),
      params,
      stack.redirectUri,
      verifier,
      INSECURE,
    );
    let challenge: oauth.WWWAuthenticateChallengeError | undefined;
    await assert.rejects(
      oauth.processAuthorizationCodeResponse(as, webapp, response),
      (err: unknown) => {
        // RFC 6749 5.2: a client that authenticated with Basic gets a challenge for that scheme.
        assert.ok(err instanceof oauth.WWWAuthenticateChallengeError, String(err));
        challenge = err;
        return true;
      },
    );
    assert.equal(challenge?.status, 401);
    assert.deepEqual(
      challenge?.cause.map((c) => c.scheme),
      ['basic'],
    );
    const body = (await challenge?.response.json()) as Record<string, unknown>;
    assert.equal(body.error, 'invalid_client');
  });

  it('introspection refuses a caller that does not authenticate', async () => {
    const response = await oauth.introspectionRequest(
      as,
      resourceServer,
      oauth.ClientSecretBasic('wrong-resource-secret'),
      'whatever',
      INSECURE,
    );
    assert.equal(response.status, 401);
    await assert.rejects(oauth.processIntrospectionResponse(as, resourceServer, response));
  });
});
