/**
 * A PKCE code verifier: 43 to 128 unreserved characters. The webapp mints and carries them, the
 * authorization server checks them.
 * @see https://www.rfc-editor.org/rfc/rfc7636#section-4.1
 */
export const CODE_VERIFIER = /^[A-Za-z0-9._~-]{43,128}$/;
