import { ValidationPipe, type ValidationError } from '@nestjs/common';

/**
 * The one validation pipe of a service. Unknown parameters are dropped, not refused: RFC 6749
 * 3.1 says an authorization server MUST ignore unrecognized request parameters. The factory turns
 * the first failure into the service's own domain error, naming the parameter.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-3.1
 */
export function createValidationPipe(toError: (description: string) => Error): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: false,
    transform: true,
    forbidUnknownValues: false,
    validationError: { target: false, value: false },
    exceptionFactory: (errors: ValidationError[]) => toError(describeFirst(errors)),
  });
}

function describeFirst(errors: ValidationError[]): string {
  const first = errors[0];
  if (first === undefined) return 'the request is not valid';
  return `parameter ${first.property} is invalid, too long or repeated`;
}
