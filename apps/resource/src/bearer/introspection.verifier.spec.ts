import { UpstreamError } from '@app/common';
import { Metrics, UpstreamClient } from '@app/common/http';
import { InvalidTokenError } from '../errors/resource.errors';
import {
  AUDIENCE,
  FakeUpstream,
  ISSUER,
  T0,
  accessRequest,
  json,
  rejection,
} from '../../test/support/fakes';
import { LocalServer, sendJson } from '../../../../libs/common/test/local-server';
import { IntrospectionVerifier } from './introspection.verifier';

const OPTIONS = {
  path: '/introspect',
  clientId: 'resource-server',
  clientSecret: 'resource-secret',
  issuer: ISSUER,
  leewaySeconds: 0,
};

/** An active answer for alice's current_time token, as RFC 7662 2.2 and the contract shape it. */
function active(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    active: true,
    scope: 'current_time',
    client_id: '1234',
    username: 'alice',
    sub: 'alice',
    aud: AUDIENCE,
    iss: ISSUER,
    exp: T0 + 5,
    iat: T0,
    jti: 'jti-9',
    token_type: 'Bearer',
    ...overrides,
  };
}

describe('IntrospectionVerifier (RFC 7662)', () => {
  const now = (): number => T0;
  const request = accessRequest({ requestId: 'r-1' });

  describe('against a fake upstream', () => {
    let upstream: FakeUpstream;
    let verifier: IntrospectionVerifier;

    beforeEach(() => {
      upstream = new FakeUpstream(() => json(200, active()));
      verifier = new IntrospectionVerifier(upstream.asClient(), OPTIONS, now);
    });

    it('turns an active answer into a verified token', async () => {
      await expect(verifier.verify('tok', request)).resolves.toStrictEqual({
        issuer: ISSUER,
        subject: 'alice',
        audience: [AUDIENCE],
        clientId: '1234',
        scopes: ['current_time'],
        expiresAt: T0 + 5,
        jti: 'jti-9',
        boundToJkt: undefined,
      });
    });

    it('names the key a DPoP-bound token is bound to (RFC 9449 6.2 cnf.jkt)', async () => {
      const jkt = '0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I';
      upstream.answer = () => json(200, active({ token_type: 'DPoP', cnf: { jkt } }));
      await expect(verifier.verify('tok', request)).resolves.toMatchObject({ boundToJkt: jkt });
    });

    it('treats a cnf that is no RFC 7638 thumbprint as bad_response', async () => {
      upstream.answer = () => json(200, active({ cnf: { jkt: 'short' } }));
      const err = await rejection(verifier.verify('tok', request));
      expect(err).toBeInstanceOf(UpstreamError);
      expect((err as UpstreamError).failure).toBe('bad_response');
    });

    it('posts the token with client_secret_basic credentials and the request id', async () => {
      await verifier.verify('tok', request);
      expect(upstream.requests).toEqual([
        {
          method: 'POST',
          path: '/introspect',
          headers: {
            authorization: `Basic ${Buffer.from('resource-server:resource-secret').toString('base64')}`,
          },
          form: { token: 'tok', token_type_hint: 'access_token' },
          requestId: 'r-1',
        },
      ]);
    });

    it('refuses an inactive token as invalid_token', async () => {
      upstream.answer = () => json(200, { active: false });
      const err = await rejection(verifier.verify('tok', request));
      expect(err).toBeInstanceOf(InvalidTokenError);
      expect((err as InvalidTokenError).description).toBe('the access token is not active');
    });

    it('refuses a token from another issuer', async () => {
      upstream.answer = () => json(200, active({ iss: 'http://evil.example' }));
      const err = await rejection(verifier.verify('tok', request));
      expect(err).toBeInstanceOf(InvalidTokenError);
      expect((err as InvalidTokenError).detail).toBe('iss http://evil.example');
    });

    it('refuses a token that expired while the answer travelled (exp == now)', async () => {
      upstream.answer = () => json(200, active({ exp: T0 }));
      await expect(verifier.verify('tok', request)).rejects.toBeInstanceOf(InvalidTokenError);
    });

    it('allows the configured leeway past exp', async () => {
      verifier = new IntrospectionVerifier(
        upstream.asClient(),
        { ...OPTIONS, leewaySeconds: 2 },
        now,
      );
      upstream.answer = () => json(200, active({ exp: T0 - 1 }));
      await expect(verifier.verify('tok', request)).resolves.toMatchObject({
        expiresAt: T0 - 1,
      });
    });

    it('splits a space-separated scope', async () => {
      upstream.answer = () => json(200, active({ scope: 'current_time  epoch_time' }));
      await expect(verifier.verify('tok', request)).resolves.toMatchObject({
        scopes: ['current_time', 'epoch_time'],
      });
    });

    it.each([401, 500])('treats a %i answer as bad_response', async (status) => {
      upstream.answer = () => json(status, { error: 'invalid_client' });
      const err = await rejection(verifier.verify('tok', request));
      expect(err).toBeInstanceOf(UpstreamError);
      expect((err as UpstreamError).failure).toBe('bad_response');
      expect((err as UpstreamError).detail).toBe(`introspection answered ${status}`);
    });

    it.each([429, 503])(
      'treats a %i answer as unavailable, with its Retry-After',
      async (status) => {
        upstream.answer = () => ({
          ...json(status, { error: 'temporarily_unavailable' }),
          headers: { 'retry-after': '7' },
        });
        const err = await rejection(verifier.verify('tok', request));
        expect(err).toBeInstanceOf(UpstreamError);
        expect(err).toMatchObject({ failure: 'unavailable', retryAfterSeconds: 7 });
      },
    );

    it.each([
      ['a body that is not JSON', undefined],
      ['a JSON array', [{ active: true }]],
      ['no active field', { scope: 'current_time' }],
      ['active as a string', { active: 'true' }],
      ['exp as a string', active({ exp: String(T0 + 5) })],
    ])('treats %s as bad_response', async (_case, body) => {
      upstream.answer = () => json(200, body);
      const err = await rejection(verifier.verify('tok', request));
      expect(err).toBeInstanceOf(UpstreamError);
      expect((err as UpstreamError).failure).toBe('bad_response');
    });

    it('treats an active answer without the claims it needs as bad_response', async () => {
      upstream.answer = () => json(200, { active: true, scope: 'current_time' });
      const err = await rejection(verifier.verify('tok', request));
      expect(err).toBeInstanceOf(UpstreamError);
      expect((err as UpstreamError).detail).toBe('active introspection answer lacks claims');
    });
  });

  describe('over HTTP', () => {
    let server: LocalServer;
    let client: UpstreamClient;

    afterEach(async () => {
      await client.close();
      await server.close();
    });

    it('sends a form-encoded body with Basic credentials and X-Request-ID', async () => {
      server = await LocalServer.start((_request, response) => sendJson(response, 200, active()));
      client = new UpstreamClient({
        name: 'auth',
        baseUrl: server.url,
        timeoutMs: 1000,
        metrics: new Metrics('resource'),
      });
      const verifier = new IntrospectionVerifier(client, OPTIONS, now);
      await expect(
        verifier.verify('a.b.c', accessRequest({ requestId: 'req-42' })),
      ).resolves.toMatchObject({
        subject: 'alice',
      });
      const [request] = server.requests;
      expect(request?.method).toBe('POST');
      expect(request?.url).toBe('/introspect');
      expect(request?.headers['content-type']).toBe('application/x-www-form-urlencoded');
      expect(request?.headers.authorization).toBe(
        'Basic cmVzb3VyY2Utc2VydmVyOnJlc291cmNlLXNlY3JldA==',
      );
      expect(request?.headers['x-request-id']).toBe('req-42');
      expect(request?.body).toBe('token=a.b.c&token_type_hint=access_token');
    });

    it('treats a body that is not JSON as bad_response', async () => {
      server = await LocalServer.start((_request, response) => {
        response.writeHead(200, { 'content-type': 'application/json' });
        response.end('{"active": tru');
      });
      client = new UpstreamClient({
        name: 'auth',
        baseUrl: server.url,
        timeoutMs: 1000,
        metrics: new Metrics('resource'),
      });
      const verifier = new IntrospectionVerifier(client, OPTIONS, now);
      const err = await rejection(verifier.verify('tok', request));
      expect(err).toBeInstanceOf(UpstreamError);
      expect((err as UpstreamError).failure).toBe('bad_response');
      expect((err as UpstreamError).detail).toBe('answer is not a JSON object');
    });
  });
});
