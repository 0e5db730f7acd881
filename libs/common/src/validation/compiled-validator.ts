import Ajv, { type ValidateFunction } from 'ajv';
import { isISO8601, isURL, matches, maxLength, minLength } from 'class-validator';
import * as contracts from '@app/contracts';
import { type DtoSchema, dtoSchemaOf, hasValidationRules } from './dto-schema';

export interface Valid<T> {
  readonly valid: true;
  /** A plain object with the DTO's properties that the input had, and nothing else. */
  readonly value: T;
}

export interface Invalid {
  readonly valid: false;
  /**
   * The first property class-validator would name. Undefined for a value that is not an object
   * when an empty object would pass: class-validator then has no property to name.
   */
  readonly property: string | undefined;
}

export type Validated<T> = Valid<T> | Invalid;

/** A DTO class as the pipes and clients name it. */
export type DtoClass<T> = abstract new (...args: never[]) => T;

/**
 * The `cv:` keywords of dto-schema.ts: each calls the class-validator function that the
 * decorator calls (and through it validator.js), so that the verdict is the same.
 */
function createAjv(): Ajv {
  const ajv = new Ajv({
    // Unknown keywords and ambiguous types are errors at compilation, not warnings.
    strict: true,
    allErrors: false,
    // Refusals name a field, never ajv's message: there is no message to build.
    messages: false,
  });
  ajv.addKeyword({
    keyword: 'cv:maxLength',
    type: 'string',
    schemaType: 'number',
    errors: false,
    compile: (max: number) => (data: string) => maxLength(data, max),
  });
  ajv.addKeyword({
    keyword: 'cv:minLength',
    type: 'string',
    schemaType: 'number',
    errors: false,
    compile: (min: number) => (data: string) => minLength(data, min),
  });
  ajv.addKeyword({
    keyword: 'cv:matches',
    type: 'string',
    schemaType: 'object',
    errors: false,
    compile: ({ source, flags }: { source: string; flags: string }) => {
      const pattern = new RegExp(source, flags);
      return (data: string) => matches(data, pattern);
    },
  });
  ajv.addKeyword({
    keyword: 'cv:isURL',
    type: 'string',
    schemaType: 'object',
    errors: false,
    compile: (options: object) => {
      // validator.js fills its defaults into the options object it is given: a copy of its own.
      const own = { ...options };
      return (data: string) => isURL(data, own);
    },
  });
  ajv.addKeyword({
    keyword: 'cv:isISO8601',
    type: 'string',
    schemaType: 'object',
    errors: false,
    compile: (options: object) => {
      const own = { ...options };
      return (data: string) => isISO8601(data, own);
    },
  });
  return ajv;
}

const ajv = createAjv();
const ALLOF_INDEX = /^#\/allOf\/(\d+)\//;

/**
 * One DTO class's rules, compiled by ajv from its JSON Schema. Validates the way the
 * class-validator pipe did (class-transformer's copy, then class-validator with `whitelist`):
 * only the input's own enumerable properties count, unknown ones are dropped, and a refusal
 * names the first failing property in class-validator's order.
 */
export class CompiledValidator<T> {
  readonly schema: DtoSchema;
  private readonly names: readonly string[];
  private readonly check: ValidateFunction;
  /** What a value that is not an object gets: the verdict on an empty object. */
  private readonly nonObject: Invalid;

  constructor(dto: DtoClass<T>) {
    this.schema = dtoSchemaOf(dto);
    this.names = this.schema.properties.map((property) => property.name);
    this.check = ajv.compile(this.schema.jsonSchema);
    const empty = this.validateObject({});
    this.nonObject = { valid: false, property: empty.valid ? undefined : empty.property };
  }

  /** Validates a parsed JSON value, form or query; anything but a non-array object is refused. */
  validate(value: unknown): Validated<T> {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return this.nonObject;
    return this.validateObject(value as Record<string, unknown>);
  }

  private validateObject(value: Record<string, unknown>): Validated<T> {
    // The declared properties the input has, as class-transformer copies them (Object.keys):
    // nothing inherited, and the prototype of the input does not matter.
    const picked: Record<string, unknown> = {};
    for (const name of this.names) {
      if (Object.prototype.propertyIsEnumerable.call(value, name)) picked[name] = value[name];
    }
    if (this.check(picked)) return { valid: true, value: picked as T };
    return { valid: false, property: this.failedProperty() };
  }

  private failedProperty(): string {
    const path = this.check.errors?.[0]?.schemaPath ?? '';
    const index = ALLOF_INDEX.exec(path)?.[1];
    const name = index === undefined ? undefined : this.names[Number(index)];
    // Every rule of the schema sits under its property's allOf entry.
    if (name === undefined) throw new Error(`${this.schema.name}: unexpected refusal at ${path}`);
    return name;
  }
}

const compiled = new Map<DtoClass<unknown>, CompiledValidator<unknown>>();

/**
 * The compiled validator of a DTO class, built on first use and kept. Throws a DtoSchemaError
 * for a class with a rule that has no exact translation, or with no rule at all.
 */
export function compiledValidator<T>(dto: DtoClass<T>): CompiledValidator<T> {
  let validator = compiled.get(dto);
  if (validator === undefined) {
    validator = new CompiledValidator(dto);
    compiled.set(dto, validator);
  }
  return validator as CompiledValidator<T>;
}

/**
 * Compiles the validator of every DTO class of libs/contracts now, so that a decorator without
 * a translation stops the service at start, and no request pays for a compilation.
 */
export function compileContractValidators(): void {
  for (const value of Object.values(contracts)) {
    if (typeof value === 'function' && hasValidationRules(value)) {
      compiledValidator(value as DtoClass<unknown>);
    }
  }
}
