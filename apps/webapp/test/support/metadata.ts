/** The RFC 8414 path the webapp discovers the authorization server at. */
export const METADATA_PATH = '/.well-known/oauth-authorization-server';

/**
 * An authorization server's metadata document as this stack's server publishes it, with every
 * endpoint under `issuer`; override the fields a test is about.
 * @see https://www.rfc-editor.org/rfc/rfc8414#section-2
 */
export function metadataOf(
  issuer: string,
  overrides: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    issuer,
    authorization_endpoint: `${issuer}/authorize`,
    token_endpoint: `${issuer}/token`,
    introspection_endpoint: `${issuer}/introspect`,
    revocation_endpoint: `${issuer}/revoke`,
    jwks_uri: `${issuer}/jwks.json`,
    scopes_supported: ['current_time', 'epoch_time'],
    response_types_supported: ['code'],
    grant_types_supported: ['authorization_code'],
    code_challenge_methods_supported: ['S256'],
    token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
    authorization_response_iss_parameter_supported: true,
    ...overrides,
  };
}
