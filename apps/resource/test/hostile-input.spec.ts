import fc from 'fast-check';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import type { CallContext, VerifiedToken } from '../src/bearer/access-token-verifier.port';
import { InvalidTokenError } from '../src/errors/resource.errors';
import { FakeVerifier, testConfig } from './support/fakes';
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
  headerText,
  hostileAuthorization,
  hostileBody,
  hostileContentType,
  hostileEncodedPairs,
  hostilePath,
  hostileRequestId,
  hostileText,
  longString,
  oversizedBody,
  pathnameOf,
  percentEncode,
  routePatternPath,
} from '../../../libs/common/test/hostile';
import { createResourceApp } from './support/resource-app';

/** Every route of the resource server and the methods it answers. */
const ROUTES: Record<string, readonly string[]> = {
  '/current_time': ['GET', 'HEAD'],
  '/epoch_time': ['GET', 'HEAD'],
  '/healthz': ['GET', 'HEAD'],
  '/readyz': ['GET', 'HEAD'],
};
const PATHS = Object.keys(ROUTES);
const TIME_PATHS = ['/current_time', '/epoch_time'] as const;

/** b64token. @see https://www.rfc-editor.org/rfc/rfc6750#section-2.1 */
const B64TOKEN = /^[A-Za-z0-9\-._~+/]+=*$/;

/** A verifier that knows no token at all: every one it is asked about is invalid. */
class RejectingVerifier extends FakeVerifier {
  override async verify(token: string, context: CallContext): Promise<VerifiedToken> {
    this.calls.push({ token, context });
    throw new InvalidTokenError('the access token is not active');
  }
}

/** `Authorization` headers aimed at a resource server: Bearer of every shape, and the rest. */
const hostileBearer: fc.Arbitrary<string | undefined> = fc.oneof(
  { weight: 2, arbitrary: hostileAuthorization },
  {
    weight: 3,
    arbitrary: fc
      .tuple(
        fc.constantFrom('Bearer', 'bearer', 'BEARER', 'BeArEr'),
        fc.constantFrom(' ', '  ', '\t', ''),
        fc.oneof(
          fc.stringMatching(/^[A-Za-z0-9\-._~+/]{1,200}=*$/),
          headerText(120),
          fc.constantFrom('', ' ', 'a b', 'a,b', '"token"', '=abc', 'abc==x', 'a\tb', '\u00ff'),
          longString(1, 10_240).map((text) => percentEncode(text).slice(0, 10_240)),
        ),
        fc.constantFrom('', ' ', '  ', ', Basic YWxpY2U6eA=='),
      )
      .map(([scheme, gap, token, tail]) => `${scheme}${gap}${token}${tail}`),
  },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      'Bearer',
      'Bearer ',
      'Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.',
      'Bearer eyJhbGciOiJFUzI1NiIsInR5cCI6ImF0K2p3dCJ9.e30.AAAA',
      'Bearertoken',
      'Bearer\ttoken',
      'Token abc',
      'Basic YWxpY2U6eA==',
    ),
  },
);

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

jest.setTimeout(PROPERTY_TIMEOUT_MS);

describe('hostile input to the resource server (property-based)', () => {
  let verifier: RejectingVerifier;
  let app: NestFastifyApplication;

  const send = async (options: InjectOptions): Promise<LightMyRequestResponse> => {
    const response = await app.inject(options);
    expectContractAnswer(response);
    return response;
  };

  /** GET /readyz asks the authorization server, which is not there: 503 by contract. */
  const asksUpstream = (method: Method, path: string): boolean =>
    method === 'GET' && routeOf(path) === '/readyz';

  beforeAll(async () => {
    verifier = new RejectingVerifier();
    app = await createResourceApp(testConfig(), verifier);
  });

  afterAll(() => app.close());

  afterEach(() => {
    // No parameter name may have reached Object.prototype.
    const probe = {} as Record<string, unknown>;
    expect(probe.polluted).toBeUndefined();
    expect(Object.getOwnPropertyNames(Object.prototype)).not.toContain('polluted');
  });

  beforeEach(() => {
    verifier.calls.length = 0;
  });

  it('GET /current_time and /epoch_time: any Authorization and query gets 400 or 401 with a Bearer challenge', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...TIME_PATHS),
        hostileBearer,
        fc.oneof(
          fc.constant(''),
          hostileEncodedPairs,
          hostileText.map((token) => `access_token=${percentEncode(token)}`),
        ),
        async (path, authorization, query) => {
          verifier.calls.length = 0;
          const response = await send({
            method: 'GET',
            url: query === '' ? path : `${path}?${query}`,
            headers: headersOf({ authorization }),
          });
          // No token is valid, so nothing opens and nothing is a scope problem.
          expect([400, 401]).toContain(response.statusCode);
          const challenge = String(response.headers['www-authenticate']);
          expect(challenge).toMatch(/^Bearer realm="[^"]*"/);
          // A challenge is one header line of visible ASCII: nothing of the input breaks out.
          expect(challenge).toMatch(/^[\x20-\x7e]*$/);
          if (response.statusCode === 401 && verifier.calls.length > 0) {
            expect(errorOf(response).error).toBe('invalid_token');
          }
          // Only a token of the b64token syntax is ever handed to the verifier.
          for (const call of verifier.calls) expect(call.token).toMatch(B64TOKEN);
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
        hostileBearer,
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

  it('any method on any path with any body gets a 4xx JSON answer or the route answer', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom<Method>('POST', 'PUT', 'DELETE', 'PATCH'),
        fc.oneof(fc.constantFrom(...PATHS), hostilePath(PATHS)),
        hostileContentType,
        hostileBody,
        hostileBearer,
        async (method, path, contentType, payload, authorization) => {
          const response = await send({
            method,
            url: path,
            headers: headersOf({ 'content-type': contentType, authorization }),
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
        fc.constantFrom(...PATHS, '/nope'),
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

  it('X-Request-ID: a sane inbound id is echoed and handed to the verifier', async () => {
    await fc.assert(
      fc.asyncProperty(
        hostileRequestId,
        fc.constantFrom<[Method, string]>(
          ['GET', '/current_time'],
          ['GET', '/epoch_time?access_token=x'],
          ['POST', '/current_time'],
          ['GET', '/nope'],
          ['GET', '/healthz'],
        ),
        hostileBearer,
        async (requestId, [method, url], authorization) => {
          verifier.calls.length = 0;
          const response = await send({
            method,
            url,
            headers: headersOf({ 'x-request-id': requestId, authorization }),
          });
          const id = response.headers['x-request-id'];
          const sane = requestId !== undefined && /^[A-Za-z0-9][A-Za-z0-9-]{0,63}$/.test(requestId);
          if (sane) expect(id).toBe(requestId);
          for (const call of verifier.calls) expect(call.context.requestId).toBe(id);
        },
      ),
      RUNS,
    );
  });
});
