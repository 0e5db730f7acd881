import { InvalidRequestError } from './webapp.errors';

/** What the validation pipe throws when a DTO refuses a request. */
export function invalidRequest(description: string): Error {
  return new InvalidRequestError(description);
}
