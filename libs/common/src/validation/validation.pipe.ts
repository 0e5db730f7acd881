import type { ArgumentMetadata, PipeTransform } from '@nestjs/common';
import { compileContractValidators, compiledValidator, type DtoClass } from './compiled-validator';
import { hasValidationRules } from './dto-schema';
import { describeInvalid } from './validate-input';

/**
 * The one validation pipe of a service, with the DTO classes' rules compiled by ajv. Unknown
 * parameters are dropped, not refused: RFC 6749 3.1 says an authorization server MUST ignore
 * unrecognized request parameters. A repeated parameter arrives as an array and fails its
 * IsString. The first failure becomes the service's own domain error, naming the parameter.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-3.1
 */
export function createValidationPipe(toError: (description: string) => Error): PipeTransform {
  compileContractValidators();
  return new CompiledValidationPipe(toError);
}

/**
 * What Nest's ValidationPipe did with `whitelist` and `transform`, for the DTO classes: a missing
 * body counts as an empty one, and a body that is not an object is refused (naming the first
 * required field, else the body itself). The handler gets a plain object, not an instance.
 * Parameters without a DTO class (headers, `@Ip()`, `@Query('name')`) pass as they are.
 */
class CompiledValidationPipe implements PipeTransform<unknown, unknown> {
  /** Per parameter class: whether it has rules; asked once, not per request. */
  private readonly isDto = new Map<unknown, boolean>();

  constructor(private readonly toError: (description: string) => Error) {}

  transform(value: unknown, metadata: ArgumentMetadata): unknown {
    const { metatype } = metadata;
    if (metadata.type === 'custom' || metatype === undefined || !this.hasRules(metatype)) {
      return value;
    }
    const outcome = compiledValidator(metatype as DtoClass<unknown>).validate(value ?? {});
    if (outcome.valid) return outcome.value;
    const name = outcome.property ?? (metadata.data || metadata.type);
    throw this.toError(describeInvalid(name));
  }

  private hasRules(metatype: NonNullable<ArgumentMetadata['metatype']>): boolean {
    let known = this.isDto.get(metatype);
    if (known === undefined) {
      known = hasValidationRules(metatype);
      this.isDto.set(metatype, known);
    }
    return known;
  }
}
