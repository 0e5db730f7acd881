import { createPublicKey, type KeyObject } from 'node:crypto';
import { JwtService } from '@nestjs/jwt';
import { ACCESS_TOKEN_ALG, JwksDto, type PublicJwk } from '@app/contracts';
import { parseReply, type UpstreamClient, UpstreamError } from '@app/common';
import { InvalidTokenError } from '../errors/resource.errors';
import type { AccessTokenVerifier, CallContext, VerifiedToken } from './access-token-verifier.port';

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
 * cached and refetched once on an unknown `kid` (rotation), at most once per cooldown, so forged
 * `kid`s cannot turn into a flood of fetches. Revocation is not visible in this mode.
 * @see https://www.rfc-editor.org/rfc/rfc9068#section-4
 */
export class JwksVerifier implements AccessTokenVerifier {
  private readonly jwt = new JwtService();
  private keys = new Map<string, KeyObject>();
  private fetchedAt = Number.NEGATIVE_INFINITY;
  private inflight: Promise<void> | undefined;

  constructor(
    private readonly auth: UpstreamClient,
    private readonly options: JwksVerifierOptions,
    private readonly nowSeconds: () => number,
  ) {}

  async verify(token: string, context: CallContext): Promise<VerifiedToken> {
    const kid = kidOf(token);
    const key = await this.keyFor(kid, context);
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

  private async keyFor(kid: string, context: CallContext): Promise<KeyObject> {
    const age = this.nowSeconds() - this.fetchedAt;
    const fresh = age < this.options.cacheSeconds;
    let key = fresh ? this.keys.get(kid) : undefined;
    // A stale set is always refetched; an unknown kid in a fresh one at most once per cooldown.
    if (key === undefined && (!fresh || age >= this.options.refetchCooldownSeconds)) {
      await this.refresh(context);
      key = this.keys.get(kid);
    }
    if (key === undefined)
      throw new InvalidTokenError('the access token is invalid', `unknown kid ${kid}`);
    return key;
  }

  /** One fetch at a time; concurrent callers wait for the same one. */
  private refresh(context: CallContext): Promise<void> {
    this.inflight ??= this.fetch(context).finally(() => {
      this.inflight = undefined;
    });
    return this.inflight;
  }

  private async fetch(context: CallContext): Promise<void> {
    const answer = await this.auth.send({
      method: 'GET',
      path: this.options.path,
      requestId: context.requestId,
    });
    if (answer.status !== 200) {
      throw new UpstreamError(this.auth.name, 'bad_response', `JWKS answered ${answer.status}`);
    }
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
  }
}

/** The `kid` of a token whose header is what RFC 9068 prescribes; anything else is refused. */
function kidOf(token: string): string {
  const dot = token.indexOf('.');
  if (dot <= 0) throw new InvalidTokenError('the access token is malformed', 'not a compact JWS');
  let header: unknown;
  try {
    header = JSON.parse(Buffer.from(token.slice(0, dot), 'base64url').toString('utf8'));
  } catch {
    throw new InvalidTokenError('the access token is malformed', 'header is not JSON');
  }
  const { alg, typ, kid } = (typeof header === 'object' && header !== null ? header : {}) as Record<
    string,
    unknown
  >;
  if (alg !== ACCESS_TOKEN_ALG)
    throw new InvalidTokenError('the access token is invalid', `alg ${String(alg)}`);
  if (typeof typ !== 'string' || !/^(application\/)?at\+jwt$/i.test(typ)) {
    throw new InvalidTokenError('the access token is invalid', `typ ${String(typ)}`);
  }
  if (typeof kid !== 'string') throw new InvalidTokenError('the access token is invalid', 'no kid');
  return kid;
}

function verifiedToken(payload: unknown): VerifiedToken {
  const claims = (typeof payload === 'object' && payload !== null ? payload : {}) as Record<
    string,
    unknown
  >;
  const { iss, sub, aud, client_id, scope, exp, jti } = claims;
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
  };
}
