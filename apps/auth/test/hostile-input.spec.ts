import fc from 'fast-check';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { parseForm } from '@app/common/http';
import { LIMITS } from '@app/contracts';
import { createAuthApp } from './support/auth-app';
import { RFC7636_CHALLENGE } from './support/fakes';
import {
  FORM_TYPES,
  type Method,
  METHODS,
  type Parameters,
  PROPERTY_TIMEOUT_MS,
  RUNS,
  badlyEscapedPath,
  errorOf,
  expectContractAnswer,
  hasBadPercentEscape,
  headersOf,
  hostileAuthorization,
  hostileBody,
  hostileContentType,
  hostileEncodedPairs,
  hostilePath,
  hostileRequestId,
  hostileText,
  mostly,
  mutatedParameters,
  oversizedBody,
  pathnameOf,
  percentEncode,
  routePatternPath,
  without,
} from '../../../libs/common/test/hostile';
import { CALLBACK, ISSUER, RESOURCE_SERVER, WEBAPP, basic } from './support/oauth-client';

/** Every route of the authorization server and the methods it answers. */
const ROUTES: Record<string, readonly string[]> = {
  '/authorize': ['GET', 'HEAD', 'POST'],
  '/token': ['POST'],
  '/introspect': ['POST'],
  '/revoke': ['POST'],
  '/jwks.json': ['GET', 'HEAD'],
  '/.well-known/oauth-authorization-server': ['GET', 'HEAD'],
  '/healthz': ['GET', 'HEAD'],
  '/readyz': ['GET', 'HEAD'],
};
const PATHS = Object.keys(ROUTES);
const FORM_ENDPOINTS = ['/authorize', '/token', '/introspect', '/revoke'] as const;

const AUTHORIZE: Parameters = {
  response_type: 'code',
  client_id: WEBAPP.id,
  redirect_uri: CALLBACK,
  scope: 'current_time',
  state: 'state-1',
  code_challenge: RFC7636_CHALLENGE,
  code_challenge_method: 'S256',
};
const LOGIN_FORM: Parameters = { ...AUTHORIZE, username: 'alice', password: 'wonderland' };
const TOKEN: Parameters = {
  grant_type: 'authorization_code',
  code: 'x'.repeat(43),
  redirect_uri: CALLBACK,
  code_verifier: 'dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk',
  client_id: WEBAPP.id,
  client_secret: WEBAPP.secret,
};
const CLIENT_POST: Parameters = { client_id: WEBAPP.id, client_secret: WEBAPP.secret };
const INTROSPECT: Parameters = {
  token: 'eyJhbGciOiJFUzI1NiJ9.e30.AAAA',
  token_type_hint: 'access_token',
  client_id: RESOURCE_SERVER.id,
  client_secret: RESOURCE_SERVER.secret,
};

/** The parameters each form endpoint's DTO declares; sent twice, each must be refused. */
const DECLARED: Record<(typeof FORM_ENDPOINTS)[number] | 'GET /authorize', Parameters> = {
  'GET /authorize': AUTHORIZE,
  '/authorize': LOGIN_FORM,
  '/token': TOKEN,
  '/introspect': INTROSPECT,
  '/revoke': INTROSPECT,
};

const FORM = FORM_TYPES[0];
const LOGIN_CHALLENGE = 'Basic realm="login", charset="UTF-8"';
const CLIENT_CHALLENGE = 'Basic realm="oauth", charset="UTF-8"';
/** Checked only once the client and its redirect URI are known: refusals here are redirected. */
const REDIRECTABLE = ['response_type', 'scope', 'state', 'code_challenge', 'code_challenge_method'];
/** What the authorization endpoint may send back to the client's redirect URI. */
const REDIRECTED_ERRORS = [
  'invalid_request',
  'invalid_scope',
  'unsupported_response_type',
  'temporarily_unavailable',
];
const WEBAPP_BASIC = basic(WEBAPP.id, WEBAPP.secret);
const RESOURCE_BASIC = basic(RESOURCE_SERVER.id, RESOURCE_SERVER.secret);

/** A form body: random pairs, a good form mutated, raw bytes, JSON, nothing. */
function formBody(base: Parameters): fc.Arbitrary<string | Buffer | undefined> {
  return fc.oneof(
    { weight: 3, arbitrary: mutatedParameters(base) },
    { weight: 2, arbitrary: hostileBody },
  );
}

function contentTypeMostlyForm(): fc.Arbitrary<string | undefined> {
  return mostly<string | undefined>(FORM, hostileContentType);
}

/**
 * A client-authenticated form and its Authorization header, mostly coherent: client_secret_post
 * with no header, or client_secret_basic with `basicHeader`; each now and then hostile.
 */
function authenticatedForm(
  base: Parameters,
  basicHeader: string,
): fc.Arbitrary<[string | Buffer | undefined, string | undefined]> {
  return fc.oneof(
    fc.tuple(formBody(base), mostly<string | undefined>(undefined, hostileAuthorization)),
    fc.tuple(
      formBody(without(base, 'client_id', 'client_secret')),
      mostly<string | undefined>(basicHeader, hostileAuthorization),
    ),
  );
}

/** Whether Fastify may take `contentType` for a form (the media type, parameters aside). */
function isFormType(contentType: string | undefined): boolean {
  if (contentType === undefined) return false;
  return contentType.split(';')[0]?.trim().toLowerCase() === FORM;
}

/**
 * Whether an authorization request names the registered client and redirect URI, once each,
 * and any login fields it has are readable: then nothing about it may be a 400 (RFC 6749
 * 4.1.2.1: every later error goes back to the client).
 */
function namesTheClient(encoded: string): boolean {
  const parameters = parseForm(encoded);
  // A login field sent twice cannot be read; one of any length is the login's to judge (401).
  const readable = (name: string): boolean => {
    const value = parameters[name];
    return value === undefined || typeof value === 'string';
  };
  return (
    parameters.client_id === WEBAPP.id &&
    parameters.redirect_uri === CALLBACK &&
    readable('username') &&
    readable('password')
  );
}

/** The methods of the route a path reaches, once normalised and percent-decoded; or none. */
function allowedMethods(path: string): readonly string[] | undefined {
  let route: string;
  try {
    route = decodeURIComponent(pathnameOf(path));
  } catch {
    return undefined;
  }
  return Object.prototype.hasOwnProperty.call(ROUTES, route) ? ROUTES[route] : undefined;
}

jest.setTimeout(PROPERTY_TIMEOUT_MS);

describe('hostile input to the authorization server (property-based)', () => {
  let app: NestFastifyApplication;

  const send = async (options: InjectOptions): Promise<LightMyRequestResponse> => {
    const response = await app.inject(options);
    expectContractAnswer(response);
    return response;
  };

  /** A 302 from the authorization endpoint goes to the registered URI only, with iss. */
  const expectSafeRedirect = (response: LightMyRequestResponse): void => {
    if (response.statusCode !== 302) return;
    expect(response.headers['cache-control']).toBe('no-store');
    const location = new URL(String(response.headers.location));
    expect(`${location.origin}${location.pathname}`).toBe(CALLBACK);
    expect(location.searchParams.get('iss')).toBe(ISSUER);
    expect(location.searchParams.has('code') !== location.searchParams.has('error')).toBe(true);
    const error = location.searchParams.get('error');
    if (error !== null) expect(REDIRECTED_ERRORS).toContain(error);
  };

  /**
   * What the authorization endpoint may answer at all: a redirect, a 400 (the client or its
   * redirect URI is wrong, or a login field cannot be read), or a 401 with the login challenge.
   */
  const expectAuthorizationAnswer = (response: LightMyRequestResponse, encoded: string): void => {
    expect([302, 400, 401, 413, 415]).toContain(response.statusCode);
    if (response.statusCode === 400) {
      expect(namesTheClient(encoded)).toBe(false);
      expect(errorOf(response).error).toBe('invalid_request');
      expect(response.headers.location).toBeUndefined();
    }
    if (response.statusCode === 401) {
      expect(errorOf(response).error).toBe('login_required');
      expect(response.headers['www-authenticate']).toBe(LOGIN_CHALLENGE);
    }
    expectSafeRedirect(response);
  };

  /** Every 401 of a client-authenticated endpoint is invalid_client and tells how to log in. */
  const expectClientChallenge = (response: LightMyRequestResponse): void => {
    if (response.statusCode !== 401) return;
    expect(errorOf(response).error).toBe('invalid_client');
    expect(response.headers['www-authenticate']).toBe(CLIENT_CHALLENGE);
  };

  beforeAll(async () => {
    // Limits far out of reach: a 429 would hide the answer a property is about.
    app = await createAuthApp({
      config: { authFailureLimit: 1_000_000, introspectionLimit: 1_000_000 },
    });
  });

  afterAll(() => app.close());

  afterEach(() => {
    // No parameter name may have reached Object.prototype.
    const probe = {} as Record<string, unknown>;
    expect(probe.polluted).toBeUndefined();
    expect(Object.getOwnPropertyNames(Object.prototype)).not.toContain('polluted');
  });

  it('GET /authorize: any query string and login gets a contract answer or a safe redirect', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          { weight: 1, arbitrary: hostileEncodedPairs },
          { weight: 3, arbitrary: mutatedParameters(AUTHORIZE) },
        ),
        fc.oneof(hostileAuthorization, fc.constant(basic('alice', 'wonderland'))),
        async (query, authorization) => {
          const response = await send({
            method: 'GET',
            url: `/authorize?${query}`,
            headers: headersOf({ authorization }),
          });
          expect(response.statusCode).not.toBe(413);
          expectAuthorizationAnswer(response, query);
        },
      ),
      RUNS,
    );
  });

  it('POST /authorize: any form, content type and login gets a contract answer or a safe redirect', async () => {
    await fc.assert(
      fc.asyncProperty(
        formBody(LOGIN_FORM),
        contentTypeMostlyForm(),
        hostileAuthorization,
        fc.oneof(fc.constant(''), hostileEncodedPairs),
        async (payload, contentType, authorization, query) => {
          const response = await send({
            method: 'POST',
            url: query === '' ? '/authorize' : `/authorize?${query}`,
            headers: headersOf({ 'content-type': contentType, authorization }),
            payload,
          });
          // The form is the request (the query of a POST is not read): one that names the
          // client and its redirect URI rightly is never a 400.
          if (
            response.statusCode === 400 &&
            isFormType(contentType) &&
            typeof payload === 'string'
          ) {
            expect(namesTheClient(payload)).toBe(false);
          }
          expect([302, 400, 401, 413, 415]).toContain(response.statusCode);
          expectSafeRedirect(response);
          if (response.statusCode === 401) {
            expect(response.headers['www-authenticate']).toBe(LOGIN_CHALLENGE);
          }
        },
      ),
      RUNS,
    );
  });

  it('GET /authorize: with the client and its redirect URI right, any other parameter gets a redirect, never a 400', async () => {
    const value = fc.oneof(
      fc.constant<string[] | undefined>(undefined),
      hostileText.map((text) => [text.slice(0, 1_000)]),
      fc.array(
        hostileText.map((text) => text.slice(0, 300)),
        { minLength: 2, maxLength: 3 },
      ),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.record(
          Object.fromEntries(
            REDIRECTABLE.map((name) => [
              name,
              mostly<string[] | undefined>([AUTHORIZE[name] ?? ''], value),
            ]),
          ),
        ),
        async (values) => {
          const pairs = [
            `client_id=${WEBAPP.id}`,
            `redirect_uri=${percentEncode(CALLBACK)}`,
            ...Object.entries(values).flatMap(([name, sent]) =>
              (sent ?? []).map((one) => `${name}=${percentEncode(one)}`),
            ),
          ];
          const response = await send({
            method: 'GET',
            url: `/authorize?${pairs.join('&')}`,
            headers: { authorization: basic('alice', 'wonderland') },
          });
          expect(response.statusCode).toBe(302);
          expectSafeRedirect(response);
          // The state comes back exactly as the server read it, or, when it could not be read
          // (repeated, or too long), not at all.
          const returned = new URL(String(response.headers.location)).searchParams.get('state');
          const sent = (values.state ?? [])
            .map((one) => parseForm(`s=${percentEncode(one)}`).s)
            .filter((one) => one !== undefined);
          if (returned !== null) expect(sent).toEqual([returned]);
          else {
            expect(
              sent.length === 0 || sent.length > 1 || String(sent[0]).length > LIMITS.state,
            ).toBe(true);
          }
        },
      ),
      RUNS,
    );
  });

  it('POST /token: any form and client authentication is refused with an RFC 6749 5.2 error', async () => {
    await fc.assert(
      fc.asyncProperty(
        authenticatedForm(TOKEN, WEBAPP_BASIC),
        contentTypeMostlyForm(),
        async ([payload, authorization], contentType) => {
          const response = await send({
            method: 'POST',
            url: '/token',
            headers: headersOf({ 'content-type': contentType, authorization }),
            payload,
          });
          // No code was ever issued, so nothing can be granted.
          expect([400, 401, 413, 415]).toContain(response.statusCode);
          expectClientChallenge(response);
        },
      ),
      RUNS,
    );
  });

  it('POST /introspect: any form and caller gets {active:false} or an error', async () => {
    await fc.assert(
      fc.asyncProperty(
        authenticatedForm(INTROSPECT, RESOURCE_BASIC),
        contentTypeMostlyForm(),
        async ([payload, authorization], contentType) => {
          const response = await send({
            method: 'POST',
            url: '/introspect',
            headers: headersOf({ 'content-type': contentType, authorization }),
            payload,
          });
          // No token was ever issued, so none is active; a token that is not one is inactive,
          // not a bad request, however long or strange.
          expect([200, 400, 401, 413, 415]).toContain(response.statusCode);
          if (response.statusCode === 200) expect(response.json()).toEqual({ active: false });
          expectClientChallenge(response);
        },
      ),
      RUNS,
    );
  });

  it('POST /revoke: any form and caller gets 200 {} or an error', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          authenticatedForm({ ...INTROSPECT, ...CLIENT_POST }, WEBAPP_BASIC),
          authenticatedForm(INTROSPECT, RESOURCE_BASIC),
        ),
        contentTypeMostlyForm(),
        async ([payload, authorization], contentType) => {
          const response = await send({
            method: 'POST',
            url: '/revoke',
            headers: headersOf({ 'content-type': contentType, authorization }),
            payload,
          });
          expect([200, 400, 401, 413, 415]).toContain(response.statusCode);
          if (response.statusCode === 200) expect(response.json()).toEqual({});
          expectClientChallenge(response);
        },
      ),
      RUNS,
    );
  });

  it('a form body over 16384 bytes gets 413 JSON on every form endpoint', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...FORM_ENDPOINTS),
        fc.constantFrom(...FORM_TYPES),
        oversizedBody,
        hostileAuthorization,
        async (url, contentType, body, authorization) => {
          const response = await send({
            method: 'POST',
            url,
            headers: {
              ...headersOf({ 'content-type': contentType, authorization }),
              ...body.headers,
            },
            payload: body.make(),
          });
          expect(response.statusCode).toBe(413);
          expect(errorOf(response).error).toBe('payload_too_large');
        },
      ),
      { ...RUNS, numRuns: 60 },
    );
  });

  it('a body over the limit of any content type gets 413 or 415 JSON', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...FORM_ENDPOINTS),
        hostileContentType,
        oversizedBody,
        async (url, contentType, body) => {
          const response = await send({
            method: 'POST',
            url,
            headers: { ...headersOf({ 'content-type': contentType }), ...body.headers },
            payload: body.make(),
          });
          expect([400, 413, 415]).toContain(response.statusCode);
        },
      ),
      { ...RUNS, numRuns: 60 },
    );
  });

  it('a body that is not a form gets 415 or 400 JSON, never 500', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...FORM_ENDPOINTS),
        hostileContentType.filter((type) => !isFormType(type)),
        fc
          .oneof(hostileEncodedPairs, hostileBody)
          .filter((body) => body !== undefined && body.length > 0),
        fc.constantFrom(undefined, WEBAPP_BASIC, basic('alice', 'pw')),
        async (url, contentType, payload, authorization) => {
          const response = await send({
            method: 'POST',
            url,
            headers: headersOf({ 'content-type': contentType, authorization }),
            payload,
          });
          expect([400, 415]).toContain(response.statusCode);
        },
      ),
      RUNS,
    );
  });

  it('a declared parameter sent twice is refused: redirected as invalid_request when redirectable, else 400', async () => {
    const cases = Object.entries(DECLARED).flatMap(([endpoint, base]) =>
      Object.keys(base).map((name) => ({ endpoint, base, name })),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...cases),
        // Short enough that the form stays under the body limit; an empty value is no value.
        hostileText.map((text) => text.slice(0, 1_000)).filter((text) => text.length > 0),
        fc.boolean(),
        async ({ endpoint, base, name }, duplicate, duplicateFirst) => {
          const pairs = Object.entries(base).map(([k, v]) => `${k}=${percentEncode(v)}`);
          const extra = `${name}=${percentEncode(duplicate)}`;
          const encoded = (duplicateFirst ? [extra, ...pairs] : [...pairs, extra]).join('&');
          const viaQuery = endpoint === 'GET /authorize';
          const response = await send({
            method: viaQuery ? 'GET' : 'POST',
            url: viaQuery ? `/authorize?${encoded}` : endpoint,
            headers: viaQuery
              ? { authorization: basic('alice', 'wonderland') }
              : { 'content-type': FORM },
            payload: viaQuery ? undefined : encoded,
          });
          if (endpoint.endsWith('/authorize') && REDIRECTABLE.includes(name)) {
            expect(response.statusCode).toBe(302);
            const params = new URL(String(response.headers.location)).searchParams;
            expect(params.get('error')).toBe('invalid_request');
            expect(params.get('error_description')).toBe(
              `parameter ${name} is invalid, too long or repeated`,
            );
            expectSafeRedirect(response);
          } else {
            expect(response.statusCode).toBe(400);
            expect(errorOf(response).error).toBe('invalid_request');
            expect(response.headers.location).toBeUndefined();
          }
        },
      ),
      RUNS,
    );
  });

  it('any method on any path without a body gets 404, or 405 with Allow, or the route answer', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom<Method>(...METHODS),
        fc.oneof(fc.constantFrom(...PATHS), hostilePath(PATHS)),
        fc.option(fc.oneof(fc.constant(''), hostileEncodedPairs), { nil: undefined }),
        hostileAuthorization,
        async (method, path, query, authorization) => {
          const response = await send({
            method,
            url: query === undefined ? path : `${path}?${query}`,
            headers: headersOf({ authorization }),
          });
          // A path that does not percent-decode is refused first: 400, or 404 for a method no
          // route uses (the router gives up before decoding). Both are the contract's JSON.
          if (hasBadPercentEscape(path)) {
            expect([400, 404]).toContain(response.statusCode);
            return;
          }
          const allowed = allowedMethods(path);
          if (allowed === undefined) {
            expect(response.statusCode).toBe(404);
            expect(errorOf(response).error).toBe('not_found');
          } else if (!allowed.includes(method)) {
            expect(response.statusCode).toBe(405);
            expect(errorOf(response).error).toBe('method_not_allowed');
            expect(response.headers.allow).toBe(allowed.join(', '));
          }
        },
      ),
      RUNS,
    );
  });

  it('any method on any path with any body gets a 4xx JSON answer or the route answer', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom<Method>('POST', 'PUT', 'DELETE', 'PATCH'),
        fc.oneof(fc.constantFrom(...PATHS), hostilePath(PATHS)),
        hostileContentType,
        hostileBody,
        async (method, path, contentType, payload) => {
          const response = await send({
            method,
            url: path,
            headers: headersOf({ 'content-type': contentType }),
            payload,
          });
          const allowed = allowedMethods(path);
          // Fastify reads the body before it routes, so an unreadable one may be refused first.
          if (allowed === undefined) expect([400, 404, 413, 415]).toContain(response.statusCode);
          else if (!allowed.includes(method)) {
            expect([400, 405, 413, 415]).toContain(response.statusCode);
          }
        },
      ),
      RUNS,
    );
  });

  it('a path with a malformed percent-escape gets 400 (404 for an unrouted method) in JSON', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom<Method>(...METHODS),
        badlyEscapedPath(PATHS),
        async (method, url) => {
          const response = await send({ method, url });
          expect([400, 404]).toContain(response.statusCode);
        },
      ),
      RUNS,
    );
  });

  it('a path that reads as a route pattern gets 404 JSON, not 500', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom<Method>(...METHODS),
        routePatternPath,
        async (method, url) => {
          const response = await send({ method, url });
          expect(response.statusCode).toBe(404);
        },
      ),
      RUNS,
    );
  });

  it('X-Request-ID: a sane inbound id is echoed, anything else replaced by a UUID', async () => {
    await fc.assert(
      fc.asyncProperty(
        hostileRequestId,
        fc.constantFrom<[Method, string]>(
          ['GET', '/authorize?client_id=1234'],
          ['POST', '/token'],
          ['POST', '/introspect'],
          ['DELETE', '/revoke'],
          ['GET', '/nope'],
          ['GET', '/healthz'],
        ),
        hostileAuthorization,
        async (requestId, [method, url], authorization) => {
          const response = await send({
            method,
            url,
            headers: headersOf({
              'x-request-id': requestId,
              authorization,
              'content-type': method === 'POST' ? FORM : undefined,
            }),
            payload: method === 'POST' ? '' : undefined,
          });
          const sane = requestId !== undefined && /^[A-Za-z0-9][A-Za-z0-9-]{0,63}$/.test(requestId);
          if (sane) expect(response.headers['x-request-id']).toBe(requestId);
        },
      ),
      RUNS,
    );
  });
});
