import { createHash, generateKeyPairSync, randomUUID } from 'node:crypto';
import fc from 'fast-check';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { jwkThumbprint } from '@app/common';
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import type { AccessRequest, VerifiedToken } from '../src/bearer/access-token-verifier.port';
import { InvalidTokenError } from '../src/errors/resource.errors';
import { FakeVerifier, testConfig, verifiedToken } from './support/fakes';
import { compactJws, es256 } from '../../../libs/common/test/jws';
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
  mostly,
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
  override async verify(token: string, request: AccessRequest): Promise<VerifiedToken> {
    this.calls.push({ token, request });
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
        fc.constantFrom('Bearer', 'bearer', 'BEARER', 'BeArEr', 'DPoP', 'dpop', 'DPOP'),
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
      'DPoP',
      'DPoP eyJhbGciOiJFUzI1NiIsInR5cCI6ImF0K2p3dCJ9.e30.AAAA',
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

  it('GET /current_time and /epoch_time: any Authorization and query gets 400 or 401 with a challenge', async () => {
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
          // A refusal of a Bearer credential, or of none, is told in the Bearer scheme.
          if (authorization === undefined || !/^dpop/i.test(authorization)) {
            expect(challenge).toMatch(/^Bearer realm="[^"]*"/);
          } else {
            expect(challenge).toMatch(/^(Bearer|DPoP) realm="[^"]*"/);
          }
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
          for (const call of verifier.calls) expect(call.request.requestId).toBe(id);
        },
      ),
      RUNS,
    );
  });
});

/** The resource server's own host, as a DPoP proof names it. */
const HOST = 'localhost:5002';
const URL_ = `http://${HOST}/current_time`;

const athOf = (token: string): string => createHash('sha256').update(token).digest('base64url');

/** A proof's ingredients: each the right one three times in four, else a wrong one. */
const hostileProof = fc.record({
  scheme: fc.constantFrom('DPoP', 'dpop', 'DPOP', 'Bearer'),
  typ: mostly('dpop+jwt', fc.oneof(fc.constantFrom('JWT', 'at+jwt', 'DPOP+JWT', ''), hostileText)),
  alg: mostly('ES256', fc.constantFrom('none', 'HS256', 'ES384', 'RS256', 'EdDSA', '')),
  jwk: mostly<'own' | 'other' | 'private' | 'none' | 'garbage'>(
    'own',
    fc.constantFrom('other', 'private', 'none', 'garbage'),
  ),
  signature: mostly<'own' | 'other' | 'zeros' | 'empty'>(
    'own',
    fc.constantFrom('other', 'zeros', 'empty'),
  ),
  htm: mostly('GET', fc.constantFrom('POST', 'get', 'HEAD', '')),
  htu: mostly(
    URL_,
    fc.constantFrom(
      `${URL_}/`,
      `http://${HOST}/epoch_time`,
      `https://${HOST}/current_time`,
      'http://localhost:5003/current_time',
      'not a url',
      '',
    ),
  ),
  ath: mostly<'right' | 'other' | 'none' | 'garbage'>(
    'right',
    fc.constantFrom('other', 'none', 'garbage'),
  ),
  iatOffset: mostly(
    0,
    fc.oneof(fc.integer({ min: -100_000, max: -61 }), fc.integer({ min: 6, max: 100_000 })),
  ),
});

type ProofRecipe = typeof hostileProof extends fc.Arbitrary<infer T> ? T : never;

const RIGHT_PROOF: ProofRecipe = {
  scheme: 'DPoP',
  typ: 'dpop+jwt',
  alg: 'ES256',
  jwk: 'own',
  signature: 'own',
  htm: 'GET',
  htu: URL_,
  ath: 'right',
  iatOffset: 0,
};

/** Whether every ingredient is the right one: then, and only then, the proof opens. */
function isValid(recipe: ProofRecipe): boolean {
  return (
    recipe.scheme !== 'Bearer' &&
    recipe.typ === 'dpop+jwt' &&
    recipe.alg === 'ES256' &&
    recipe.jwk === 'own' &&
    recipe.signature === 'own' &&
    recipe.htm === 'GET' &&
    recipe.htu === URL_ &&
    recipe.ath === 'right' &&
    recipe.iatOffset === 0
  );
}

describe('hostile DPoP proofs at the resource server (property-based)', () => {
  const own = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const other = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const ownJwk = own.publicKey.export({ format: 'jwk' });
  const otherJwk = other.publicKey.export({ format: 'jwk' });
  const privateJwk = own.privateKey.export({ format: 'jwk' });
  let verifier: FakeVerifier;
  let app: NestFastifyApplication;

  beforeAll(async () => {
    verifier = new FakeVerifier();
    verifier.tokens.set('bound', verifiedToken({ boundToJkt: jwkThumbprint(ownJwk) }));
    app = await createResourceApp(testConfig({ dpopAlgorithms: ['ES256', 'EdDSA'] }), verifier);
  });

  afterAll(() => app.close());

  function proofOf(recipe: ProofRecipe): string {
    const jwk = {
      own: ownJwk,
      other: otherJwk,
      private: privateJwk,
      none: undefined,
      garbage: 'jwk',
    }[recipe.jwk];
    const claims: Record<string, unknown> = {
      jti: randomUUID(),
      htm: recipe.htm,
      htu: recipe.htu,
      iat: Math.floor(Date.now() / 1000) + recipe.iatOffset,
    };
    if (recipe.ath !== 'none') {
      claims.ath = { right: athOf('bound'), other: athOf('other'), garbage: '%%%' }[recipe.ath];
    }
    const signer = {
      own: es256(own.privateKey),
      other: es256(other.privateKey),
      zeros: () => Buffer.alloc(64),
      empty: () => Buffer.alloc(0),
    }[recipe.signature];
    return compactJws({ typ: recipe.typ, alg: recipe.alg, jwk }, claims, signer);
  }

  const send = async (authorization: string, dpop: string | string[] | undefined) => {
    const response = await app.inject({
      method: 'GET',
      url: '/current_time',
      headers: { host: HOST, authorization, ...(dpop === undefined ? {} : { dpop }) },
    });
    expectContractAnswer(response);
    return response;
  };

  const expectDpopRefusal = (response: LightMyRequestResponse, error: string): void => {
    expect(response.statusCode).toBe(401);
    expect(errorOf(response).error).toBe(error);
    const challenge = String(response.headers['www-authenticate']);
    expect(challenge).toMatch(/^DPoP realm="time", algs="ES256 EdDSA", error="/);
    expect(challenge).toMatch(/^[\x20-\x7e]*$/);
  };

  it('a DPoP-bound token opens only with a fresh, wholly right proof; anything else is 401 with a DPoP challenge', async () => {
    await fc.assert(
      fc.asyncProperty(hostileProof, async (recipe) => {
        const proof = proofOf(recipe);
        const response = await send(`${recipe.scheme} bound`, proof);
        if (!isValid(recipe)) {
          expectDpopRefusal(
            response,
            recipe.scheme === 'Bearer' ? 'invalid_token' : 'invalid_dpop_proof',
          );
          return;
        }
        expect(response.statusCode).toBe(200);
        expect(response.json<{ user: string }>().user).toBe('alice');
        // The same proof a second time is a replay.
        const replay = await send(`${recipe.scheme} bound`, proof);
        expectDpopRefusal(replay, 'invalid_dpop_proof');
        expect(errorOf(replay).error_description).toBe('the DPoP proof has been used before');
      }),
      // The wholly right proof is always among the runs, however few there are.
      { ...RUNS, examples: [[RIGHT_PROOF]] },
    );
  });

  it('any DPoP header that is no proof, or several, gets 401 invalid_dpop_proof', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          headerText(300),
          fc.constantFrom('', '.', '..', 'a.b.c', 'eyJ.eyJ.', 'e30.e30.e30', '=.=.='),
          longString(1, 9_000).map((text) => percentEncode(text).slice(0, 9_000)),
          fc.tuple(headerText(40), headerText(40)).map(([a, b]) => [a, b]),
        ),
        async (dpop) => {
          expectDpopRefusal(await send('DPoP bound', dpop), 'invalid_dpop_proof');
        },
      ),
      RUNS,
    );
  });
});
