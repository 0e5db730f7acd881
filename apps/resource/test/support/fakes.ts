import type { Clock } from '@app/common';
import type { UpstreamClient, UpstreamRequest, UpstreamResponse } from '@app/common/http';
import type {
  AccessRequest,
  AccessTokenVerifier,
  VerifiedToken,
} from '../../src/bearer/access-token-verifier.port';
import { ResourceConfig } from '../../src/resource.config';

/** Tiny stand-ins for the resource server's ports, for unit and transport tests. */

export const T0 = 1_800_000_000;
export const ISSUER = 'http://localhost:5001';
export const AUDIENCE = 'http://localhost:5002';

export function testConfig(overrides: Partial<ResourceConfig> = {}): ResourceConfig {
  return Object.assign(new ResourceConfig(), { logLevel: 'silent' }, overrides);
}

export class FakeClock implements Clock {
  constructor(public now = T0) {}

  nowSeconds(): number {
    return this.now;
  }
}

/** What a verifier is handed for a GET of `path` at this server, as light-my-request sends it. */
export function accessRequest(overrides: Partial<AccessRequest> = {}): AccessRequest {
  return {
    method: 'GET',
    url: 'http://localhost:5002/current_time',
    requestId: 'r-1',
    ...overrides,
  };
}

/** A genuine token for alice, issued to the webapp for current_time; override what you test. */
export function verifiedToken(overrides: Partial<VerifiedToken> = {}): VerifiedToken {
  return {
    issuer: ISSUER,
    subject: 'alice',
    audience: [AUDIENCE],
    clientId: '1234',
    scopes: ['current_time'],
    expiresAt: T0 + 5,
    jti: 'jti-1',
    ...overrides,
  };
}

/** Answers each token with what `tokens` holds for it: a VerifiedToken, or an error to throw. */
export class FakeVerifier implements AccessTokenVerifier {
  readonly calls: { token: string; request: AccessRequest }[] = [];
  readonly tokens = new Map<string, VerifiedToken | Error>();

  async verify(token: string, request: AccessRequest): Promise<VerifiedToken> {
    this.calls.push({ token, request });
    const known = this.tokens.get(token);
    if (known === undefined) throw new Error(`FakeVerifier: unexpected token ${token}`);
    if (known instanceof Error) throw known;
    return known;
  }
}

/**
 * An UpstreamClient look-alike that answers from a function and records every request; `gate`
 * holds answers back until released, so that tests can overlap calls.
 */
export class FakeUpstream {
  readonly name = 'auth';
  readonly requests: UpstreamRequest[] = [];
  private gate: Promise<void> = Promise.resolve();
  private open: () => void = () => undefined;

  constructor(public answer: (request: UpstreamRequest) => UpstreamResponse) {}

  async send(request: UpstreamRequest): Promise<UpstreamResponse> {
    this.requests.push(request);
    await this.gate;
    return this.answer(request);
  }

  hold(): void {
    this.gate = new Promise((resolve) => {
      this.open = resolve;
    });
  }

  release(): void {
    this.open();
  }

  asClient(): UpstreamClient {
    return this as unknown as UpstreamClient;
  }
}

export function json(status: number, body: unknown): UpstreamResponse {
  return { status, headers: { 'content-type': 'application/json' }, json: body };
}

export { RecordedOutcome, rejection, thrown } from '../../../../libs/common/test/doubles';
