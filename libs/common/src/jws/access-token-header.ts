import { ACCESS_TOKEN_ALG, LIMITS } from '@app/contracts';

const AT_JWT = /^(application\/)?at\+jwt$/i;

export type AccessTokenHeaderCheck = { ok: true; kid: string } | { ok: false; reason: string };

/**
 * Reads the JOSE header of a compact JWS and accepts only what RFC 9068 access tokens of this
 * stack carry: `alg` ES256, `typ` at+jwt, a `kid`. Both servers check it before choosing a key,
 * so `alg: none`, HS256 with the public key as secret, or another `typ` never reach a verifier.
 * @see https://www.rfc-editor.org/rfc/rfc9068#section-4
 * @see https://www.rfc-editor.org/rfc/rfc8725#section-3.1
 */
export function checkAccessTokenHeader(token: string): AccessTokenHeaderCheck {
  if (token.length > LIMITS.accessToken) return { ok: false, reason: 'too long' };
  const dot = token.indexOf('.');
  if (dot <= 0) return { ok: false, reason: 'not a compact JWS' };
  let header: unknown;
  try {
    header = JSON.parse(Buffer.from(token.slice(0, dot), 'base64url').toString('utf8'));
  } catch {
    return { ok: false, reason: 'header is not JSON' };
  }
  if (typeof header !== 'object' || header === null) {
    return { ok: false, reason: 'header is not an object' };
  }
  const { alg, typ, kid } = header as Record<string, unknown>;
  if (alg !== ACCESS_TOKEN_ALG) return { ok: false, reason: `alg ${String(alg)}` };
  if (typeof typ !== 'string' || !AT_JWT.test(typ))
    return { ok: false, reason: `typ ${String(typ)}` };
  if (typeof kid !== 'string' || kid.length === 0) return { ok: false, reason: 'no kid' };
  return { ok: true, kid };
}
