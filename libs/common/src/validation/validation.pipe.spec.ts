import fc from 'fast-check';
import { type ArgumentMetadata, ValidationPipe, type ValidationError } from '@nestjs/common';
import { IsEmail } from 'class-validator';
import {
  AuthorizationParametersDto,
  AuthorizationRequestDto,
  IntrospectionRequestDto,
  RevocationRequestDto,
  TokenRequestDto,
  TokenResponseDto,
} from '@app/contracts';
import { parseForm } from '../http/form-parser';
import { canonicalJson } from '../../test/dto-equivalence';
import {
  hostileEncodedPairs,
  mutatedParameters,
  type Parameters,
  PROPERTY_TIMEOUT_MS,
  RUNS,
} from '../../test/hostile';
import { createValidationPipe } from './validation.pipe';

/** An app's domain error, as its `invalidRequest` factory makes it. */
class InvalidRequestError extends Error {}
const toError = (description: string): Error => new InvalidRequestError(description);

/** The pipe before the compiled validators, as it was: the oracle of the equivalence property. */
function classValidatorPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: false,
    transform: true,
    forbidUnknownValues: false,
    validationError: { target: false, value: false },
    exceptionFactory: (errors: ValidationError[]) =>
      toError(`parameter ${errors[0]?.property} is invalid, too long or repeated`),
  });
}

type Outcome = { value: string } | { refused: string };

/** What a pipe does with a value: the value it hands on (as canonical JSON) or the refusal. */
async function outcomeOf(
  pipe: { transform(value: unknown, metadata: ArgumentMetadata): unknown },
  value: unknown,
  metadata: ArgumentMetadata,
): Promise<Outcome> {
  try {
    return { value: canonicalJson(await pipe.transform(value, metadata)) };
  } catch (err) {
    if (!(err instanceof InvalidRequestError)) throw err;
    return { refused: err.message };
  }
}

const pipe = createValidationPipe(toError);
const body = (metatype: ArgumentMetadata['metatype']): ArgumentMetadata => ({
  type: 'body',
  metatype,
});

function refusal(action: () => unknown): unknown {
  try {
    action();
  } catch (err) {
    return err;
  }
  throw new Error('expected a refusal');
}

describe('createValidationPipe', () => {
  it('hands on a plain object with the known parameters only (RFC 6749 3.1)', () => {
    const form = parseForm('grant_type=authorization_code&code=abc&unknown=1&__proto__=x');
    const value = pipe.transform(form, body(TokenRequestDto));
    expect(value).toStrictEqual({ grant_type: 'authorization_code', code: 'abc' });
    expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
  });

  it('refuses a repeated parameter with the error the app makes, naming it', () => {
    const form = parseForm('grant_type=authorization_code&code=a&code=b');
    const err = refusal(() => pipe.transform(form, body(TokenRequestDto)));
    expect(err).toBeInstanceOf(InvalidRequestError);
    expect(err).toHaveProperty('message', 'parameter code is invalid, too long or repeated');
  });

  it('names the first bad parameter in declaration order', () => {
    const form = parseForm(`code_verifier=${'v'.repeat(257)}&code=a&code=b`);
    expect(() => pipe.transform(form, body(TokenRequestDto))).toThrow(
      'parameter code is invalid, too long or repeated',
    );
  });

  it('takes a parameter at its length limit and refuses one past it', () => {
    const at = parseForm(`code_challenge_method=${'m'.repeat(32)}`);
    const past = parseForm(`code_challenge_method=${'m'.repeat(33)}`);
    const query: ArgumentMetadata = { type: 'query', metatype: AuthorizationParametersDto };
    expect(pipe.transform(at, query)).toEqual({ code_challenge_method: 'm'.repeat(32) });
    expect(() => pipe.transform(past, query)).toThrow(
      'parameter code_challenge_method is invalid, too long or repeated',
    );
  });

  it.each([undefined, null])('reads a missing body (%p) as an empty one', (value) => {
    expect(pipe.transform(value, body(IntrospectionRequestDto))).toStrictEqual({});
  });

  it.each([
    ['a body that is a string', 'body', 'text', body(TokenRequestDto)],
    ['a body that is an array', 'body', [{ code: 'a' }], body(TokenRequestDto)],
    ['a query that is a number', 'query', 1, { type: 'query', metatype: TokenRequestDto }],
    [
      'a named body field',
      'form',
      'text',
      { type: 'body', metatype: TokenRequestDto, data: 'form' },
    ],
    ['a body whose class has required fields', 'access_token', 'text', body(TokenResponseDto)],
  ] as const)('refuses %s, naming %s', (_case, name, value, metadata) => {
    expect(() => pipe.transform(value, metadata)).toThrow(
      `parameter ${name} is invalid, too long or repeated`,
    );
  });

  class Untyped {
    name?: string;
  }

  it.each([
    ['a custom parameter, even with a DTO type', { type: 'custom', metatype: TokenRequestDto }],
    ['a parameter without a type', { type: 'query', data: 'scope' }],
    ['a string parameter', { type: 'query', metatype: String, data: 'scope' }],
    ['an object parameter', { type: 'body', metatype: Object }],
    ['a class without class-validator rules', { type: 'body', metatype: Untyped }],
  ] as const)('passes %s as it is', (_case, metadata) => {
    const value = { code: ['a', 'b'] };
    expect(pipe.transform(value, metadata)).toBe(value);
  });

  describe.each([
    [
      'AuthorizationRequestDto',
      AuthorizationRequestDto,
      {
        response_type: 'code',
        client_id: '1234',
        redirect_uri: 'http://localhost:5003/callback',
        scope: 'current_time',
        state: 'af0ifjsldkj',
        code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
        code_challenge_method: 'S256',
        username: 'alice',
        password: 'wonderland',
      },
    ],
    [
      'TokenRequestDto',
      TokenRequestDto,
      {
        grant_type: 'authorization_code',
        code: 'SplxlOBeZQQYbYS6WxSbIA',
        redirect_uri: 'http://localhost:5003/callback',
        code_verifier: 'dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk',
        client_id: '1234',
        client_secret: 'qwerty',
      },
    ],
    [
      'IntrospectionRequestDto',
      IntrospectionRequestDto,
      { token: 'eyJhbGciOiJFUzI1NiJ9.e30.AAAA', token_type_hint: 'access_token' },
    ],
    [
      'RevocationRequestDto',
      RevocationRequestDto,
      { token: 'eyJhbGciOiJFUzI1NiJ9.e30.AAAA', client_id: '1234', client_secret: 'qwerty' },
    ],
  ] as [string, ArgumentMetadata['metatype'], Parameters][])('%s', (_name, metatype, base) => {
    it(
      'answers as the class-validator pipe did, for hostile forms and queries',
      async () => {
        const legacy = classValidatorPipe();
        const seen = { accepted: 0, refused: 0 };
        await fc.assert(
          fc.asyncProperty(
            fc.oneof(mutatedParameters(base), hostileEncodedPairs),
            fc.constantFrom<ArgumentMetadata['type']>('body', 'query'),
            async (encoded, type) => {
              const metadata: ArgumentMetadata = { type, metatype };
              // Each pipe gets its own parse: the old one deletes keys from its input.
              const expected = await outcomeOf(legacy, parseForm(encoded), metadata);
              const actual = await outcomeOf(pipe, parseForm(encoded), metadata);
              seen['value' in expected ? 'accepted' : 'refused'] += 1;
              expect(actual).toEqual(expected);
            },
          ),
          RUNS,
        );
        // Both verdicts come up (a DTO with few rules, like revocation's, is refused more rarely).
        expect(seen.accepted).toBeGreaterThan(RUNS.numRuns / 50);
        expect(seen.refused).toBeGreaterThan(RUNS.numRuns / 50);
      },
      PROPERTY_TIMEOUT_MS,
    );
  });
});

class WithCustomRule {
  @IsEmail() address!: string;
}

describe('createValidationPipe at start', () => {
  it('compiles every contracts DTO, and throws for a decorator it cannot translate', () => {
    jest.isolateModules(() => {
      jest.doMock('@app/contracts', () => ({
        ...jest.requireActual<object>('@app/contracts'),
        WithCustomRule,
      }));
      const fresh = jest.requireActual<typeof import('./validation.pipe')>('./validation.pipe');
      const error = refusal(() => fresh.createValidationPipe(toError));
      expect(error).toHaveProperty('name', 'DtoSchemaError');
      expect(error).toHaveProperty(
        'message',
        'cannot compile a validator for WithCustomRule.address: @IsEmail has no compiled translation',
      );
    });
  });
});
