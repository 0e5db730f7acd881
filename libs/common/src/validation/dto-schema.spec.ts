import {
  Allow,
  Equals,
  IsArray,
  IsDefined,
  IsEmail,
  IsIn,
  IsOptional,
  IsString,
  IsUrl,
  Matches,
  Min,
  Validate,
  ValidateIf,
  ValidateNested,
  ValidatorConstraint,
  type ValidatorConstraintInterface,
} from 'class-validator';
import { IntrospectionResponseDto, TokenResponseDto } from '@app/contracts';
import { settingsOf } from '../config/setting.decorator';
import { ServiceConfig } from '../config/service.config';
import { thrown } from '../../test/doubles';
import { Type } from 'class-transformer';
import { compiledValidator } from './compiled-validator';
import { DtoSchemaError, dtoSchemaOf, hasValidationRules } from './dto-schema';

describe('dtoSchemaOf', () => {
  it('writes a DTO class as one allOf entry per property, in declaration order', () => {
    expect(dtoSchemaOf(TokenResponseDto).jsonSchema).toEqual({
      title: 'TokenResponseDto',
      type: 'object',
      allOf: [
        {
          required: ['access_token'],
          properties: { access_token: { type: 'string', 'cv:maxLength': 4096 } },
        },
        {
          required: ['token_type'],
          properties: { token_type: { type: 'string', 'cv:maxLength': 64 } },
        },
        {
          required: ['expires_in'],
          properties: { expires_in: { type: 'integer', exclusiveMinimum: 0 } },
        },
        {
          required: ['scope'],
          properties: { scope: { type: 'string', 'cv:maxLength': 256 } },
        },
      ],
    });
  });

  it('merges the rules of a property unless their keywords overlap or they have subschemas', () => {
    class Overlapping {
      @IsIn(['a']) @Equals('a') merged!: string;
      @Equals('a') @Equals('b') never!: string;
      @IsArray() @IsIn(['a'], { each: true }) list!: string[];
    }
    expect(dtoSchemaOf(Overlapping).properties.map((property) => property.schema)).toEqual([
      { const: 'a', enum: ['a'] },
      { allOf: [{ const: 'b' }, { const: 'a' }] },
      {
        allOf: [
          { type: 'array' },
          {
            if: { type: 'array' },
            then: { type: 'array', items: { enum: ['a'] } },
            else: { enum: ['a'] },
          },
        ],
      },
    ]);
  });

  it('lets null through for an optional property, as @IsOptional() does', () => {
    const tokenType = dtoSchemaOf(IntrospectionResponseDto).properties.find(
      (property) => property.name === 'token_type',
    );
    expect(tokenType).toEqual({
      name: 'token_type',
      optional: true,
      schema: { enum: ['Bearer', 'DPoP'] },
    });
    expect(dtoSchemaOf(IntrospectionResponseDto).jsonSchema.allOf).toContainEqual({
      properties: { token_type: { anyOf: [{ type: 'null' }, { enum: ['Bearer', 'DPoP'] }] } },
    });
  });

  it('checks each item of an array for `each: true`, and any other value as it is', () => {
    class Scopes {
      @IsIn(['current_time', 'epoch_time'], { each: true }) scopes!: string[];
    }
    expect(dtoSchemaOf(Scopes).properties[0]?.schema).toEqual({
      if: { type: 'array' },
      then: { type: 'array', items: { enum: ['current_time', 'epoch_time'] } },
      else: { enum: ['current_time', 'epoch_time'] },
    });
  });

  it('keeps the flags of a RegExp and the modifiers of a string pattern', () => {
    class Patterns {
      @Matches(/^a$/i) regexp!: string;
      @Matches('^b$', 'm') text!: string;
    }
    expect(dtoSchemaOf(Patterns).properties.map((property) => property.schema)).toEqual([
      { type: 'string', 'cv:matches': { source: '^a$', flags: 'i' } },
      { type: 'string', 'cv:matches': { source: '^b$', flags: 'm' } },
    ]);
  });

  it('accepts every settings class decorator, ServiceConfig among them', () => {
    const names = dtoSchemaOf(ServiceConfig).properties.map((property) => property.name);
    const settings = settingsOf(new ServiceConfig()).map((setting) => setting.property);
    expect(names.sort()).toEqual(settings.sort());
  });
});

@ValidatorConstraint({ name: 'even' })
class EvenConstraint implements ValidatorConstraintInterface {
  validate(value: unknown): boolean {
    return typeof value === 'number' && value % 2 === 0;
  }
}

class Nested {
  @IsString() name!: string;
}

describe('dtoSchemaOf refuses, naming the class, the property and the decorator,', () => {
  class Email {
    @IsEmail() address!: string;
  }
  class Child {
    @ValidateNested() nested!: Record<string, unknown>;
  }
  class Defined {
    @IsDefined() value!: string;
  }
  class Conditional {
    @ValidateIf(() => true) @IsString() value!: string;
  }
  class Custom {
    @Validate(EvenConstraint) count!: number;
  }
  class Grouped {
    @IsString({ groups: ['admin'] }) value!: string;
  }
  class ConditionalOption {
    @IsString({ validateIf: () => true }) value!: string;
  }
  class Sticky {
    @Matches(/^a/y) value!: string;
  }
  class StickyModifier {
    @Matches('^a', 'y') value!: string;
  }
  class ObjectEquals {
    @Equals({ a: 1 }) value!: object;
  }
  class UndefinedIn {
    @IsIn(['a', undefined]) value!: string;
  }
  class TextMin {
    @Min('1' as unknown as number) value!: number;
  }
  class RegExpHosts {
    @IsUrl({ host_whitelist: [/\.example$/] }) value!: string;
  }
  class Shadowing {
    @IsOptional() @IsString() toString!: () => string;
  }
  class Empty {
    name?: string;
  }

  it.each([
    [Email, 'Email.address: @IsEmail has no compiled translation'],
    [
      Child,
      'Child.nested: @ValidateNested needs a declared class with validation rules of its own',
    ],
    [Defined, 'Defined.value: @IsDefined has no compiled translation'],
    [Conditional, 'Conditional.value: @ValidateIf has no compiled translation'],
    [Custom, 'Custom.count: @Even has no compiled translation'],
    [
      Grouped,
      'Grouped.value: @IsString uses validation groups, which the compiled validators do not support',
    ],
    [ConditionalOption, 'ConditionalOption.value: @IsString has a validateIf condition'],
    [Sticky, 'Sticky.value: @Matches uses the sticky flag'],
    [StickyModifier, 'StickyModifier.value: @Matches uses the sticky flag'],
    [
      ObjectEquals,
      'ObjectEquals.value: @Equals compares with a value that is not a JSON primitive',
    ],
    [UndefinedIn, 'UndefinedIn.value: @IsIn compares with a value that is not a JSON primitive'],
    [TextMin, 'TextMin.value: @Min needs a finite number'],
    [RegExpHosts, 'RegExpHosts.value: @IsUrl has options that are not JSON'],
    [Shadowing, 'Shadowing.toString: the name is a property of every object'],
    [Empty, 'Empty: the class has no validation rules'],
  ] as const)('%p: %s', (dto, where) => {
    const error = thrown(() => dtoSchemaOf(dto));
    expect(error).toBeInstanceOf(DtoSchemaError);
    expect(error).toHaveProperty('message', `cannot compile a validator for ${where}`);
  });

  it('with the parts in fields of their own', () => {
    expect(thrown(() => dtoSchemaOf(Email))).toMatchObject({
      dto: 'Email',
      property: 'address',
      decorator: '@IsEmail',
    });
  });
});

describe('hasValidationRules', () => {
  class Inherits extends TokenResponseDto {}
  class Plain {
    name?: string;
  }

  it.each([
    [TokenResponseDto, true],
    [Inherits, true],
    [Plain, false],
    [String, false],
    [Object, false],
  ] as const)('%p: %p', (dto, expected) => {
    expect(hasValidationRules(dto)).toBe(expected);
  });
});

describe('dtoSchemaOf translates', () => {
  class Wrapper {
    @Allow() anything?: unknown;
    @IsOptional() @ValidateNested() @Type(() => Nested) nested?: Nested;
  }

  it('@Allow() as a property kept whatever it holds, and not required', () => {
    const validator = compiledValidator(Wrapper);
    expect(validator.validate({ anything: ['a', { b: 1 }], other: 1 })).toEqual({
      valid: true,
      value: { anything: ['a', { b: 1 }] },
    });
    expect(validator.validate({})).toEqual({ valid: true, value: {} });
  });

  it('@ValidateNested() as the schema of the declared class, for an object or each item', () => {
    const validator = compiledValidator(Wrapper);
    expect(validator.validate({ nested: { name: 'n' } }).valid).toBe(true);
    expect(validator.validate({ nested: [{ name: 'n' }] }).valid).toBe(true);
    expect(validator.validate({ nested: { name: 1 } })).toEqual({
      valid: false,
      property: 'nested',
    });
    expect(validator.validate({ nested: 'text' })).toEqual({ valid: false, property: 'nested' });
  });
});
