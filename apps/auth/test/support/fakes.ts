import type { Clock } from '@app/common';
import type { AccessTokenClaims, PublicJwk } from '@app/contracts';
import { AuthConfig } from '../../src/auth.config';
import type { ClientStore, RegisteredClient } from '../../src/clients/client-store.port';
import type { AuthorizationGrant, CodeStore, ConsumeResult } from '../../src/codes/code-store.port';
import type { RevocationStore } from '../../src/revocation/revocation-store.port';
import type { TokenSigner, TokenVerifier } from '../../src/signing/token-signer.port';

/** Tiny in-memory implementations of the authorization server's ports, for unit tests. */

export const T0 = 1_800_000_000;

export const WEBAPP: RegisteredClient = {
  id: '1234',
  secret: 'qwerty',
  redirectUris: ['http://localhost:5003/callback'],
  scopes: ['current_time', 'epoch_time'],
  grantTypes: ['authorization_code'],
};

export const RESOURCE_SERVER: RegisteredClient = {
  id: 'resource-server',
  secret: 'resource-secret',
  redirectUris: [],
  scopes: [],
  grantTypes: [],
  audience: 'http://localhost:5002',
};

/** The example of RFC 7636 Appendix B: the verifier and its S256 challenge. */
export const RFC7636_VERIFIER = 'dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk';
export const RFC7636_CHALLENGE = 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM';

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

export class FakeClientStore implements ClientStore {
  private readonly clients: Map<string, RegisteredClient>;

  constructor(...clients: RegisteredClient[]) {
    this.clients = new Map(clients.map((client) => [client.id, client]));
  }

  findById(id: string): Promise<RegisteredClient | undefined> {
    return Promise.resolve(this.clients.get(id));
  }
}

export class FakeCodeStore implements CodeStore {
  readonly saved = new Map<string, AuthorizationGrant>();
  readonly issuedJtis = new Map<string, string>();

  full = false;

  save(code: string, grant: AuthorizationGrant): Promise<boolean> {
    if (this.full) return Promise.resolve(false);
    this.saved.set(code, grant);
    return Promise.resolve(true);
  }

  peek(code: string, now: number): Promise<AuthorizationGrant | undefined> {
    return Promise.resolve(this.unexpired(code, now));
  }

  consume(code: string, jti: string, now: number): Promise<ConsumeResult> {
    const grant = this.unexpired(code, now);
    if (grant === undefined) return Promise.resolve({ status: 'unknown' });
    const issuedJti = this.issuedJtis.get(code);
    if (issuedJti !== undefined) return Promise.resolve({ status: 'replayed', grant, issuedJti });
    this.issuedJtis.set(code, jti);
    return Promise.resolve({ status: 'redeemed', grant });
  }

  private unexpired(code: string, now: number): AuthorizationGrant | undefined {
    const grant = this.saved.get(code);
    return grant !== undefined && grant.expiresAt > now ? grant : undefined;
  }
}

export class FakeRevocationStore implements RevocationStore {
  /** jti -> the expiry it was revoked with. */
  readonly revoked = new Map<string, number>();

  revoke(jti: string, expiresAt: number): Promise<void> {
    this.revoked.set(jti, expiresAt);
    return Promise.resolve();
  }

  isRevoked(jti: string): Promise<boolean> {
    return Promise.resolve(this.revoked.has(jti));
  }
}

/** "Signs" a token as `token-<jti>` and verifies only tokens it signed, until their exp. */
export class FakeTokens implements TokenSigner, TokenVerifier {
  readonly signed = new Map<string, AccessTokenClaims>();
  readonly verifiedAt: number[] = [];

  sign(claims: AccessTokenClaims): string {
    const token = `token-${claims.jti}`;
    this.signed.set(token, claims);
    return token;
  }

  publicJwks(): PublicJwk[] {
    return [];
  }

  verify(token: string, now: number): AccessTokenClaims | undefined {
    this.verifiedAt.push(now);
    const claims = this.signed.get(token);
    return claims !== undefined && claims.exp > now ? claims : undefined;
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

export { fakeLogger, thrown, rejected } from '../../../../libs/common/test/doubles';
