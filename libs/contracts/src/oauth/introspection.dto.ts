// The nested DTO is found through `design:type`, which needs reflect-metadata when classes load.
import 'reflect-metadata';
import { Type } from 'class-transformer';
import {
  IsBoolean,
  IsIn,
  IsInt,
  IsObject,
  IsOptional,
  IsString,
  Matches,
  MaxLength,
  ValidateNested,
} from 'class-validator';
import { LIMITS } from '../limits';

/**
 * The token to introspect or revoke. Its length is not limited below the body limit: a token
 * too long to be one of ours is simply not active (RFC 7662 2.2, RFC 7009 2.2), not a bad request.
 * @see https://www.rfc-editor.org/rfc/rfc7662#section-2.1
 */
export class IntrospectionRequestDto {
  @IsOptional() @IsString() token?: string;
  @IsOptional() @IsString() @MaxLength(LIMITS.tokenTypeHint) token_type_hint?: string;
}

/** @see https://www.rfc-editor.org/rfc/rfc7009#section-2.1 */
export class RevocationRequestDto extends IntrospectionRequestDto {}

/** A confirmation claim: the SHA-256 JWK thumbprint of the key. @see https://www.rfc-editor.org/rfc/rfc7800#section-3.1 */
export class ConfirmationDto {
  @IsString() @Matches(/^[A-Za-z0-9_-]{43}$/) jkt!: string;
}

/** An introspection answer as a resource server reads it. @see https://www.rfc-editor.org/rfc/rfc7662#section-2.2 */
export class IntrospectionResponseDto {
  @IsBoolean() active!: boolean;
  @IsOptional() @IsString() @MaxLength(LIMITS.scope) scope?: string;
  @IsOptional() @IsString() @MaxLength(LIMITS.clientId) client_id?: string;
  @IsOptional() @IsString() @MaxLength(LIMITS.username) username?: string;
  @IsOptional() @IsString() @MaxLength(LIMITS.username) sub?: string;
  @IsOptional() @IsString() @MaxLength(LIMITS.url) aud?: string;
  @IsOptional() @IsString() @MaxLength(LIMITS.url) iss?: string;
  @IsOptional() @IsInt() exp?: number;
  @IsOptional() @IsInt() iat?: number;
  @IsOptional() @IsString() @MaxLength(LIMITS.jti) jti?: string;
  @IsOptional() @IsIn(['Bearer', 'DPoP']) token_type?: 'Bearer' | 'DPoP';
  /** The key a DPoP-bound token is bound to. @see https://www.rfc-editor.org/rfc/rfc9449#section-6.2 */
  @IsOptional() @IsObject() @ValidateNested() @Type(() => ConfirmationDto) cnf?: ConfirmationDto;
}
