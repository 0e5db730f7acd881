import { LIMITS } from '@app/contracts';
import {
  InvalidRequestError,
  InvalidTokenError,
  MissingTokenError,
} from '../errors/resource.errors';
import { thrown } from '../../test/support/fakes';
import { credentialOf } from './credential';

describe('credentialOf (RFC 6750 2.1, RFC 9449 7.1)', () => {
  it('takes the b64token of an Authorization: Bearer header', () => {
    expect(credentialOf('Bearer abc.DEF-_~+/xyz==', {})).toEqual({
      scheme: 'Bearer',
      token: 'abc.DEF-_~+/xyz==',
    });
  });

  it('takes the token of an Authorization: DPoP header under the DPoP scheme', () => {
    expect(credentialOf('DPoP eyJ.eyJ.sig', {})).toEqual({ scheme: 'DPoP', token: 'eyJ.eyJ.sig' });
  });

  it('reads either scheme case-insensitively and names it as the RFCs spell it', () => {
    expect(credentialOf('bearer x', {})).toEqual({ scheme: 'Bearer', token: 'x' });
    expect(credentialOf('BEARER y', undefined)).toEqual({ scheme: 'Bearer', token: 'y' });
    expect(credentialOf('dpop z', {})).toEqual({ scheme: 'DPoP', token: 'z' });
    expect(credentialOf('DPOP w', {})).toEqual({ scheme: 'DPoP', token: 'w' });
  });

  it('tolerates extra spaces around the token', () => {
    expect(credentialOf('Bearer   tok  ', {})).toEqual({ scheme: 'Bearer', token: 'tok' });
  });

  it(`accepts a token of exactly ${LIMITS.accessToken} characters`, () => {
    const token = 'a'.repeat(LIMITS.accessToken);
    expect(credentialOf(`Bearer ${token}`, {}).token).toBe(token);
  });

  it.each([
    ['no header', undefined],
    ['an empty header', ''],
    ['Basic credentials', 'Basic YWxpY2U6eA=='],
    ['another scheme', 'Token abc'],
    ['a scheme that only starts like Bearer', 'Bearerx abc'],
    ['a scheme that only starts like DPoP', 'DPoPx abc'],
    ['a tab instead of a space', 'Bearer\tabc'],
  ])('finds no token in %s', (_case, header) => {
    const err = thrown(() => credentialOf(header, {}));
    expect(err).toBeInstanceOf(MissingTokenError);
    expect((err as MissingTokenError).description).toBe(
      'an access token is required in the Authorization header',
    );
  });

  it.each([
    ['no token at all', 'Bearer'],
    ['an empty token', 'Bearer '],
    ['two tokens', 'Bearer a b'],
    ['a character outside b64token', 'Bearer a,b'],
    ['padding in the middle', 'Bearer a=b'],
    ['a quoted token', 'Bearer "abc"'],
    ['a DPoP scheme without a token', 'DPoP'],
    ['a DPoP credential outside b64token', 'DPoP a;b'],
    ['a token one character too long', `Bearer ${'a'.repeat(LIMITS.accessToken + 1)}`],
  ])('refuses %s as a malformed token: invalid_token', (_case, header) => {
    const err = thrown(() => credentialOf(header, {}));
    expect(err).toBeInstanceOf(InvalidTokenError);
    expect(err).toMatchObject({
      description: 'the access token is malformed',
      scheme: 'Bearer',
    });
  });

  it('says in the log which scheme the malformed credential came under', () => {
    expect(thrown(() => credentialOf('Bearer a b', {}))).toMatchObject({
      detail: 'malformed Bearer credential',
    });
    expect(thrown(() => credentialOf('DPoP a b', {}))).toMatchObject({
      detail: 'malformed DPoP credential',
    });
  });

  it('refuses a token in the query next to a header as two methods at once (RFC 6750 2)', () => {
    for (const header of ['Bearer x', 'DPoP x']) {
      const err = thrown(() => credentialOf(header, { access_token: 'x' }));
      expect(err).toBeInstanceOf(InvalidRequestError);
      expect((err as InvalidRequestError).description).toBe(
        'send the access token in the Authorization header only',
      );
    }
  });

  it('treats a token in the query alone as no authentication (RFC 6750 3.1, RFC 9700 2.4.1)', () => {
    const err = thrown(() => credentialOf(undefined, { access_token: 'x' }));
    expect(err).toBeInstanceOf(MissingTokenError);
    expect(err).toMatchObject({
      description: 'access tokens are accepted only in the Authorization header',
      detail: 'token in query',
    });
  });

  it('does not take a query parameter inherited from the prototype for access_token', () => {
    const query = Object.create({ access_token: 'inherited' }) as Record<string, unknown>;
    expect(credentialOf('Bearer x', query)).toEqual({ scheme: 'Bearer', token: 'x' });
  });

  it('refuses several Authorization headers as invalid_request', () => {
    const err = thrown(() => credentialOf(['Bearer a', 'Bearer b'], {}));
    expect(err).toBeInstanceOf(InvalidRequestError);
    expect((err as InvalidRequestError).description).toBe('send one Authorization header');
  });
});
