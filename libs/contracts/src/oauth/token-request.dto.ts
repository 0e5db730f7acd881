import { IsInt, IsOptional, IsPositive, IsString, MaxLength } from 'class-validator';
import { LIMITS } from '../limits';

/**
 * How a client authenticates in a form body (client_secret_post), at the token, introspection
 * and revocation endpoints alike; read by the client authentication guard.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-2.3.1
 */
export class ClientAuthenticationDto {
  @IsOptional() @IsString() @MaxLength(LIMITS.clientId) client_id?: string;
  @IsOptional() @IsString() @MaxLength(LIMITS.clientSecret) client_secret?: string;
}

/**
 * The token endpoint's form: every parameter some grant reads. Which of them a grant needs is
 * the grant's own declaration.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.1.3
 */
export class TokenRequestDto {
  @IsOptional() @IsString() @MaxLength(LIMITS.grantType) grant_type?: string;
  @IsOptional() @IsString() @MaxLength(LIMITS.code) code?: string;
  @IsOptional() @IsString() @MaxLength(LIMITS.redirectUri) redirect_uri?: string;
  @IsOptional() @IsString() @MaxLength(LIMITS.codeVerifier) code_verifier?: string;
}

/** A successful token response. @see https://www.rfc-editor.org/rfc/rfc6749#section-5.1 */
export class TokenResponseDto {
  @IsString() @MaxLength(LIMITS.accessToken) access_token!: string;
  @IsString() @MaxLength(LIMITS.tokenTypeHint) token_type!: string;
  @IsInt() @IsPositive() expires_in!: number;
  @IsString() @MaxLength(LIMITS.scope) scope!: string;
}
