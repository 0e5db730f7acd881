import 'reflect-metadata';
import {
  ARRAY_NOT_EMPTY,
  EQUALS,
  getMetadataStorage,
  IS_ARRAY,
  IS_BOOLEAN,
  IS_IN,
  IS_INT,
  IS_ISO8601,
  IS_OBJECT,
  IS_OPTIONAL,
  IS_POSITIVE,
  IS_STRING,
  IS_URL,
  MATCHES,
  MAX,
  MAX_LENGTH,
  MIN,
  MIN_LENGTH,
  type MetadataStorage,
  ValidationTypes,
} from 'class-validator';

/**
 * The class-validator decorators of a DTO class, read from class-validator's own metadata and
 * written as one JSON Schema, so that the DTO classes stay the one declared schema and ajv can
 * compile it. Hand-written because no library does this exactly: class-validator-jsonschema
 * (5.x) writes schemas for documentation: it maps IsUrl to `format: url` and MaxLength to
 * `maxLength` (which counts characters differently), turns what it does not know into `{}`, and
 * reads the storage's private `validationMetadatas` as an array (class-validator 0.15 keeps a
 * Map). This file uses the storage's public methods, the ones class-validator validates with.
 *
 * The schema describes JSON values, the only ones that reach a DTO (JSON.parse, the form and
 * query parsers). Outside JSON it differs from class-validator: String and Boolean wrapper
 * objects, Sets and Maps under `each`, and ±Infinity under Min, Max and IsPositive.
 */

/** A JSON Schema (draft-07, ajv's default), with the `cv:` keywords of compiled-validator.ts. */
export type JsonSchema = { [keyword: string]: unknown };

export interface DtoProperty {
  readonly name: string;
  /** `@IsOptional()`: null and undefined skip every other rule, as in class-validator. */
  readonly optional: boolean;
  /** What a present value must satisfy; optional properties also accept null. */
  readonly schema: JsonSchema;
}

export interface DtoSchema {
  /** The class name. */
  readonly name: string;
  /** In the order class-validator checks them, which decides the field a refusal names. */
  readonly properties: readonly DtoProperty[];
  /**
   * The whole object: one `allOf` entry per property, in that order. Ajv stops at the first
   * failing entry of an `allOf`, so its first error names the same field as class-validator's;
   * `properties` plus `required` would report a missing field before an invalid earlier one.
   */
  readonly jsonSchema: JsonSchema;
}

/** A decorator (or a use of one) that has no exact translation: the service must not start. */
export class DtoSchemaError extends Error {
  override readonly name = 'DtoSchemaError';

  constructor(
    readonly dto: string,
    readonly property: string | undefined,
    readonly decorator: string | undefined,
    reason: string,
  ) {
    const where = property === undefined ? dto : `${dto}.${property}`;
    super(
      `cannot compile a validator for ${where}: ${decorator === undefined ? '' : `${decorator} `}${reason}`,
    );
  }
}

/** A rule that cannot be translated; the caller adds the class, the property and the decorator. */
class UntranslatableRuleError extends Error {}

type ValidationMetadata = ReturnType<MetadataStorage['getTargetValidationMetadatas']>[number];
// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type -- class-validator's own type for a class
type DtoClass = Function;

/** What a present value must satisfy for one decorator, from the decorator's constraints. */
type Translation = (constraints: readonly unknown[]) => JsonSchema;

/**
 * Every decorator with an exact translation, keyed by class-validator's constraint name. Where
 * JSON Schema's keyword means something else (maxLength counts U+FE0F, `pattern` adds the `u`
 * flag) or is missing (URLs, ISO 8601), a `cv:` keyword calls class-validator's own function.
 */
const TRANSLATIONS: Readonly<Record<string, Translation>> = {
  [IS_STRING]: () => ({ type: 'string' }),
  [IS_BOOLEAN]: () => ({ type: 'boolean' }),
  // isObject: not null, not an array; a function cannot come from JSON.
  [IS_OBJECT]: () => ({ type: 'object' }),
  // Number.isInteger: ajv's `integer` (with strictNumbers) is finite and without a fraction.
  [IS_INT]: () => ({ type: 'integer' }),
  [IS_POSITIVE]: () => ({ type: 'number', exclusiveMinimum: 0 }),
  [MIN]: ([min]) => ({ type: 'number', minimum: finiteNumber(min) }),
  [MAX]: ([max]) => ({ type: 'number', maximum: finiteNumber(max) }),
  [IS_ARRAY]: () => ({ type: 'array' }),
  [ARRAY_NOT_EMPTY]: () => ({ type: 'array', minItems: 1 }),
  [EQUALS]: ([comparison]) => ({ const: primitive(comparison) }),
  [IS_IN]: ([values]) => isIn(values),
  [MAX_LENGTH]: ([max]) => ({ type: 'string', 'cv:maxLength': finiteNumber(max) }),
  [MIN_LENGTH]: ([min]) => ({ type: 'string', 'cv:minLength': finiteNumber(min) }),
  [MATCHES]: ([source, modifiers]) => ({
    type: 'string',
    'cv:matches': pattern(source, modifiers),
  }),
  [IS_URL]: ([settings]) => ({ type: 'string', 'cv:isURL': options(settings) }),
  [IS_ISO8601]: ([settings]) => ({ type: 'string', 'cv:isISO8601': options(settings) }),
};

/** How the decorators of the metadata types without a constraint name are written. */
const TYPE_DECORATORS: Readonly<Record<string, string>> = {
  [ValidationTypes.NESTED_VALIDATION]: '@ValidateNested',
  [ValidationTypes.PROMISE_VALIDATION]: '@ValidatePromise',
  [ValidationTypes.CONDITIONAL_VALIDATION]: '@ValidateIf',
  [ValidationTypes.WHITELIST]: '@Allow',
  [ValidationTypes.IS_DEFINED]: '@IsDefined',
};

/** Whether class-validator has any rule for the class (or the classes it extends). */
export function hasValidationRules(dto: DtoClass): boolean {
  return metadataOf(dto).length > 0;
}

/**
 * The schema of a DTO class. Throws a DtoSchemaError naming the class, the property and the
 * decorator for anything without an exact translation, and for a class without any rule.
 */
export function dtoSchemaOf(dto: DtoClass): DtoSchema {
  const metadata = metadataOf(dto);
  if (metadata.length === 0) {
    throw new DtoSchemaError(dto.name, undefined, undefined, 'the class has no validation rules');
  }
  // A name every object already has would be found without being sent (class-validator reads
  // `instance.toString`; its own grouping of rules by name even fails on one).
  const shadowing = metadata.find((item) => item.propertyName in Object.prototype);
  if (shadowing !== undefined) {
    throw new DtoSchemaError(
      dto.name,
      shadowing.propertyName,
      undefined,
      'the name is a property of every object',
    );
  }
  const grouped = getMetadataStorage().groupByPropertyName(metadata);
  // Object.keys, as class-validator walks the same grouping: the order of its errors.
  const properties = Object.keys(grouped).map((name) =>
    propertyOf(dto.name, name, grouped[name] ?? []),
  );
  return { name: dto.name, properties, jsonSchema: objectSchema(dto.name, properties) };
}

function metadataOf(dto: DtoClass): ValidationMetadata[] {
  // class-validator passes no schema name when it validates an object; the `string` in its
  // signature is for schemas registered by name, which this project does not use.
  return getMetadataStorage().getTargetValidationMetadatas(
    dto,
    undefined as unknown as string,
    false,
    false,
  );
}

function propertyOf(dto: string, name: string, metadata: ValidationMetadata[]): DtoProperty {
  let optional = false;
  const rules: JsonSchema[] = [];
  for (const item of metadata) {
    const decorator = decoratorOf(item);
    const refused = (reason: string) => new DtoSchemaError(dto, name, decorator, reason);
    if ((item.groups?.length ?? 0) > 0 || item.always !== undefined) {
      throw refused('uses validation groups, which the compiled validators do not support');
    }
    if (item.validateIf !== undefined) throw refused('has a validateIf condition');
    if (item.type === ValidationTypes.CONDITIONAL_VALIDATION && item.name === IS_OPTIONAL) {
      optional = true;
      continue;
    }
    // @Allow(): kept, whatever it is, and not required; checked later by whoever reads it
    // against a schema of its own (the authorization request's redirectable parameters).
    if (item.type === ValidationTypes.WHITELIST) {
      optional = true;
      continue;
    }
    if (item.type === ValidationTypes.NESTED_VALIDATION && !item.each) {
      rules.push(nestedSchemaOf(dto, name, item, refused));
      continue;
    }
    const constraintName =
      item.type === ValidationTypes.CUSTOM_VALIDATION ? constraintNameOf(item) : undefined;
    const translate = constraintName === undefined ? undefined : TRANSLATIONS[constraintName];
    if (translate === undefined) throw refused('has no compiled translation');
    let schema: JsonSchema;
    try {
      schema = translate(item.constraints ?? []);
    } catch (err) {
      throw err instanceof UntranslatableRuleError ? refused(err.message) : err;
    }
    rules.push(item.each ? eachOf(schema) : schema);
  }
  return { name, optional, schema: merged(rules) };
}

/**
 * `@ValidateNested()`: the property's declared class (its `design:type`, which `@Type(() => X)`
 * names for class-transformer too) must be a DTO with rules of its own, and the value (or each
 * item of an array value, as class-validator has it) must satisfy its schema; class-validator
 * refuses any other value.
 */
function nestedSchemaOf(
  dto: string,
  name: string,
  item: ValidationMetadata,
  refused: (reason: string) => DtoSchemaError,
): JsonSchema {
  const owner = item.target as { prototype?: object };
  const declared: unknown =
    owner.prototype === undefined
      ? undefined
      : Reflect.getMetadata('design:type', owner.prototype, name);
  if (typeof declared !== 'function' || !hasValidationRules(declared)) {
    throw refused('needs a declared class with validation rules of its own');
  }
  if (declared.name === dto) throw refused('nests its own class');
  // The nested class's schema, without its title (a title belongs to a document's root).
  const nested = Object.fromEntries(
    Object.entries(dtoSchemaOf(declared).jsonSchema).filter(([keyword]) => keyword !== 'title'),
  );
  // class-validator validates each item of an array the same way.
  return eachOf(nested);
}

/**
 * The rules of one property as one schema where their keywords do not overlap (`type` aside,
 * where integer and number make integer): `{ type: 'string', 'cv:maxLength': 64 }` rather than
 * an allOf of two. Rules with subschemas (`each`, an empty IsIn) stay beside it in an allOf,
 * where ajv's strict mode reads their types on their own; any overlap keeps the plain allOf.
 */
function merged(rules: readonly JsonSchema[]): JsonSchema {
  // Only @IsOptional(): any value is kept as it is.
  if (rules.length === 0) return {};
  if (rules.length === 1) return rules[0]!;
  const flat: JsonSchema = {};
  const nested: JsonSchema[] = [];
  for (const rule of rules) {
    if (Object.keys(rule).some((keyword) => SUBSCHEMA_KEYWORDS.has(keyword))) {
      nested.push(rule);
      continue;
    }
    for (const [keyword, value] of Object.entries(rule)) {
      const seen = flat[keyword];
      if (seen === undefined || seen === value) flat[keyword] = value;
      else if (keyword === 'type' && isNumeric(seen) && isNumeric(value)) flat.type = 'integer';
      else return { allOf: [...rules] };
    }
  }
  if (nested.length === 0) return flat;
  return { allOf: Object.keys(flat).length === 0 ? nested : [flat, ...nested] };
}

const SUBSCHEMA_KEYWORDS = new Set(['if', 'then', 'else', 'allOf', 'anyOf', 'not']);

function isNumeric(type: unknown): boolean {
  return type === 'integer' || type === 'number';
}

/** The constraint's name, as class-validator names the error (`isString`, `maxLength`). */
function constraintNameOf(item: ValidationMetadata): string | undefined {
  const constraints = getMetadataStorage().getTargetValidatorConstraints(item.constraintCls);
  // Several implementations of one constraint class all run; none of the built-ins has that.
  return constraints.length === 1 ? constraints[0]!.name : undefined;
}

function decoratorOf(item: ValidationMetadata): string {
  if (item.type === ValidationTypes.CONDITIONAL_VALIDATION && item.name === IS_OPTIONAL) {
    return '@IsOptional';
  }
  if (item.type === ValidationTypes.CUSTOM_VALIDATION) {
    const name = constraintNameOf(item) ?? item.name ?? 'custom';
    return `@${name.charAt(0).toUpperCase()}${name.slice(1)}`;
  }
  return TYPE_DECORATORS[item.type] ?? `@${item.type}`;
}

/**
 * `each: true`: class-validator checks every item of an array against the rule, and any other
 * value as it is.
 */
function eachOf(schema: JsonSchema): JsonSchema {
  return { if: { type: 'array' }, then: { type: 'array', items: schema }, else: schema };
}

function objectSchema(title: string, properties: readonly DtoProperty[]): JsonSchema {
  const allOf = properties.map(({ name, optional, schema }) => {
    if (optional) return { properties: { [name]: { anyOf: [{ type: 'null' }, schema] } } };
    return { required: [name], properties: { [name]: schema } };
  });
  return allOf.length === 0 ? { title, type: 'object' } : { title, type: 'object', allOf };
}

function finiteNumber(value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new UntranslatableRuleError('needs a finite number');
  }
  return value;
}

/** Equals and IsIn compare with `===`; JSON Schema's deep equality agrees on JSON primitives. */
function primitive(value: unknown): string | number | boolean | null {
  if (
    value === null ||
    typeof value === 'string' ||
    typeof value === 'boolean' ||
    (typeof value === 'number' && Number.isFinite(value))
  ) {
    return value;
  }
  throw new UntranslatableRuleError('compares with a value that is not a JSON primitive');
}

function isIn(values: unknown): JsonSchema {
  // class-validator refuses everything when the list is not an array.
  if (!Array.isArray(values)) return { not: {} };
  const allowed = [...new Set(values.map(primitive))];
  return allowed.length === 0 ? { not: {} } : { enum: allowed };
}

/**
 * class-validator hands the pattern to validator.js's `matches`: a RegExp keeps its own flags, a
 * string is compiled with the modifiers. A sticky RegExp carries state from one call to the next,
 * which a compiled validator cannot share.
 */
function pattern(source: unknown, modifiers: unknown): { source: string; flags: string } {
  let compiled: { source: string; flags: string };
  if (source instanceof RegExp) compiled = { source: source.source, flags: source.flags };
  else if (
    typeof source === 'string' &&
    (modifiers === undefined || typeof modifiers === 'string')
  ) {
    compiled = { source, flags: modifiers ?? '' };
  } else throw new UntranslatableRuleError('needs a RegExp or a string pattern');
  if (compiled.flags.includes('y')) throw new UntranslatableRuleError('uses the sticky flag');
  return compiled;
}

/** Options of a validator.js check, which must survive as JSON (no RegExp host lists). */
function options(value: unknown): JsonSchema {
  if (value === undefined) return {};
  const copy = jsonCopy(value);
  if (typeof copy !== 'object' || copy === null || Array.isArray(copy)) {
    throw new UntranslatableRuleError('has options that are not an object');
  }
  return copy as JsonSchema;
}

function jsonCopy(item: unknown): unknown {
  if (item === null || typeof item === 'string' || typeof item === 'boolean') return item;
  if (typeof item === 'number' && Number.isFinite(item)) return item;
  if (Array.isArray(item)) return item.map(jsonCopy);
  const proto: unknown = typeof item === 'object' ? Object.getPrototypeOf(item) : undefined;
  if (proto !== Object.prototype && proto !== null) {
    throw new UntranslatableRuleError('has options that are not JSON');
  }
  const out: JsonSchema = {};
  for (const [key, inner] of Object.entries(item as object)) {
    // validator.js's option merge treats an undefined option as an absent one.
    if (inner !== undefined) out[key] = jsonCopy(inner);
  }
  return out;
}
