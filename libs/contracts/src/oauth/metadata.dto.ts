import { ArrayNotEmpty, IsArray, IsOptional, IsString, IsUrl, MaxLength } from 'class-validator';
import { LIMITS } from '../limits';
import { HTTP_URL_OPTIONS } from '../url-options';

/** The fields of RFC 8414 metadata this stack publishes. @see https://www.rfc-editor.org/rfc/rfc8414#section-2 */
export interface AuthorizationServerMetadata {
  issuer: string;
  authorization_endpoint: string;
  token_endpoint: string;
  introspection_endpoint: string;
  revocation_endpoint: string;
  jwks_uri: string;
  scopes_supported: string[];
  response_types_supported: string[];
  response_modes_supported: string[];
  grant_types_supported: string[];
  code_challenge_methods_supported: string[];
  token_endpoint_auth_methods_supported: string[];
  introspection_endpoint_auth_methods_supported: string[];
  revocation_endpoint_auth_methods_supported: string[];
  authorization_response_iss_parameter_supported: boolean;
  /** RFC 9449 5.1. */
  dpop_signing_alg_values_supported: string[];
}

/** A JSON Web Key Set as a resource server reads it. @see https://www.rfc-editor.org/rfc/rfc7517#section-5 */
export class JwksDto {
  @IsArray() @ArrayNotEmpty() keys!: PublicJwk[];
}

export interface PublicJwk {
  kty: string;
  crv?: string;
  x?: string;
  y?: string;
  kid: string;
  use?: string;
  alg?: string;
}

/** A metadata document as a client reads it: what the webapp uses is checked. @see https://www.rfc-editor.org/rfc/rfc8414#section-3.2 */
export class MetadataDto {
  @IsString() @MaxLength(LIMITS.url) issuer!: string;
  @IsUrl(HTTP_URL_OPTIONS) @MaxLength(LIMITS.url) authorization_endpoint!: string;
  @IsUrl(HTTP_URL_OPTIONS) @MaxLength(LIMITS.url) token_endpoint!: string;
  @IsOptional()
  @IsArray()
  @IsString({ each: true })
  @MaxLength(16, { each: true })
  dpop_signing_alg_values_supported?: string[];
}
