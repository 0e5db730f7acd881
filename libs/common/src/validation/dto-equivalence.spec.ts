import fc from 'fast-check';
import * as contracts from '@app/contracts';
import { PROPERTY_TIMEOUT_MS, RUNS } from '../../test/hostile';
import {
  classValidatorVerdict,
  describeVerdict,
  entriesFor,
  objectOf,
  rulesOf,
  sameVerdict,
} from '../../test/dto-equivalence';
import { compiledValidator, type DtoClass } from './compiled-validator';
import { hasValidationRules } from './dto-schema';

const DTOS = (Object.entries(contracts) as [string, unknown][]).filter(
  (entry): entry is [string, DtoClass<unknown>] =>
    typeof entry[1] === 'function' && hasValidationRules(entry[1]),
);

describe('the compiled validators of libs/contracts', () => {
  it('are found for every DTO class', () => {
    expect(DTOS.map(([name]) => name)).toEqual(
      expect.arrayContaining([
        'AuthorizationRequestDto',
        'TokenRequestDto',
        'TokenResponseDto',
        'IntrospectionRequestDto',
        'RevocationRequestDto',
        'IntrospectionResponseDto',
        'OAuthErrorResponseDto',
        'JwksDto',
        'MetadataDto',
        'CurrentTimeResponseDto',
        'EpochTimeResponseDto',
      ]),
    );
  });

  describe.each(DTOS)('%s', (_name, dto) => {
    // Declared names on the input's prototype: neither side may see them.
    const trap = Object.fromEntries([...rulesOf(dto).keys()].map((name) => [name, 'inherited']));

    it(
      'agrees with class-transformer + class-validator on random and adversarial objects',
      () => {
        const seen = { valid: 0, invalid: 0 };
        fc.assert(
          fc.property(
            entriesFor(dto),
            fc.constantFrom<object | null>(Object.prototype, null, trap),
            (entries, prototype) => {
              const expected = classValidatorVerdict(dto, objectOf(entries, prototype));
              const actual = compiledValidator(dto).validate(objectOf(entries, prototype));
              seen[expected.valid ? 'valid' : 'invalid'] += 1;
              if (!sameVerdict(actual, expected)) {
                throw new Error(
                  `compiled: ${describeVerdict(actual)}; class-validator: ${describeVerdict(expected)}`,
                );
              }
            },
          ),
          RUNS,
        );
        // Both verdicts come up often enough for the agreement to mean something.
        expect(seen.valid).toBeGreaterThan(RUNS.numRuns / 20);
        expect(seen.invalid).toBeGreaterThan(RUNS.numRuns / 20);
      },
      PROPERTY_TIMEOUT_MS,
    );
  });
});
