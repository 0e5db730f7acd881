import { isScope, type AccessTokenClaims, type PublicJwk } from '@app/contracts';
import type { AuthorizationGrant } from '../code-store.port';

/*
 * What the Redis stores read back is checked before use, as any downstream answer is: an entry
 * written by another version of this server, or by hand, fails closed (the call rejects with
 * StoreUnavailableError) instead of becoming a grant or claims nobody checked.
 */

type Json = Record<string, unknown>;

function object(text: string, what: string): Json {
  const value: unknown = JSON.parse(text);
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new TypeError(`stored ${what} is not an object`);
  }
  return value as Json;
}

function check(ok: boolean, what: string, field: string): void {
  if (!ok) throw new TypeError(`stored ${what} has a bad ${field}`);
}

export function parseGrant(text: string): AuthorizationGrant {
  const g = object(text, 'grant');
  for (const field of ['clientId', 'redirectUri', 'username', 'codeChallenge', 'owner']) {
    check(typeof g[field] === 'string', 'grant', field);
  }
  check(isScope(g.scope), 'grant', 'scope');
  check(Number.isInteger(g.expiresAt), 'grant', 'expiresAt');
  check(g.dpopJkt === undefined || typeof g.dpopJkt === 'string', 'grant', 'dpopJkt');
  return g as unknown as AuthorizationGrant;
}

export function parseClaims(text: string): AccessTokenClaims {
  const c = object(text, 'claims');
  for (const field of ['iss', 'sub', 'aud', 'client_id', 'jti']) {
    check(typeof c[field] === 'string', 'claims', field);
  }
  check(isScope(c.scope), 'claims', 'scope');
  check(Number.isInteger(c.iat) && Number.isInteger(c.exp), 'claims', 'iat or exp');
  return c as unknown as AccessTokenClaims;
}

export function parseJwk(text: string): PublicJwk {
  const k = object(text, 'JWK');
  check(typeof k.kty === 'string' && typeof k.kid === 'string', 'JWK', 'kty or kid');
  for (const field of ['crv', 'x', 'y', 'use', 'alg']) {
    check(k[field] === undefined || typeof k[field] === 'string', 'JWK', field);
  }
  return k as unknown as PublicJwk;
}
