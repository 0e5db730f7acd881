import type { AuthorizationServerMetadata, GrantType } from '@app/contracts';
import { SCOPES } from '@app/contracts';

/** The server's paths, published under the issuer. */
export const ENDPOINT_PATHS = {
  authorization: '/authorize',
  token: '/token',
  introspection: '/introspect',
  revocation: '/revoke',
  jwks: '/jwks.json',
} as const;

const CLIENT_AUTH_METHODS = ['client_secret_basic', 'client_secret_post'];

/**
 * The RFC 8414 metadata document, built once at start from what the server is made of: the
 * scope table, the registered grant handlers, the DPoP algorithms it verifies.
 * @see https://www.rfc-editor.org/rfc/rfc8414#section-2
 */
export function buildMetadata(
  issuer: string,
  grantTypes: readonly GrantType[],
  dpopAlgorithms: readonly string[],
): AuthorizationServerMetadata {
  return {
    issuer,
    authorization_endpoint: `${issuer}${ENDPOINT_PATHS.authorization}`,
    token_endpoint: `${issuer}${ENDPOINT_PATHS.token}`,
    introspection_endpoint: `${issuer}${ENDPOINT_PATHS.introspection}`,
    revocation_endpoint: `${issuer}${ENDPOINT_PATHS.revocation}`,
    jwks_uri: `${issuer}${ENDPOINT_PATHS.jwks}`,
    scopes_supported: [...SCOPES],
    response_types_supported: ['code'],
    response_modes_supported: ['query'],
    grant_types_supported: [...grantTypes],
    code_challenge_methods_supported: ['S256'],
    token_endpoint_auth_methods_supported: CLIENT_AUTH_METHODS,
    introspection_endpoint_auth_methods_supported: CLIENT_AUTH_METHODS,
    revocation_endpoint_auth_methods_supported: CLIENT_AUTH_METHODS,
    authorization_response_iss_parameter_supported: true,
    dpop_signing_alg_values_supported: [...dpopAlgorithms],
  };
}
