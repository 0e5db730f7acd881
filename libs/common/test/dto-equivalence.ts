import fc from 'fast-check';
import { plainToInstance } from 'class-transformer';
import {
  ARRAY_NOT_EMPTY,
  EQUALS,
  getMetadataStorage,
  IS_IN,
  IS_INT,
  IS_ISO8601,
  IS_POSITIVE,
  IS_URL,
  MATCHES,
  MAX,
  MAX_LENGTH,
  MIN,
  MIN_LENGTH,
  validateSync,
} from 'class-validator';
import { compiledValidator, type Validated } from '../src/validation/compiled-validator';
import { dtoSchemaOf } from '../src/validation/dto-schema';
import { hostileName, hostileText, PROPERTY_TIMEOUT_MS, PROTOTYPE_NAMES, RUNS } from './hostile';

/**
 * Inputs for the equivalence properties of the compiled validators, made from each DTO class's
 * class-validator metadata (values at and around every limit, near misses of every constant,
 * URL- and ISO 8601-shaped text), and the class-validator path they are compared with.
 */

// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type -- class-validator's type for a class
type AnyClass = Function;

/** An object's own properties in order; built afresh for each side, since the old path mutates. */
export type Entries = readonly (readonly [string, unknown])[];

/** The object of `entries`, every key an own data property (`__proto__` included). */
export function objectOf(entries: Entries, prototype: object | null = Object.prototype): object {
  return assignEntries(Object.create(prototype) as object, entries);
}

/** Sets `entries` on `target` as own data properties, over what it has. */
export function assignEntries<T extends object>(target: T, entries: Entries): T {
  for (const [key, value] of entries) {
    Object.defineProperty(target, key, {
      value,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return target;
}

/**
 * What parseReply and the pipe did before the compiled validators: class-transformer's copy,
 * then class-validator with `whitelist` (the pipe's options; parseReply's differ only in not
 * stripping, which changes no verdict).
 */
export function classValidatorVerdict(dto: AnyClass, input: object): Validated<unknown> {
  const instance = plainToInstance(dto as new () => object, input);
  const errors = validateSync(instance, { whitelist: true, forbidUnknownValues: false });
  const first = errors[0];
  return first === undefined
    ? { valid: true, value: instance }
    : { valid: false, property: first.property };
}

/** What loadConfig does: class-validator on the settings instance itself. */
export function instanceVerdict(instance: object): Validated<unknown> {
  const first = validateSync(instance, { forbidUnknownValues: false })[0];
  return first === undefined
    ? { valid: true, value: instance }
    : { valid: false, property: first.property };
}

/**
 * The same verdict, and for an accepted value the same properties. Nested values are compared
 * without `__proto__` and `constructor` keys: class-transformer's copy drops them, the compiled
 * validator hands on the parsed value itself.
 */
export function sameVerdict(actual: Validated<unknown>, expected: Validated<unknown>): boolean {
  if (!actual.valid || !expected.valid) return sameDecision(actual, expected);
  return canonicalJson(actual.value) === canonicalJson(expected.value);
}

/** Both accept, or both refuse naming the same property. */
export function sameDecision(actual: Validated<unknown>, expected: Validated<unknown>): boolean {
  if (actual.valid || expected.valid) return actual.valid === expected.valid;
  return actual.property === expected.property;
}

/**
 * A value as JSON with sorted keys, without undefined properties (an instance of a DTO class
 * has every declared one), and without nested `__proto__` keys or names of Object.prototype.
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(canonical(value, 0));
}

function canonical(value: unknown, depth: number): unknown {
  if (Array.isArray(value)) return value.map((item) => canonical(item, depth + 1));
  if (typeof value !== 'object' || value === null) {
    return typeof value === 'number' && Object.is(value, -0) ? '-0' : value;
  }
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort()) {
    const inner = (value as Record<string, unknown>)[key];
    if (inner === undefined) continue;
    // class-transformer drops these from nested objects (names every object has).
    if (depth > 0 && (key === '__proto__' || key in Object.prototype)) continue;
    Object.defineProperty(out, key, { value: canonical(inner, depth + 1), enumerable: true });
  }
  return out;
}

export function describeVerdict(verdict: Validated<unknown>): string {
  if (!verdict.valid) return `invalid (${verdict.property})`;
  const text = JSON.stringify(canonical(verdict.value, 0));
  return `valid ${text.length > 200 ? `${text.slice(0, 200)}...` : text}`;
}

interface Rule {
  name: string;
  constraints: readonly unknown[];
  each: boolean;
}

/** The rules of each property of a class, in class-validator's order. */
export function rulesOf(dto: AnyClass): Map<string, Rule[]> {
  const storage = getMetadataStorage();
  const metadata = storage.getTargetValidationMetadatas(
    dto,
    undefined as unknown as string,
    false,
    false,
  );
  const rules = new Map<string, Rule[]>();
  for (const item of metadata) {
    const name =
      storage.getTargetValidatorConstraints(item.constraintCls)[0]?.name ?? item.name ?? item.type;
    const list = rules.get(item.propertyName) ?? [];
    list.push({ name, constraints: (item.constraints ?? []) as unknown[], each: item.each });
    rules.set(item.propertyName, list);
  }
  return rules;
}

/** Characters that count differently: astral (one for two units), U+FE0F (none), lone halves. */
const UNITS = [
  'a',
  'Z',
  ' ',
  '%',
  '\u00e9',
  '\u0000',
  '\u{1F600}',
  'e\uFE0F',
  '\uFE0F',
  '\uFE0E',
  '\uD800',
  '\uDFFF',
  '\u200D',
] as const;

/** Strings of about `limit` characters: one unit repeated, then a few mixed ones. */
function stringsAround(limit: number): fc.Arbitrary<string> {
  return fc
    .tuple(
      fc.integer({ min: Math.max(0, limit - 3), max: limit + 2 }),
      fc.constantFrom(...UNITS),
      fc.array(fc.constantFrom(...UNITS), { maxLength: 3 }),
    )
    .map(([count, unit, tail]) => unit.repeat(Math.max(0, count - tail.length)) + tail.join(''));
}

function numbersAround(limit: number): fc.Arbitrary<number> {
  return fc.oneof(
    fc.integer({ min: limit - 3, max: limit + 3 }),
    fc.constantFrom(limit - 0.5, limit + 0.5, -limit, 0, -0, limit * 2),
  );
}

function nearMisses(value: unknown): fc.Arbitrary<unknown> {
  if (typeof value !== 'string') return fc.constantFrom(value, String(value), [value]);
  return fc.constantFrom(
    value,
    value.toUpperCase(),
    value.toLowerCase(),
    `${value} `,
    ` ${value}`,
    value.slice(1),
    `${value}\u0000`,
    [value],
    [value, value],
  );
}

const ISO_CONSTANTS = [
  '2026-11-29T09:04:06+00:00',
  '2026-11-29T09:04:06Z',
  '2026-11-29T09:04:06.123456789Z',
  '2026-11-29T09:04:06+0000',
  '2026-11-29T09:04:06+00',
  '2026-11-29T09:04',
  '2026-11-29',
  '2026-11',
  '2026',
  '20261129T090406Z',
  '2026-W48-7',
  '2026-333',
  '2026-02-29',
  '2024-02-29T12:00:00Z',
  '2023-02-29T12:00:00Z',
  '2026-02-30T00:00:00Z',
  '2026-13-01T00:00:00Z',
  '2026-11-29T24:00:00Z',
  '2026-11-29T09:60:00Z',
  '2026-11-29T09:04:60Z',
  '2026-11-29T09:04:06+24:00',
  '2026-11-29 09:04:06Z',
  '2026-11-29t09:04:06z',
  '+002026-11-29T09:04:06Z',
  'now',
] as const;

/** ISO 8601-shaped text, valid and not, from any date. */
const isoText: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(...ISO_CONSTANTS),
  fc
    .tuple(
      fc.date({ min: new Date('0001-01-01'), max: new Date('9999-12-31'), noInvalidDate: true }),
      fc.constantFrom<(iso: string) => string>(
        (iso) => iso,
        (iso) => iso.replace('Z', '+00:00'),
        (iso) => `${iso.slice(0, 19)}+05:30`,
        (iso) => `${iso.slice(0, 19)}-12:00`,
        (iso) => iso.slice(0, 19),
        (iso) => iso.slice(0, 10),
        (iso) => iso.replace('T', ' '),
        (iso) => iso.toLowerCase(),
        (iso) => `${iso} `,
        (iso) => iso.replace(/-/g, ''),
      ),
    )
    .map(([date, shape]) => shape(date.toISOString())),
);

const URL_CONSTANTS = [
  'http://localhost:5001',
  'http://localhost:5001/jwks.json',
  'http://localhost:5003/callback',
  'https://auth.example.com/.well-known/jwks.json',
  'http://auth:5001',
  'http://127.0.0.1:5001',
  'http://[::1]:5001/x',
  'http://user:pass@host/x',
  'http://localhost:5001?x=1#f',
  'http://localhost:5001/',
  'http://localhost:99999',
  'http://exämple.com',
  'http://xn--exmple-cua.com',
  'http://-bad-.com',
  'http://a b',
  'http://',
  'http:///x',
  'HTTP://LOCALHOST:5001',
  'localhost:5001',
  'localhost',
  'ftp://example.com',
  'javascript:alert(1)',
  'mailto:a@b.c',
  '//evil.example',
  ' http://localhost',
  'https://key@sentry.example.com/42',
  'https://key@o1.ingest.sentry.io/a/b/123',
] as const;

const urlText: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(...URL_CONSTANTS),
  fc.webUrl({ withQueryParameters: true, withFragments: true }),
  fc
    .tuple(
      fc.constantFrom('http://', 'https://', 'ftp://', '', '//'),
      fc.oneof(fc.domain(), fc.ipV4(), fc.constantFrom('localhost', 'auth', '[::1]', 'a_b')),
      fc.option(fc.integer({ min: 0, max: 70000 }), { nil: undefined }),
      fc.constantFrom('', '/', '/x', '/callback?x=1', '#f', '/%zz'),
    )
    .map(
      ([scheme, host, port, path]) =>
        `${scheme}${host}${port === undefined ? '' : `:${port}`}${path}`,
    ),
);

/** A matching string, one with a character added, or one cut short. */
function matchingText(pattern: RegExp): fc.Arbitrary<string> {
  const matching = fc.stringMatching(
    new RegExp(pattern.source, pattern.flags.replace(/[gy]/g, '')),
  );
  return fc.oneof(
    matching,
    fc
      .tuple(matching, fc.constantFrom(...UNITS, '"', '\\', '/', '?', '#'))
      .map(([text, extra]) => text + extra),
    matching.map((text) => text.slice(1)),
  );
}

/** Anything at all: hostile text, JSON values, repeated parameters, the usual suspects. */
const anyValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 3, arbitrary: hostileText },
  { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 2 }) },
  {
    weight: 2,
    arbitrary: fc.constantFrom<unknown>(
      null,
      true,
      false,
      0,
      -0,
      1,
      -1,
      1.5,
      2 ** 53,
      1e21,
      '',
      [],
      {},
      [''],
      [null],
      { a: 1 },
    ),
  },
  { weight: 2, arbitrary: fc.array(hostileText, { minLength: 1, maxLength: 3 }) },
  { weight: 1, arbitrary: fc.double({ noNaN: true, noDefaultInfinity: true }) },
);

/** Values for one property: aimed at each of its rules, and anything. */
function valuesFor(rules: readonly Rule[]): fc.Arbitrary<unknown> {
  const aimed: fc.Arbitrary<unknown>[] = [];
  for (const rule of rules) {
    const [first] = rule.constraints;
    switch (rule.name) {
      case MAX_LENGTH:
      case MIN_LENGTH:
        aimed.push(stringsAround(first as number));
        break;
      case MIN:
      case MAX:
        aimed.push(numbersAround(first as number));
        break;
      case IS_POSITIVE:
        aimed.push(numbersAround(0), fc.constantFrom(Number.MIN_VALUE, 5, 3600));
        break;
      case IS_INT:
        aimed.push(fc.integer(), fc.constantFrom(1795943046, 5, 0, -0, 1.5, 2 ** 53 + 2, '5'));
        break;
      case EQUALS:
        aimed.push(nearMisses(first));
        break;
      case IS_IN:
        for (const value of first as unknown[]) aimed.push(nearMisses(value));
        break;
      case MATCHES:
        aimed.push(matchingText(first instanceof RegExp ? first : new RegExp(first as string)));
        break;
      case IS_URL:
        aimed.push(urlText);
        break;
      case IS_ISO8601:
        aimed.push(isoText);
        break;
      case ARRAY_NOT_EMPTY:
        aimed.push(fc.constantFrom([], ['x'], [{}]));
        break;
    }
  }
  const one: fc.Arbitrary<unknown> =
    aimed.length === 0
      ? anyValue
      : fc.oneof({ weight: 3, arbitrary: fc.oneof(...aimed) }, anyValue);
  if (!rules.some((rule) => rule.each)) return one;
  return fc.oneof(fc.array(one, { maxLength: 4 }), one);
}

/** Whether class-validator accepts `value` for the property `name` (whatever the others do). */
function accepts(dto: AnyClass, name: string, value: unknown): boolean {
  const instance = plainToInstance(dto as new () => object, { [name]: value });
  return validateSync(instance, { forbidUnknownValues: false }).every(
    (error) => error.property !== name,
  );
}

type Entry = readonly [string, unknown];

/**
 * Objects for a DTO class: half of them with random properties (several failures, so the
 * order of the fields named is tested), half valid but for at most one property (each limit
 * probed inside an otherwise acceptable object); then extra keys, prototype traps included.
 */
export function entriesFor(dto: AnyClass): fc.Arbitrary<Entries> {
  const rules = rulesOf(dto);
  const names = [...rules.keys()];
  const values = new Map(names.map((name) => [name, valuesFor(rules.get(name) ?? [])]));
  const entry = (name: string, value: fc.Arbitrary<unknown>): fc.Arbitrary<Entry | undefined> =>
    fc.option(
      value.map((item): Entry => [name, item]),
      { nil: undefined, freq: 3 },
    );
  const random = fc.tuple(...names.map((name) => entry(name, values.get(name)!)));
  const nearlyValid = fc.integer({ min: -1, max: names.length - 1 }).chain((odd) =>
    fc.tuple(
      ...names.map((name, index) => {
        const value = values.get(name)!;
        if (index === odd) return entry(name, value);
        const valid = value.filter((item) => accepts(dto, name, item));
        // A required property stays; an optional one may be left out.
        return accepts(dto, name, undefined)
          ? entry(name, valid)
          : valid.map((item): Entry | undefined => [name, item]);
      }),
    ),
  );
  const extra = fc.array(
    fc.tuple(fc.oneof(hostileName, fc.constantFrom(...PROTOTYPE_NAMES, ...names)), anyValue),
    { maxLength: 3 },
  );
  return fc
    .tuple(
      fc.oneof(random, nearlyValid),
      fc.oneof({ weight: 3, arbitrary: fc.constant([]) }, extra),
    )
    .map(([own, more]): Entries => [
      ...own.filter((item): item is Entry => item !== undefined),
      ...more,
    ]);
}

/**
 * The properties every settings class must keep, so that loadConfig can move to the compiled
 * validators: each setting is translated, the defaults pass, and on any settings the verdict
 * (and the setting named) is the one loadConfig's class-validator gives.
 */
export function describeSettingsEquivalence(
  settings: new () => object,
  settingNames: (instance: object) => string[],
): void {
  describe(`${settings.name} under a compiled validator`, () => {
    it('has a rule for every setting', () => {
      const properties = dtoSchemaOf(settings).properties.map((property) => property.name);
      expect(properties.sort()).toEqual(settingNames(new settings()).sort());
    });

    it('accepts the defaults', () => {
      expect(compiledValidator(settings).validate(new settings())).toEqual({
        valid: true,
        value: expect.any(Object) as object,
      });
    });

    it(
      'agrees with class-validator on any settings, as loadConfig validates them',
      () => {
        const seen = { valid: 0, invalid: 0 };
        fc.assert(
          // No own `constructor`: loadConfig sets declared settings only, and class-validator
          // finds the rules through `instance.constructor`, so with one it checks nothing.
          fc.property(entriesFor(settings), (all) => {
            const entries = all.filter(([key]) => key !== 'constructor');
            const expected = instanceVerdict(assignEntries(new settings(), entries));
            const actual = compiledValidator(settings).validate(
              assignEntries(new settings(), entries),
            );
            seen[expected.valid ? 'valid' : 'invalid'] += 1;
            // loadConfig keeps unknown keys on the instance: only the decision is compared.
            if (!sameDecision(actual, expected)) {
              throw new Error(
                `compiled: ${describeVerdict(actual)}; class-validator: ${describeVerdict(expected)}`,
              );
            }
          }),
          RUNS,
        );
        expect(seen.valid).toBeGreaterThan(RUNS.numRuns / 20);
        expect(seen.invalid).toBeGreaterThan(RUNS.numRuns / 20);
      },
      PROPERTY_TIMEOUT_MS,
    );
  });
}
