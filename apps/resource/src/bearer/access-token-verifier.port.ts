/** What a verifier knows of the call it serves, to pass on downstream. */
export interface CallContext {
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
}

/**
 * Checks that a token is genuine and alive (signature or introspection, `iss`, expiry); throws
 * InvalidTokenError when it is not, UpstreamError when it cannot tell. What the token may open
 * is the BearerService's business.
 */
export interface AccessTokenVerifier {
  verify(token: string, context: CallContext): Promise<VerifiedToken>;
}

export const ACCESS_TOKEN_VERIFIER = Symbol('ACCESS_TOKEN_VERIFIER');
