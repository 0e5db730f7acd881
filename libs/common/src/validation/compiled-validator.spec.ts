import {
  ArrayNotEmpty,
  Equals,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsISO8601,
  IsOptional,
  IsPositive,
  IsString,
  IsUrl,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
} from 'class-validator';
import { classValidatorVerdict, objectOf } from '../../test/dto-equivalence';
import { compiledValidator, type Validated } from './compiled-validator';

class Str {
  @IsString() v!: string;
}
class OptionalStr {
  @IsOptional() @IsString() v?: string;
}
class Max3 {
  @MaxLength(3) v!: string;
}
class Min2 {
  @MinLength(2) v!: string;
}
class TwoOfAbc {
  @Matches(/^[a-c]{2}$/) v!: string;
}
class AbAnyCase {
  @Matches('^ab$', 'i') v!: string;
}
class OneUnit {
  @Matches(/^.$/) v!: string;
}
class GlobalA {
  @Matches(/a/g) v!: string;
}
class Int {
  @IsInt() v!: number;
}
class Positive {
  @IsPositive() v!: number;
}
class OneToTen {
  @Min(1) @Max(10) v!: number;
}
class Bool {
  @IsBoolean() v!: boolean;
}
class OptionalBearer {
  @IsOptional() @Equals('Bearer') v?: string;
}
class AOrB {
  @IsIn(['a', 'b']) v!: string;
}
class EachAOrB {
  @IsIn(['a', 'b'], { each: true }) v!: string[];
}
class Url {
  @IsUrl({ require_tld: false }) v!: string;
}
const URL_OPTIONS = { require_tld: false, protocols: ['http', 'https'], require_protocol: true };
class HttpUrl {
  @IsUrl(URL_OPTIONS) v!: string;
}
class EachHttpUrl {
  @IsArray() @IsUrl(URL_OPTIONS, { each: true }) v!: string[];
}
class Iso {
  @IsISO8601() v!: string;
}
class StrictIso {
  @IsISO8601({ strict: true }) v!: string;
}
class List {
  @IsArray() v!: unknown[];
}
class NonEmpty {
  @ArrayNotEmpty() v!: unknown[];
}
class EachStr {
  @IsString({ each: true }) v!: string[];
}

const ABSENT = Symbol('absent');
type Dto = new () => object;

/** The verdicts of the compiled validator and of class-validator on `{ v: value }`. */
function verdicts(dto: Dto, value: unknown): [compiled: boolean, classValidator: boolean] {
  const entries: [string, unknown][] = value === ABSENT ? [] : [['v', value]];
  return [
    compiledValidator(dto).validate(objectOf(entries)).valid,
    classValidatorVerdict(dto, objectOf(entries)).valid,
  ];
}

const CASES: [string, Dto, [what: string, value: unknown, valid: boolean][]][] = [
  [
    'IsString',
    Str,
    [
      ['a string', 'a', true],
      ['the empty string', '', true],
      ['a number', 1, false],
      ['null', null, false],
      ['a repeated parameter', ['a', 'b'], false],
      ['a one-item array', ['a'], false],
      ['an object', {}, false],
      ['a boolean', true, false],
      ['nothing', ABSENT, false],
    ],
  ],
  [
    'IsOptional + IsString',
    OptionalStr,
    [
      ['nothing', ABSENT, true],
      ['null', null, true],
      ['a string', 'x', true],
      ['a number', 1, false],
      ['a repeated parameter', ['a', 'b'], false],
    ],
  ],
  [
    'MaxLength(3)',
    Max3,
    [
      ['3 characters', 'abc', true],
      ['4 characters', 'abcd', false],
      ['3 astral characters (6 code units)', '\u{1F600}'.repeat(3), true],
      ['4 astral characters', '\u{1F600}'.repeat(4), false],
      // JSON Schema's maxLength counts 6 here; validator.js does not count U+FE0F after a character.
      ['3 characters with U+FE0F (6 code units)', 'e\uFE0F'.repeat(3), true],
      ['4 characters with U+FE0F', 'e\uFE0F'.repeat(4), false],
      ['3 lone surrogates', '\uD800'.repeat(3), true],
      ['4 lone surrogates', '\uDFFF'.repeat(4), false],
      ['the empty string', '', true],
      ['a number', 3, false],
      ['a repeated parameter', ['a', 'b'], false],
    ],
  ],
  [
    'MinLength(2)',
    Min2,
    [
      ['2 characters', 'ab', true],
      ['1 character', 'a', false],
      ['1 astral character (2 code units)', '\u{1F600}', false],
      ['1 character with U+FE0F (2 code units)', 'a\uFE0F', false],
      ['2 bare U+FE0F', '\uFE0F\uFE0F', true],
      ['the empty string', '', false],
      ['an array of 2', ['a', 'b'], false],
    ],
  ],
  [
    'Matches(RegExp)',
    TwoOfAbc,
    [
      ['a match', 'ab', true],
      ['too long', 'abc', false],
      ['outside the class', 'ad', false],
      ['a number', 1, false],
      ['an array of a match', ['ab'], false],
    ],
  ],
  [
    'Matches(string, modifiers)',
    AbAnyCase,
    [
      ['upper case', 'AB', true],
      ['lower case', 'ab', true],
      ['too long', 'abc', false],
    ],
  ],
  [
    'Matches without the u flag',
    OneUnit,
    [
      ['one code unit', 'x', true],
      // `.` is one code unit without the u flag; JSON Schema's pattern (with u) would match.
      ['one astral character', '\u{1F600}', false],
    ],
  ],
  [
    'IsInt',
    Int,
    [
      ['an integer', 1, true],
      ['zero', 0, true],
      ['minus zero', -0, true],
      ['2^53', 2 ** 53, true],
      ['1e21', 1e21, true],
      ['a fraction', 1.5, false],
      ['a numeric string', '1', false],
      ['null', null, false],
      ['a boolean', true, false],
    ],
  ],
  [
    'IsPositive',
    Positive,
    [
      ['one', 1, true],
      ['a half', 0.5, true],
      ['the least positive double', Number.MIN_VALUE, true],
      ['zero', 0, false],
      ['minus zero', -0, false],
      ['minus one', -1, false],
      ['a numeric string', '1', false],
    ],
  ],
  [
    'Min(1) + Max(10)',
    OneToTen,
    [
      ['the lower bound', 1, true],
      ['the upper bound', 10, true],
      ['between', 5.5, true],
      ['below', 0.99, false],
      ['above', 10.01, false],
      ['a numeric string', '5', false],
    ],
  ],
  [
    'IsBoolean',
    Bool,
    [
      ['true', true, true],
      ['false', false, true],
      ['the string true', 'true', false],
      ['one', 1, false],
      ['null', null, false],
    ],
  ],
  [
    "IsOptional + Equals('Bearer')",
    OptionalBearer,
    [
      ['the value', 'Bearer', true],
      ['nothing', ABSENT, true],
      ['null', null, true],
      ['another case', 'bearer', false],
      ['a trailing space', 'Bearer ', false],
      ['an array of the value', ['Bearer'], false],
    ],
  ],
  [
    'IsIn',
    AOrB,
    [
      ['the first', 'a', true],
      ['the second', 'b', true],
      ['another', 'c', false],
      ['another case', 'A', false],
      ['an array of one', ['a'], false],
      ['nothing', ABSENT, false],
    ],
  ],
  [
    'IsIn each',
    EachAOrB,
    [
      ['an array of allowed values', ['a', 'b'], true],
      ['an empty array', [], true],
      ['an array with another value', ['a', 'c'], false],
      ['one allowed value, not in an array', 'a', true],
      ['another value, not in an array', 'c', false],
      ['a nested array', [['a']], false],
    ],
  ],
  [
    'IsUrl({ require_tld: false })',
    Url,
    [
      ['a local URL', 'http://localhost:5001/jwks.json', true],
      ['a host without a scheme', 'localhost', true],
      ['ftp', 'ftp://example.com', true],
      ['a scheme alone', 'http://', false],
      ['text', 'not a url', false],
      ['javascript', 'javascript:alert(1)', false],
      ['a number', 1, false],
    ],
  ],
  [
    'IsUrl(http or https, scheme required)',
    HttpUrl,
    [
      ['http', 'http://localhost:5003/callback', true],
      ['https', 'https://auth.example.com', true],
      ['no scheme', 'localhost:5001', false],
      ['ftp', 'ftp://example.com', false],
    ],
  ],
  [
    'IsArray + IsUrl each',
    EachHttpUrl,
    [
      ['URLs', ['http://a:1/x', 'https://b'], true],
      ['no URL', [], true],
      ['one bad URL', ['http://a', 'localhost'], false],
      ['one URL, not in an array', 'http://a', false],
    ],
  ],
  [
    'IsISO8601()',
    Iso,
    [
      ['a date-time with offset', '2026-11-29T09:04:06+00:00', true],
      ['a date-time without offset', '2026-11-29T09:04:06', true],
      ['a day that does not exist (not strict)', '2026-02-30', true],
      ['a word', 'now', false],
      ['the empty string', '', false],
    ],
  ],
  [
    'IsISO8601({ strict: true })',
    StrictIso,
    [
      ['a date-time with offset', '2026-11-29T09:04:06+00:00', true],
      ['a leap day', '2024-02-29T12:00:00Z', true],
      ['no leap day', '2023-02-29T12:00:00Z', false],
      ['a day that does not exist', '2026-02-30T00:00:00Z', false],
    ],
  ],
  [
    'IsArray',
    List,
    [
      ['an empty array', [], true],
      ['an array', ['a'], true],
      ['a string', 'a', false],
      ['an object', {}, false],
    ],
  ],
  [
    'ArrayNotEmpty',
    NonEmpty,
    [
      ['an empty array', [], false],
      ['an array of one', [1], true],
      ['a string', 'a', false],
    ],
  ],
  [
    'IsString each',
    EachStr,
    [
      ['an array of strings', ['a', 'b'], true],
      ['an empty array', [], true],
      ['an array with a number', ['a', 1], false],
      ['a string, not in an array', 'a', true],
      ['a number, not in an array', 1, false],
    ],
  ],
];

describe.each(CASES)('@%s', (_decorator, dto, cases) => {
  it.each(cases)('%s: %p', (_what, value, valid) => {
    expect(verdicts(dto, value)).toEqual([valid, valid]);
  });
});

describe('@Matches with the g flag', () => {
  it('keeps no state from one call to the next', () => {
    const validator = compiledValidator(GlobalA);
    expect([validator.validate({ v: 'a' }), validator.validate({ v: 'a' })]).toEqual([
      { valid: true, value: { v: 'a' } },
      { valid: true, value: { v: 'a' } },
    ]);
  });
});

class Pair {
  @IsString() first!: string;
  @IsInt() second!: number;
}

class Base {
  @IsString() inherited!: string;
}
class Derived extends Base {
  @IsString() own!: string;
}

describe('a compiled validator', () => {
  const pair = compiledValidator(Pair);

  it('returns a plain object with the declared properties only', () => {
    const input = objectOf([
      ['second', 2],
      ['first', 'a'],
      ['extra', 'dropped'],
      ['__proto__', { polluted: true }],
      ['constructor', 'x'],
    ]);
    const outcome = pair.validate(input);
    expect(outcome).toStrictEqual({ valid: true, value: { second: 2, first: 'a' } });
    expect(Object.getPrototypeOf((outcome as { value: object }).value)).toBe(Object.prototype);
  });

  it('leaves its input as it was', () => {
    const input = { first: 'a', second: 2, extra: [1] };
    pair.validate(input);
    expect(input).toStrictEqual({ first: 'a', second: 2, extra: [1] });
  });

  it('reads a null-prototype object, as the form and query parsers make them', () => {
    const input = objectOf(
      [
        ['first', 'a'],
        ['second', 2],
      ],
      null,
    );
    expect(pair.validate(input)).toEqual({ valid: true, value: { first: 'a', second: 2 } });
  });

  it('does not see inherited properties, as class-transformer does not', () => {
    const input = Object.create({ first: 'a', second: 2 }) as object;
    const expected: Validated<unknown> = { valid: false, property: 'first' };
    expect([pair.validate(input), classValidatorVerdict(Pair, input)]).toEqual([
      expected,
      expected,
    ]);
  });

  it('keeps null for an optional property, as class-validator lets it through', () => {
    expect(compiledValidator(OptionalStr).validate({ v: null })).toEqual({
      valid: true,
      value: { v: null },
    });
  });

  it.each([
    ['the first missing', { second: 'x' }, 'first'],
    ['the first invalid', { first: 1, second: 'x' }, 'first'],
    ['the second invalid', { first: 'a', second: 'x' }, 'second'],
    ['the second missing', { first: 'a' }, 'second'],
  ])('names the first failing property in declaration order: %s', (_case, input, property) => {
    expect([pair.validate(input), classValidatorVerdict(Pair, input)]).toEqual([
      { valid: false, property },
      { valid: false, property },
    ]);
  });

  it("names a subclass's own properties before the inherited ones, as class-validator does", () => {
    expect([compiledValidator(Derived).validate({}), classValidatorVerdict(Derived, {})]).toEqual([
      { valid: false, property: 'own' },
      { valid: false, property: 'own' },
    ]);
  });

  it.each([
    ['a string', 'text'],
    ['a number', 1],
    ['an array', [{ first: 'a', second: 2 }]],
    ['null', null],
    ['undefined', undefined],
  ])('refuses %s, naming the first property an empty object lacks', (_case, value) => {
    expect(pair.validate(value)).toEqual({ valid: false, property: 'first' });
  });

  it('refuses a non-object without a property to name when an empty object would pass', () => {
    expect(compiledValidator(OptionalStr).validate('text')).toEqual({
      valid: false,
      property: undefined,
    });
  });

  it('is compiled once per class', () => {
    expect(compiledValidator(Pair)).toBe(pair);
  });
});
