/**
 * The grant types a client may be registered for; the token endpoint's handlers each take one.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-4
 */
export type GrantType = 'authorization_code';
