/**
 * An input refused by its declared schema (a DTO of libs/contracts): the request is malformed.
 * Thrown by the validation pipe; each app's exception filter maps it to its `invalid_request`.
 */
export class InvalidInputError extends Error {
  override readonly name = 'InvalidInputError';

  constructor(
    readonly description: string,
    /** The first parameter that failed, when one did. */
    readonly parameter?: string,
  ) {
    super(description);
  }
}
