import fc from 'fast-check';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { UpstreamError } from '@app/common';
import type { AuthorizationResponse, TokenGrant } from '../src/clients/auth-server.port';
import { BadUpstreamAnswerError, UpstreamRefusedError } from '../src/errors/webapp.errors';
import {
  FIXED_EPOCH,
  FIXED_TIME,
  FakeAuthServer,
  FakeResourceServer,
  ISSUER,
  testConfig,
} from './support/fakes';
import {
  type Method,
  METHODS,
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
  oversizedBody,
  pathnameOf,
  routePatternPath,
} from '../../../libs/common/test/hostile';
import { createWebappApp } from './support/webapp-app';

/** Every route of the webapp and the methods it answers. */
const ROUTES: Record<string, readonly string[]> = {
  '/current_time': ['GET', 'HEAD'],
  '/epoch_time': ['GET', 'HEAD'],
  '/healthz': ['GET', 'HEAD'],
  '/readyz': ['GET', 'HEAD'],
  '/': ['GET', 'HEAD'],
  '/login': ['GET', 'HEAD'],
  '/callback': ['GET', 'HEAD'],
};
const PATHS = Object.keys(ROUTES);
const TIME_PATHS = ['/current_time', '/epoch_time'] as const;

// eslint-disable-next-line no-control-regex
const CONTROL = /[\x00-\x1f\x7f]/;

function basic(username: string, password: string): string {
  return `Basic ${Buffer.from(`${username}:${password}`, 'utf8').toString('base64')}`;
}

/** The methods of the route a path reaches, once normalised and percent-decoded; or none. */
function allowedMethods(path: string): readonly string[] | undefined {
  const route = routeOf(path);
  return route !== undefined && Object.prototype.hasOwnProperty.call(ROUTES, route)
    ? ROUTES[route]
    : undefined;
}

function routeOf(path: string): string | undefined {
  try {
    return decodeURIComponent(pathnameOf(path));
  } catch {
    return undefined;
  }
}

/** A refusal code of RFC 6749 error syntax, as the real clients let through. */
const errorCode = fc.stringMatching(/^[\x20\x21\x23-\x5b\x5d-\x7e]{1,64}$/);

const FAILURES = ['unavailable', 'timeout', 'bad_response'] as const;

/** What an upstream port may throw: the failures the real clients raise, with hostile details. */
const upstreamFailure = (upstream: string): fc.Arbitrary<Error | undefined> =>
  fc.oneof(
    { weight: 9, arbitrary: fc.constant(undefined) },
    {
      weight: 1,
      arbitrary: fc
        .tuple(
          fc.constantFrom(...FAILURES),
          hostileText,
          fc.option(fc.integer({ min: 0, max: 99_999 }), { nil: undefined }),
        )
        .map(
          ([failure, detail, retryAfterSeconds]) =>
            new UpstreamError(upstream, failure, detail, { retryAfterSeconds }),
        ),
    },
    {
      weight: 1,
      arbitrary: fc
        .tuple(fc.constantFrom<401 | 403>(401, 403), errorCode, hostileText)
        .map(
          ([status, error, description]) =>
            new UpstreamRefusedError(upstream, status, error, description.slice(0, 1_024)),
        ),
    },
    {
      weight: 1,
      arbitrary: hostileText.map((detail) => new BadUpstreamAnswerError(upstream, detail)),
    },
  );

/** Mostly `good`, now and then something hostile: keeps whole flows succeeding often enough. */
function mostly<T>(good: T, bad: fc.Arbitrary<T>): fc.Arbitrary<T> {
  return fc.oneof({ weight: 4, arbitrary: fc.constant(good) }, { weight: 1, arbitrary: bad });
}

/** An authorization response: `null` state or iss means the right one, the rest is random. */
const hostileRedirect = fc.record({
  code: mostly<string | undefined>('code-1', fc.option(hostileText, { nil: undefined })),
  state: mostly<string | null>(null, hostileText),
  iss: mostly<string | null>(null, fc.oneof(hostileText, fc.constant(`${ISSUER}/`))),
  error: mostly<string | undefined>(undefined, hostileText),
  errorDescription: fc.option(hostileText, { nil: undefined }),
});

/** A token response: `null` scope means the one asked for. */
const hostileGrant = fc.record({
  accessToken: hostileText,
  tokenType: mostly('Bearer', fc.oneof(fc.constantFrom('bearer', 'BEARER'), hostileText)),
  expiresIn: fc.integer(),
  scope: mostly<string | null>(
    null,
    fc.oneof(hostileText, fc.constantFrom('current_time epoch_time', ' ')),
  ),
});

jest.setTimeout(PROPERTY_TIMEOUT_MS);

describe('hostile input to the webapp (property-based)', () => {
  let auth: FakeAuthServer;
  let resource: FakeResourceServer;
  let app: NestFastifyApplication;

  const send = async (options: InjectOptions): Promise<LightMyRequestResponse> => {
    const response = await app.inject(options);
    expectContractAnswer(response);
    return response;
  };

  /** GET /readyz asks the real upstreams, which are not there: 503 by contract. */
  const asksUpstream = (method: Method, path: string): boolean =>
    method === 'GET' && routeOf(path) === '/readyz';

  /** A 200 from a time endpoint is the time of the endpoint, for the user the flow ran for. */
  const expectTimeAnswer = (path: string, response: LightMyRequestResponse): void => {
    if (response.statusCode !== 200) return;
    const user = auth.authorizeCalls.at(-1)?.call.username;
    expect(response.json()).toEqual(
      path === '/current_time'
        ? { current_time: FIXED_TIME, user }
        : { epoch_time: FIXED_EPOCH, user },
    );
  };

  beforeAll(async () => {
    auth = new FakeAuthServer();
    resource = new FakeResourceServer();
    app = await createWebappApp(testConfig(), { auth, resource });
  });

  afterAll(() => app.close());

  afterEach(() => {
    // No parameter name may have reached Object.prototype.
    const probe = {} as Record<string, unknown>;
    expect(probe.polluted).toBeUndefined();
    expect(Object.getOwnPropertyNames(Object.prototype)).not.toContain('polluted');
  });

  beforeEach(() => {
    auth.reset();
    resource.reset();
  });

  it('GET /current_time and /epoch_time: any query, login and request id gets 200 or 401 JSON', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...TIME_PATHS),
        fc.oneof(fc.constant(''), hostileEncodedPairs),
        hostileAuthorization,
        hostileRequestId,
        async (path, query, authorization, requestId) => {
          auth.reset();
          resource.reset();
          const response = await send({
            method: 'GET',
            url: query === '' ? path : `${path}?${query}`,
            headers: headersOf({ authorization, 'x-request-id': requestId }),
          });
          expect([200, 401]).toContain(response.statusCode);
          expectTimeAnswer(path, response);
          if (authorization === undefined) {
            expect(response.statusCode).toBe(200);
            expect(auth.authorizeCalls[0]?.call.username).toBe('demo');
          }
          if (response.statusCode === 401) {
            expect(response.headers['www-authenticate']).toMatch(/^Basic /);
            expect(auth.authorizeCalls).toHaveLength(0);
          }
          // The request id reaches every downstream call unchanged.
          const id = response.headers['x-request-id'];
          const contexts = [...auth.authorizeCalls, ...auth.exchangeCalls, ...resource.calls];
          for (const { context } of contexts) expect(context.requestId).toBe(id);
        },
      ),
      RUNS,
    );
  });

  it('any non-empty username with any password (RFC 7617 characters) gets 200 for that user', async () => {
    const text = (min: number, max: number) =>
      fc
        .string({ unit: 'binary', minLength: min, maxLength: max })
        .filter((value) => !CONTROL.test(value) && !value.includes('\uFFFD'));
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...TIME_PATHS),
        text(1, 64).filter((user) => !user.includes(':')),
        text(0, 128),
        async (path, user, password) => {
          auth.reset();
          resource.reset();
          const response = await send({
            method: 'GET',
            url: path,
            headers: { authorization: basic(user, password) },
          });
          expect(response.statusCode).toBe(200);
          expect(auth.authorizeCalls[0]?.call.username).toBe(user);
          expectTimeAnswer(path, response);
        },
      ),
      RUNS,
    );
  });

  it('hostile answers of the authorization and resource servers get 200, 401/403 or 502/503/504 JSON', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...TIME_PATHS),
        hostileRedirect,
        hostileGrant,
        // The user the resource server names: the caller's (demo, the default user) or another.
        mostly('demo', hostileText),
        upstreamFailure('authorization'),
        upstreamFailure('resource'),
        async (path, redirect, grant, user, authFailure, resourceFailure) => {
          auth.reset();
          resource.reset();
          auth.redirect = (call): AuthorizationResponse => ({
            ...redirect,
            state: redirect.state ?? call.state,
            iss: redirect.iss ?? ISSUER,
          });
          auth.grant = (_code, scope): TokenGrant => ({ ...grant, scope: grant.scope ?? scope });
          auth.failure = authFailure;
          resource.user = user;
          resource.failure = resourceFailure;
          const response = await app.inject({ method: 'GET', url: path });
          // The contract's answers to a broken upstream: passed-on refusals and 502/503/504.
          expectContractAnswer(response, { upstreamFailures: true });
          expect([200, 401, 403, 502, 503, 504]).toContain(response.statusCode);
          expectTimeAnswer(path, response);
          // A 503 says when to retry: the upstream's delay, else 1 second (RFC 9110 10.2.3).
          // What the flow failed with: the authorization server's failure, or, once the flow got
          // as far, the resource server's.
          const failure = authFailure ?? (resource.calls.length > 0 ? resourceFailure : undefined);
          if (response.statusCode === 503) {
            const expected =
              failure instanceof UpstreamError && failure.failure === 'unavailable'
                ? String(failure.retryAfterSeconds ?? 1)
                : '1';
            expect(response.headers['retry-after']).toBe(expected);
          } else {
            expect(response.headers['retry-after']).toBeUndefined();
          }
          // A 403 passes on a refusal: the resource server's, or the user's at the authorization
          // endpoint, which only ever names one of RFC 6749's three refusal codes.
          if (response.statusCode === 403 && !(failure instanceof UpstreamRefusedError)) {
            expect(['access_denied', 'invalid_scope', 'unauthorized_client']).toContain(
              errorOf(response).error,
            );
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
          fc.pre(!asksUpstream(method, path));
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

  it('any method on any path with any body gets a 4xx JSON answer', async () => {
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
          // Fastify reads the body before it routes, so an unreadable one may be refused first.
          const allowed = allowedMethods(path);
          if (allowed === undefined) expect([400, 404, 413, 415]).toContain(response.statusCode);
          else expect([400, 405, 413, 415]).toContain(response.statusCode);
        },
      ),
      RUNS,
    );
  });

  it('a body over 16384 bytes gets 413 or another 4xx JSON answer, never 500', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom<Method>('POST', 'PUT', 'DELETE', 'PATCH'),
        fc.constantFrom(...PATHS, '/callback', '/nope'),
        fc.constantFrom('application/json', 'text/plain', 'application/x-www-form-urlencoded'),
        oversizedBody,
        async (method, url, contentType, body) => {
          const response = await send({
            method,
            url,
            headers: { 'content-type': contentType, ...body.headers },
            payload: body.make(),
          });
          expect([404, 405, 413, 415]).toContain(response.statusCode);
        },
      ),
      { ...RUNS, numRuns: 60 },
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
});
