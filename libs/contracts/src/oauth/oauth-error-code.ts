/**
 * Every error code a service of this stack puts on the wire.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.1.2.1
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-5.2
 * @see https://www.rfc-editor.org/rfc/rfc6750#section-3.1
 * @see https://www.rfc-editor.org/rfc/rfc9449#section-12.2
 */
export type OAuthErrorCode =
  | 'invalid_request'
  | 'invalid_client'
  | 'invalid_grant'
  | 'unauthorized_client'
  | 'unsupported_grant_type'
  | 'unsupported_response_type'
  | 'invalid_scope'
  | 'access_denied'
  /** The resource owner must log in first (OpenID Connect Core 3.1.2.6 names it so). */
  | 'login_required'
  | 'invalid_token'
  | 'insufficient_scope'
  /** RFC 9449 5, 7.1: the DPoP proof is missing where required, malformed or wrong. */
  | 'invalid_dpop_proof'
  /** RFC 9449 8, 9: retry with the server's nonce. */
  | 'use_dpop_nonce'
  | 'server_error'
  | 'temporarily_unavailable';

/** Codes for failures that are not OAuth protocol errors: routing, transport and upstreams. */
export type TransportErrorCode =
  | 'not_found'
  | 'method_not_allowed'
  | 'payload_too_large'
  | 'too_many_requests'
  | 'unsupported_media_type'
  | 'request_timeout'
  | 'request_header_fields_too_large'
  | 'unauthorized'
  | 'bad_gateway'
  | 'service_unavailable'
  | 'gateway_timeout';

export type ErrorCode = OAuthErrorCode | TransportErrorCode;

/** The JSON body of every error answer of the three services. */
export interface ErrorResponse {
  error: ErrorCode;
  error_description: string;
}
