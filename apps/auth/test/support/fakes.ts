import type { Clock } from '@app/common';
import type { AccessTokenClaims } from '@app/contracts';
import { AuthConfig } from '../../src/auth.config';
import type { RegisteredClient } from '../../src/clients/client-store.port';
import type { TokenSigner } from '../../src/signing/token-signer.port';
import type { TokenVerifier } from '../../src/signing/token-verifier.port';
import type { FailureCounterLimits } from '../../src/stores/failure-counter.port';
import { compactJws } from '../../../../libs/common/test/jws';

/**
 * What the authorization server's unit tests share: the registered clients, a fake clock, and a
 * fake signer. Stores are never faked here: unit tests use the real in-memory adapters
 * (src/stores/memory) driven by the fake clock.
 */

export const T0 = 1_800_000_000;

export const WEBAPP: RegisteredClient = {
  id: '1234',
  secret: 'qwerty',
  redirectUris: ['http://localhost:5003/callback'],
  scopes: ['current_time', 'epoch_time'],
  grantTypes: ['authorization_code'],
  requiresDpop: false,
};

export const RESOURCE_SERVER: RegisteredClient = {
  id: 'resource-server',
  secret: 'resource-secret',
  redirectUris: [],
  scopes: [],
  grantTypes: [],
  requiresDpop: false,
};

/** The example of RFC 7636 Appendix B: the verifier and its S256 challenge. */
export const RFC7636_VERIFIER = 'dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk';
export const RFC7636_CHALLENGE = 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM';

/** Failure limits far above what a test that is not about them reaches. */
export const HIGH_FAILURE_LIMITS: FailureCounterLimits = { limit: 1_000_000, windowSeconds: 60 };

export function testConfig(overrides: Partial<AuthConfig> = {}): AuthConfig {
  return Object.assign(new AuthConfig(), { logLevel: 'silent' }, overrides);
}

export class FakeClock implements Clock {
  constructor(public now = T0) {}

  nowSeconds(): number {
    return this.now;
  }

  advance(seconds: number): void {
    this.now += seconds;
  }
}

/**
 * "Signs" a token as a compact JWS with a fake signature (so that it parses like a real one) and
 * verifies only tokens it signed, until their exp; it remembers every verification, so that a
 * test can tell a registry hit (no verification) from a full check.
 */
export class FakeTokens implements TokenSigner, TokenVerifier {
  readonly signed = new Map<string, AccessTokenClaims>();
  readonly verifiedAt: number[] = [];

  sign(claims: AccessTokenClaims): string {
    const token = compactJws({ alg: 'ES256', typ: 'at+jwt', kid: 'fake' }, claims, () =>
      Buffer.from(`fake-signature-${this.signed.size}`),
    );
    this.signed.set(token, claims);
    return token;
  }

  verify(token: string, now: number): Promise<AccessTokenClaims | undefined> {
    this.verifiedAt.push(now);
    const claims = this.signed.get(token);
    return Promise.resolve(claims !== undefined && now < claims.exp ? claims : undefined);
  }
}

export function claimsFor(overrides: Partial<AccessTokenClaims> = {}): AccessTokenClaims {
  return {
    iss: 'http://localhost:5001',
    sub: 'alice',
    aud: 'http://localhost:5002',
    client_id: WEBAPP.id,
    scope: 'current_time',
    iat: T0,
    exp: T0 + 5,
    jti: 'jti-1',
    ...overrides,
  };
}

export { RecordedOutcome, thrown, rejected } from '../../../../libs/common/test/doubles';
