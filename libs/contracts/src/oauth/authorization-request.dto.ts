import { Allow, IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import { LIMITS } from '../limits';

/**
 * The authorization endpoint's parameters (query on GET, form on POST) as the transport checks
 * them: the client and its redirect URI, which decide whether an error may be redirected at all,
 * and the form login. The other parameters are carried as sent and checked against
 * AuthorizationParametersDto once the redirect URI is known, so that a bad value of one of them
 * goes back to the client by redirect (RFC 6749 4.1.2.1), not to the user as a 400.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.1.1
 */
export class AuthorizationRequestDto {
  @IsOptional() @IsString() @MaxLength(LIMITS.clientId) client_id?: string;
  @IsOptional() @IsString() @MaxLength(LIMITS.redirectUri) redirect_uri?: string;
  /**
   * Form login (POST only); HTTP Basic is the other way in. Their lengths are checked at login,
   * as Basic's are, so an over-long username is a refused login (401), whichever way it came.
   */
  @IsOptional() @IsString() username?: string;
  @IsOptional() @IsString() password?: string;
  @Allow() response_type?: unknown;
  @Allow() scope?: unknown;
  @Allow() state?: unknown;
  @Allow() code_challenge?: unknown;
  @Allow() code_challenge_method?: unknown;
  @Allow() dpop_jkt?: unknown;
}

/**
 * The redirectable parameters of an authorization request: any refusal here is sent back to the
 * client's redirect URI. Whether a value is acceptable (response type, scope, challenge) is the
 * authorization service's call; this says only what can be read at all.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.1.2.1
 * @see https://www.rfc-editor.org/rfc/rfc7636#section-4.3
 */
export class AuthorizationParametersDto {
  @IsOptional() @IsString() @MaxLength(LIMITS.responseType) response_type?: string;
  @IsOptional() @IsString() @MaxLength(LIMITS.scope) scope?: string;
  @IsOptional() @IsString() @MaxLength(LIMITS.state) state?: string;
  @IsOptional() @IsString() @MaxLength(LIMITS.codeChallenge) code_challenge?: string;
  @IsOptional() @IsString() @MaxLength(LIMITS.codeChallengeMethod) code_challenge_method?: string;
  /** RFC 9449 10: binds the code to the DPoP key with this thumbprint. */
  @IsOptional() @IsString() @Matches(/^[A-Za-z0-9_-]{43}$/) dpop_jkt?: string;
}

/**
 * An authorization response as the client reads it, from the redirect to its callback: a code,
 * or an error, with `state` and `iss`.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.1.2
 * @see https://www.rfc-editor.org/rfc/rfc9207#section-2
 */
export class AuthorizationResponseDto {
  @IsOptional() @IsString() @MaxLength(LIMITS.code) code?: string;
  @IsOptional() @IsString() @MaxLength(LIMITS.state) state?: string;
  @IsOptional() @IsString() @MaxLength(LIMITS.url) iss?: string;
  @IsOptional() @IsString() @MaxLength(LIMITS.errorCode) error?: string;
  @IsOptional() @IsString() @MaxLength(LIMITS.errorDescription) error_description?: string;
}
