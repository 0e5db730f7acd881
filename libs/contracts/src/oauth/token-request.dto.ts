import { IsInt, IsOptional, IsPositive, IsString, MaxLength } from 'class-validator';

/**
 * The token endpoint's form. Which fields a grant needs is the grant's business.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.1.3
 */
export class TokenRequestDto {
  @IsOptional() @IsString() @MaxLength(64) grant_type?: string;
  @IsOptional() @IsString() @MaxLength(512) code?: string;
  @IsOptional() @IsString() @MaxLength(2048) redirect_uri?: string;
  @IsOptional() @IsString() @MaxLength(256) code_verifier?: string;
  /** client_secret_post; also sent by public-client style callers with client_secret_basic. */
  @IsOptional() @IsString() @MaxLength(128) client_id?: string;
  @IsOptional() @IsString() @MaxLength(512) client_secret?: string;
}

/** A successful token response. @see https://www.rfc-editor.org/rfc/rfc6749#section-5.1 */
export class TokenResponseDto {
  @IsString() @MaxLength(8192) access_token!: string;
  @IsString() token_type!: string;
  @IsInt() @IsPositive() expires_in!: number;
  @IsString() scope!: string;
}
