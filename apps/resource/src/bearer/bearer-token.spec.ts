import { InvalidRequestError, MissingTokenError } from '../errors/resource.errors';
import { thrown } from '../../test/support/fakes';
import { bearerTokenOf } from './bearer-token';

describe('bearerTokenOf (RFC 6750 2.1)', () => {
  it('takes the b64token of an Authorization: Bearer header', () => {
    expect(bearerTokenOf('Bearer abc.DEF-_~+/xyz==', {})).toBe('abc.DEF-_~+/xyz==');
  });

  it('reads the scheme case-insensitively', () => {
    expect(bearerTokenOf('bearer x', {})).toBe('x');
    expect(bearerTokenOf('BEARER y', undefined)).toBe('y');
  });

  it('tolerates extra spaces around the token', () => {
    expect(bearerTokenOf('Bearer   tok  ', {})).toBe('tok');
  });

  it.each([
    ['no header', undefined],
    ['an empty header', ''],
    ['Basic credentials', 'Basic YWxpY2U6eA=='],
    ['another scheme', 'DPoP abc'],
    ['a scheme that only starts like Bearer', 'Bearerx abc'],
  ])('finds no token in %s', (_case, header) => {
    expect(thrown(() => bearerTokenOf(header, {}))).toBeInstanceOf(MissingTokenError);
  });

  it.each([
    ['no token at all', 'Bearer'],
    ['an empty token', 'Bearer '],
    ['two tokens', 'Bearer a b'],
    ['a character outside b64token', 'Bearer a,b'],
    ['padding in the middle', 'Bearer a=b'],
  ])('refuses %s as invalid_request', (_case, header) => {
    const err = thrown(() => bearerTokenOf(header, {}));
    expect(err).toBeInstanceOf(InvalidRequestError);
    expect((err as InvalidRequestError).description).toBe(
      'the Authorization header is not a valid Bearer credential',
    );
  });

  it('refuses a token in the query next to a header as two methods at once (RFC 6750 2)', () => {
    const err = thrown(() => bearerTokenOf('Bearer x', { access_token: 'x' }));
    expect(err).toBeInstanceOf(InvalidRequestError);
    expect((err as InvalidRequestError).description).toBe(
      'send the access token in the Authorization header only',
    );
  });

  it('treats a token in the query alone as no authentication (RFC 6750 3.1)', () => {
    const err = thrown(() => bearerTokenOf(undefined, { access_token: 'x' }));
    expect(err).toBeInstanceOf(MissingTokenError);
    expect((err as MissingTokenError).description).toBe(
      'access tokens are accepted only in the Authorization header',
    );
  });

  it('does not take a query parameter inherited from the prototype for access_token', () => {
    const query = Object.create({ access_token: 'inherited' }) as Record<string, unknown>;
    expect(bearerTokenOf('Bearer x', query)).toBe('x');
  });

  it('refuses several Authorization headers', () => {
    expect(thrown(() => bearerTokenOf(['Bearer a', 'Bearer b'], {}))).toBeInstanceOf(
      InvalidRequestError,
    );
  });
});
