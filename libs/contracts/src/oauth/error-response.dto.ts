import { IsOptional, IsString, Matches, MaxLength } from 'class-validator';

/** An OAuth error body as a client reads it from an upstream. @see https://www.rfc-editor.org/rfc/rfc6749#section-5.2 */
export class OAuthErrorResponseDto {
  @IsString() @Matches(/^[\x20-\x21\x23-\x5b\x5d-\x7e]{1,64}$/) error!: string;
  @IsOptional() @IsString() @MaxLength(1024) error_description?: string;
}
