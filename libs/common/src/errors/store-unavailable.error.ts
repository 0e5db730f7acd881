/**
 * A store that cannot answer now (Redis down, or too slow). The authorization server fails
 * closed: the request gets 503 temporarily_unavailable, never an unchecked code or token.
 */
export class StoreUnavailableError extends Error {
  override readonly name = 'StoreUnavailableError';

  constructor(
    readonly store: string,
    readonly detail: string,
    options?: { cause?: unknown },
  ) {
    super(`${store} store unavailable: ${detail}`, options);
  }
}
