import { JwtService } from '@nestjs/jwt';
import { checkAccessTokenHeader } from '@app/common';
import {
  ACCESS_TOKEN_ALG,
  ACCESS_TOKEN_TYPE,
  type AccessTokenClaims,
  isScope,
} from '@app/contracts';
import { signEs256 } from './es256';
import type { SigningKeys } from './signing-keys';
import type { TokenSigner } from './token-signer.port';
import type { TokenVerifier } from './token-verifier.port';

/**
 * RFC 9068 access tokens: ES256 with a `kid`, `typ: at+jwt`. Signing is the hot path and uses the
 * bare KeyObject (es256.ts says why); verifying a token this server did not just find in its
 * registry is the rare path (a token of unknown origin, or one issued before a store restart)
 * and goes through @nestjs/jwt, after the header check that keeps `alg: none`, HS256 with the
 * public key, an unknown `kid` or another `typ` away from any key.
 * @see https://www.rfc-editor.org/rfc/rfc9068#section-4
 */
export class JwtAccessTokens implements TokenSigner, TokenVerifier {
  private readonly jwt = new JwtService();

  constructor(
    private readonly keys: SigningKeys,
    private readonly issuer: string,
    private readonly leewaySeconds: number,
  ) {}

  sign(claims: AccessTokenClaims): string {
    const key = this.keys.signingKey();
    return signEs256(
      { alg: ACCESS_TOKEN_ALG, typ: ACCESS_TOKEN_TYPE, kid: key.kid },
      claims,
      key.privateKey,
    );
  }

  async verify(token: string, now: number): Promise<AccessTokenClaims | undefined> {
    const header = checkAccessTokenHeader(token);
    if (!header.ok) return undefined;
    const key = await this.keys.verificationKey(header.kid);
    if (key === undefined) return undefined;
    let payload: unknown;
    try {
      payload = this.jwt.verify(token, {
        // jsonwebtoken takes a KeyObject; @nestjs/jwt's typings only list string and Buffer.
        publicKey: key as unknown as Buffer,
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

function isAccessTokenClaims(payload: unknown): payload is AccessTokenClaims {
  if (typeof payload !== 'object' || payload === null) return false;
  const claims = payload as Record<string, unknown>;
  const cnf = claims.cnf as Record<string, unknown> | undefined;
  return (
    typeof claims.iss === 'string' &&
    typeof claims.sub === 'string' &&
    claims.sub.length > 0 &&
    typeof claims.aud === 'string' &&
    typeof claims.client_id === 'string' &&
    isScope(claims.scope) &&
    Number.isInteger(claims.iat) &&
    Number.isInteger(claims.exp) &&
    typeof claims.jti === 'string' &&
    (cnf === undefined || (typeof cnf === 'object' && cnf !== null && typeof cnf.jkt === 'string'))
  );
}
