import { createPublicKey, type KeyObject } from 'node:crypto';
import { JwtService } from '@nestjs/jwt';
import { ACCESS_TOKEN_ALG, JwksDto, type PublicJwk } from '@app/contracts';
import { checkAccessTokenHeader } from '@app/common';
import { parseReply, type UpstreamClient } from '@app/common/http';
import { InvalidTokenError } from '../errors/resource.errors';
import type {
  AccessRequest,
  AccessTokenVerifier,
  VerifiedToken,
} from './access-token-verifier.port';
import { upstreamFailureOf } from './upstream-failure';

export interface JwksVerifierOptions {
  path: string;
  issuer: string;
  leewaySeconds: number;
  cacheSeconds: number;
  /** Least time between two fetches forced by an unknown `kid`. */
  refetchCooldownSeconds: number;
}

/**
 * Verifies RFC 9068 tokens locally against the authorization server's JWKS. The key set is
 * cached and refetched on an unknown `kid` (rotation, a new replica), at most once per cooldown, so forged
 * `kid`s cannot turn into a flood of fetches. Revocation is not visible in this mode.
 * @see https://www.rfc-editor.org/rfc/rfc9068#section-4
 */
export class JwksVerifier implements AccessTokenVerifier {
  private readonly jwt = new JwtService();
  private keys = new Map<string, KeyObject>();
  private fetchedAt = Number.NEGATIVE_INFINITY;
  /** When the last fetch started, and whether it failed: the cooldown counts from it. */
  private attemptedAt = Number.NEGATIVE_INFINITY;
  private lastFetchFailed = false;
  private inflight: Promise<void> | undefined;

  constructor(
    private readonly auth: UpstreamClient,
    private readonly options: JwksVerifierOptions,
    private readonly nowSeconds: () => number,
  ) {}

  async verify(token: string, request: AccessRequest): Promise<VerifiedToken> {
    const header = checkAccessTokenHeader(token);
    if (!header.ok) throw new InvalidTokenError('the access token is invalid', header.reason);
    const key = await this.keyFor(header.kid, request.requestId);
    let payload: unknown;
    try {
      payload = this.jwt.verify(token, {
        // jsonwebtoken takes a KeyObject; @nestjs/jwt's typings only list string and Buffer.
        publicKey: key as unknown as Buffer,
        algorithms: [ACCESS_TOKEN_ALG],
        issuer: this.options.issuer,
        clockTimestamp: this.nowSeconds(),
        clockTolerance: this.options.leewaySeconds,
      });
    } catch (err) {
      throw new InvalidTokenError('the access token is invalid or expired', (err as Error).message);
    }
    return verifiedToken(payload);
  }

  private async keyFor(kid: string, requestId: string): Promise<KeyObject> {
    const age = this.nowSeconds() - this.fetchedAt;
    const fresh = age < this.options.cacheSeconds;
    const cached = fresh ? this.keys.get(kid) : undefined;
    if (cached !== undefined) return cached;
    // A stale set is refetched at once, unless the last fetch failed. An unknown kid in a fresh
    // set (a key rotated in, or a replica that started seconds ago) waits for the next fetch.
    // Either way fetches start at most once per cooldown after the last one: forged kids or a
    // failing JWKS cannot turn into a flood of fetches, and a new key is still found.
    const sinceAttempt = this.nowSeconds() - this.attemptedAt;
    const wait =
      fresh || this.lastFetchFailed
        ? Math.max(0, this.options.refetchCooldownSeconds - sinceAttempt)
        : 0;
    await this.refresh(requestId, wait);
    const key = this.keys.get(kid);
    if (key === undefined) {
      throw new InvalidTokenError('the access token is invalid', `unknown kid ${kid}`);
    }
    return key;
  }

  /** One fetch at a time, after `waitSeconds`; concurrent callers wait for the same one. */
  private refresh(requestId: string, waitSeconds: number): Promise<void> {
    this.inflight ??= delay(waitSeconds * 1000)
      .then(() => this.fetch(requestId))
      .finally(() => {
        this.inflight = undefined;
      });
    return this.inflight;
  }

  private async fetch(requestId: string): Promise<void> {
    this.attemptedAt = this.nowSeconds();
    this.lastFetchFailed = true;
    const answer = await this.auth.send({
      method: 'GET',
      path: this.options.path,
      requestId,
    });
    if (answer.status !== 200) throw upstreamFailureOf(this.auth.name, 'JWKS', answer);
    const jwks = parseReply(this.auth.name, JwksDto, answer.json);
    const keys = new Map<string, KeyObject>();
    for (const jwk of jwks.keys as unknown[] as (PublicJwk | null)[]) {
      // The DTO checks only that `keys` is a list; its entries may be anything.
      if (typeof jwk !== 'object' || jwk === null) continue;
      if (jwk.kty !== 'EC' || jwk.crv !== 'P-256' || typeof jwk.kid !== 'string') continue;
      if (jwk.use !== undefined && jwk.use !== 'sig') continue;
      try {
        keys.set(
          jwk.kid,
          createPublicKey({
            key: { kty: jwk.kty, crv: jwk.crv, x: jwk.x, y: jwk.y },
            format: 'jwk',
          }),
        );
      } catch {
        // An unusable key is skipped; the others still serve.
      }
    }
    this.keys = keys;
    this.fetchedAt = this.nowSeconds();
    this.lastFetchFailed = false;
  }
}

function verifiedToken(payload: unknown): VerifiedToken {
  const claims = (typeof payload === 'object' && payload !== null ? payload : {}) as Record<
    string,
    unknown
  >;
  const { iss, sub, aud, client_id, scope, exp, jti, cnf } = claims;
  const audience =
    typeof aud === 'string'
      ? [aud]
      : Array.isArray(aud)
        ? aud.filter((a): a is string => typeof a === 'string')
        : [];
  if (
    typeof iss !== 'string' ||
    typeof sub !== 'string' ||
    typeof client_id !== 'string' ||
    typeof scope !== 'string' ||
    typeof exp !== 'number' ||
    typeof jti !== 'string'
  ) {
    throw new InvalidTokenError('the access token lacks required claims', 'claims missing');
  }
  return {
    issuer: iss,
    subject: sub,
    audience,
    clientId: client_id,
    scopes: scope.split(' ').filter((s) => s.length > 0),
    expiresAt: exp,
    jti,
    boundToJkt: jktOf(cnf),
  };
}

/** The thumbprint of a `cnf` claim, when it holds one. @see https://www.rfc-editor.org/rfc/rfc9449#section-6.1 */
function jktOf(cnf: unknown): string | undefined {
  if (typeof cnf !== 'object' || cnf === null) return undefined;
  const jkt = (cnf as { jkt?: unknown }).jkt;
  return typeof jkt === 'string' ? jkt : undefined;
}

function delay(milliseconds: number): Promise<void> {
  if (milliseconds <= 0) return Promise.resolve();
  return new Promise((resolve) => setTimeout(resolve, milliseconds).unref());
}
