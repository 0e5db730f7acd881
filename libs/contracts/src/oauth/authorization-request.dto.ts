import { IsOptional, IsString, MaxLength } from 'class-validator';

/**
 * Parameters of the authorization endpoint, from the query (GET) or the form (POST).
 * Deliberately permissive: whether a value is acceptable decides between a 400 and a redirect
 * with an error, and that is the authorization service's call, not the validator's.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.1.1
 * @see https://www.rfc-editor.org/rfc/rfc7636#section-4.3
 */
export class AuthorizationRequestDto {
  @IsOptional() @IsString() @MaxLength(64) response_type?: string;
  @IsOptional() @IsString() @MaxLength(128) client_id?: string;
  @IsOptional() @IsString() @MaxLength(2048) redirect_uri?: string;
  @IsOptional() @IsString() @MaxLength(256) scope?: string;
  @IsOptional() @IsString() @MaxLength(512) state?: string;
  @IsOptional() @IsString() @MaxLength(256) code_challenge?: string;
  @IsOptional() @IsString() @MaxLength(32) code_challenge_method?: string;
  /** Form login (POST only); HTTP Basic is the other way in. */
  @IsOptional() @IsString() @MaxLength(256) username?: string;
  @IsOptional() @IsString() @MaxLength(1024) password?: string;
}
