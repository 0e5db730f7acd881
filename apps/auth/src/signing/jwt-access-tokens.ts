import { JwtService } from '@nestjs/jwt';
import {
  ACCESS_TOKEN_ALG,
  ACCESS_TOKEN_TYPE,
  type AccessTokenClaims,
  isTimeScope,
  type PublicJwk,
} from '@app/contracts';
import { IssuedTokenCache } from './issued-token-cache';
import type { KeySet } from './key-set';
import type { TokenSigner, TokenVerifier } from './token-signer.port';

/**
 * RFC 9068 access tokens through @nestjs/jwt, the only file that knows JWT mechanics: ES256 with
 * a `kid`, `typ: at+jwt`; on the way in, the header is checked before any key is chosen, so
 * `alg: none`, HS256 with the public key, an unknown `kid` or another `typ` never verify.
 * @see https://www.rfc-editor.org/rfc/rfc9068#section-4
 */
export class JwtAccessTokens implements TokenSigner, TokenVerifier {
  private readonly jwt = new JwtService();
  private readonly jwks: PublicJwk[];
  private readonly issued: IssuedTokenCache;

  constructor(
    private readonly keys: KeySet,
    private readonly issuer: string,
    private readonly leewaySeconds: number,
  ) {
    this.jwks = [...keys.verification.values()].map((key) => key.jwk);
    this.issued = new IssuedTokenCache(leewaySeconds);
  }

  sign(claims: AccessTokenClaims): string {
    const token = this.jwt.sign(
      { ...claims },
      {
        algorithm: ACCESS_TOKEN_ALG,
        privateKey: this.keys.current.privateKey,
        keyid: this.keys.current.kid,
        header: { alg: ACCESS_TOKEN_ALG, typ: ACCESS_TOKEN_TYPE, kid: this.keys.current.kid },
      },
    );
    this.issued.remember(token, claims);
    return token;
  }

  publicJwks(): PublicJwk[] {
    return this.jwks;
  }

  verify(token: string, now: number): AccessTokenClaims | undefined {
    const mine = this.issued.recall(token, now);
    if (mine !== undefined) return mine;
    const kid = acceptableKid(token);
    const key = kid === undefined ? undefined : this.keys.verification.get(kid);
    if (key === undefined) return undefined;
    let payload: unknown;
    try {
      payload = this.jwt.verify(token, {
        // jsonwebtoken takes a KeyObject; @nestjs/jwt's typings only list string and Buffer.
        publicKey: key.publicKey as unknown as Buffer,
        algorithms: [ACCESS_TOKEN_ALG],
        issuer: this.issuer,
        clockTimestamp: now,
        clockTolerance: this.leewaySeconds,
      });
    } catch {
      return undefined;
    }
    return isAccessTokenClaims(payload) ? payload : undefined;
  }
}

/** The `kid` of a compact JWS whose header is exactly what this server issues. */
function acceptableKid(token: string): string | undefined {
  const dot = token.indexOf('.');
  if (dot <= 0 || token.length > 4096) return undefined;
  let header: unknown;
  try {
    header = JSON.parse(Buffer.from(token.slice(0, dot), 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
  if (typeof header !== 'object' || header === null) return undefined;
  const { alg, typ, kid } = header as Record<string, unknown>;
  if (alg !== ACCESS_TOKEN_ALG || typeof kid !== 'string') return undefined;
  if (typeof typ !== 'string' || !/^(application\/)?at\+jwt$/i.test(typ)) return undefined;
  return kid;
}

function isAccessTokenClaims(payload: unknown): payload is AccessTokenClaims {
  if (typeof payload !== 'object' || payload === null) return false;
  const claims = payload as Record<string, unknown>;
  return (
    typeof claims.iss === 'string' &&
    typeof claims.sub === 'string' &&
    claims.sub.length > 0 &&
    typeof claims.aud === 'string' &&
    typeof claims.client_id === 'string' &&
    isTimeScope(claims.scope) &&
    Number.isInteger(claims.iat) &&
    Number.isInteger(claims.exp) &&
    typeof claims.jti === 'string'
  );
}
