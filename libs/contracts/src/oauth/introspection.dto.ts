import { Equals, IsBoolean, IsInt, IsOptional, IsString, MaxLength } from 'class-validator';

/** @see https://www.rfc-editor.org/rfc/rfc7662#section-2.1 */
export class IntrospectionRequestDto {
  @IsOptional() @IsString() @MaxLength(8192) token?: string;
  @IsOptional() @IsString() @MaxLength(64) token_type_hint?: string;
  @IsOptional() @IsString() @MaxLength(128) client_id?: string;
  @IsOptional() @IsString() @MaxLength(512) client_secret?: string;
}

/** @see https://www.rfc-editor.org/rfc/rfc7009#section-2.1 */
export class RevocationRequestDto extends IntrospectionRequestDto {}

/** An introspection answer as a resource server reads it. @see https://www.rfc-editor.org/rfc/rfc7662#section-2.2 */
export class IntrospectionResponseDto {
  @IsBoolean() active!: boolean;
  @IsOptional() @IsString() @MaxLength(256) scope?: string;
  @IsOptional() @IsString() @MaxLength(128) client_id?: string;
  @IsOptional() @IsString() @MaxLength(256) username?: string;
  @IsOptional() @IsString() @MaxLength(256) sub?: string;
  @IsOptional() @IsString() @MaxLength(2048) aud?: string;
  @IsOptional() @IsString() @MaxLength(2048) iss?: string;
  @IsOptional() @IsInt() exp?: number;
  @IsOptional() @IsInt() iat?: number;
  @IsOptional() @IsString() @MaxLength(128) jti?: string;
  @IsOptional() @Equals('Bearer') token_type?: string;
}
