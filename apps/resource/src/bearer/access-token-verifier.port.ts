/**
 * What a verifier may look at of the call it serves: the method and the URL as the client
 * addressed them, the headers that carry credentials, and the id to pass downstream. Enough for
 * a proof-of-possession check (RFC 9449 4.3) without changing the verifier's callers.
 */
export interface AccessRequest {
  method: string;
  /** The absolute URL of the request, as the client addressed it (RFC 9449 `htu`). */
  url: string;
  dpop?: string | string[];
  requestId: string;
}

/** A genuine, live token as the verifier found it; what it opens is checked afterwards. */
export interface VerifiedToken {
  issuer: string;
  subject: string;
  audience: readonly string[];
  clientId: string;
  scopes: readonly string[];
  expiresAt: number;
  jti: string;
  /** RFC 9449 6: the thumbprint of the key the token is bound to, when it is DPoP-bound. */
  boundToJkt?: string;
}

/**
 * Checks that a token is genuine and alive (signature or introspection, `iss`, expiry); throws
 * InvalidTokenError when it is not, UpstreamError when it cannot tell. What the token may open,
 * and whether its holder proved possession, is the BearerService's business.
 */
export interface AccessTokenVerifier {
  verify(token: string, request: AccessRequest): Promise<VerifiedToken>;
}

export const ACCESS_TOKEN_VERIFIER = Symbol('ACCESS_TOKEN_VERIFIER');
