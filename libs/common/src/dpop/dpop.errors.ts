/**
 * The two error codes RFC 9449 defines: a proof that fails a check, and a proof that lacks the
 * server's current nonce (the client retries with the nonce from the `DPoP-Nonce` header).
 * @see https://www.rfc-editor.org/rfc/rfc9449#section-12.2
 */
export type DpopErrorCode = 'invalid_dpop_proof' | 'use_dpop_nonce';

/**
 * A DPoP proof failed a check. `description` is safe to send to the client; `detail` says why in
 * words for operators and goes only to the log. The transport maps `code` to its status: at the
 * token endpoint 400 (RFC 9449 5), at a resource 401 with a `DPoP` challenge (RFC 9449 7.1).
 * @see https://www.rfc-editor.org/rfc/rfc9449#section-4.3
 */
export class InvalidDpopProofError extends Error {
  override readonly name = 'InvalidDpopProofError';
  readonly description: string;
  readonly detail: string;
  readonly code: DpopErrorCode;

  // Plain fields rather than parameter properties: e2e/ loads this folder under Node's type
  // stripping, which runs erasable TypeScript only.
  constructor(
    description: string,
    detail: string,
    code: DpopErrorCode = 'invalid_dpop_proof',
    options?: { cause?: unknown },
  ) {
    super(description, options);
    this.description = description;
    this.detail = detail;
    this.code = code;
  }
}

/**
 * The replay cache is full and cannot record another proof. The caller refuses the request as
 * temporarily unavailable: accepting it unrecorded would let it be replayed, and evicting live
 * entries would let an attacker who fills the cache replay real ones.
 */
export class DpopReplayCacheFullError extends Error {
  override readonly name = 'DpopReplayCacheFullError';
}
