/**
 * The longest value of each datum, declared once. Every service enforces a datum's limit where it
 * enters (a username at login, a token at the resource server's door), so nothing is accepted at
 * one hop and choked on at the next. All are far below BODY_LIMIT.
 */
export const LIMITS = {
  /** A person's login name: the `sub` of their tokens and the `user` of every answer. */
  username: 256,
  clientId: 128,
  clientSecret: 512,
  redirectUri: 2048,
  state: 512,
  scope: 256,
  responseType: 64,
  /** RFC 7636 4.2: a S256 challenge is 43 characters; anything past this is not one. */
  codeChallenge: 128,
  codeChallengeMethod: 32,
  grantType: 64,
  code: 512,
  /** RFC 7636 4.1: at most 128 characters. */
  codeVerifier: 128,
  /** An access token of this stack is about 700 characters; a longer one is not ours. */
  accessToken: 4096,
  tokenTypeHint: 64,
  jti: 128,
  url: 2048,
  errorCode: 64,
  errorDescription: 1024,
} as const;
