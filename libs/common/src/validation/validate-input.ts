import { InvalidInputError } from '../errors/invalid-input.error';
import { compiledValidator } from './compiled-validator';

/**
 * Checks `input` against a declared DTO of libs/contracts (its compiled validator) and returns
 * it as that DTO, unknown properties dropped; throws InvalidInputError naming the first
 * parameter that fails. For inputs that code must check itself, at the point the protocol says
 * (the redirectable parameters of an authorization request, once the redirect URI is known).
 */
export function validateInput<T extends object>(dto: new () => T, input: unknown): T {
  const outcome = compiledValidator(dto).validate(input ?? {});
  if (outcome.valid) return outcome.value;
  const parameter = outcome.property ?? 'body';
  throw new InvalidInputError(describeInvalid(parameter), parameter);
}

/** How a refused parameter is named to the caller, the same everywhere. */
export function describeInvalid(parameter: string): string {
  return `parameter ${parameter} is invalid, too long or repeated`;
}
