import { basicAuthorization, formDecoded, formEncoded, parseBasicAuth } from './basic-credentials';

const basic = (text: string): string => `Basic ${Buffer.from(text, 'utf8').toString('base64')}`;

describe('parseBasicAuth (RFC 7617)', () => {
  it('reads a username and password', () => {
    expect(parseBasicAuth(basic('alice:secret'))).toEqual({
      kind: 'credentials',
      credentials: { username: 'alice', password: 'secret' },
    });
  });

  it('splits at the first colon: the password may hold colons', () => {
    expect(parseBasicAuth(basic('alice:a:b:c'))).toEqual({
      kind: 'credentials',
      credentials: { username: 'alice', password: 'a:b:c' },
    });
  });

  it('keeps an empty username or password for the caller to judge', () => {
    expect(parseBasicAuth(basic(':x'))).toEqual({
      kind: 'credentials',
      credentials: { username: '', password: 'x' },
    });
    expect(parseBasicAuth(basic('alice:'))).toEqual({
      kind: 'credentials',
      credentials: { username: 'alice', password: '' },
    });
  });

  it('reads the scheme case-insensitively and UTF-8 as it is', () => {
    const header = `bAsIc ${Buffer.from('j\u00fcrgen:pw').toString('base64')}`;
    expect(parseBasicAuth(header)).toEqual({
      kind: 'credentials',
      credentials: { username: 'j\u00fcrgen', password: 'pw' },
    });
  });

  it("leaves percent signs and pluses alone: decoding is the caller's choice", () => {
    expect(parseBasicAuth(basic('a+b:c%20d'))).toMatchObject({
      credentials: { username: 'a+b', password: 'c%20d' },
    });
  });

  it.each([
    ['no header', undefined],
    ['an empty header', ''],
    ['another scheme', 'Bearer abc'],
  ])('finds no credentials in %s', (_case, header) => {
    expect(parseBasicAuth(header)).toEqual({ kind: 'absent' });
  });

  it.each([
    ['several headers', ['Basic YTpi', 'Basic YzpkZA==']],
    ['a scheme without credentials', 'Basic'],
    ['an empty credential', 'Basic   '],
    ['characters outside base64', 'Basic %%%'],
    ['no colon', basic('alice')],
    ['invalid UTF-8', `Basic ${Buffer.from([0x61, 0xff, 0x3a, 0x62]).toString('base64')}`],
    ['a control character', basic('al\u0000ice:pw')],
    ['a newline in the password', basic('alice:p\nw')],
    ['an oversized credential', `Basic ${'A'.repeat(4100)}`],
  ])('refuses %s as malformed', (_case, header) => {
    expect(parseBasicAuth(header)).toEqual({ kind: 'malformed' });
  });
});

describe('form encoding of client credentials (RFC 6749 2.3.1, Appendix B)', () => {
  it('decodes pluses as spaces and percent escapes as UTF-8', () => {
    expect(formDecoded('my+app')).toBe('my app');
    expect(formDecoded('q%3Aw%25%C3%A9')).toBe('q:w%\u00e9');
  });

  it('refuses bad percent-encoding', () => {
    expect(formDecoded('a%zz')).toBeUndefined();
  });

  it('encodes what decodes back, spaces as pluses', () => {
    for (const value of ['Ab+cd/ef==', 'with space', 'per%cent', 'colon:é']) {
      expect(formDecoded(formEncoded(value))).toBe(value);
    }
    expect(formEncoded('a b+c')).toBe('a+b%2Bc');
  });

  it('builds the Basic value of a client (encoded) and of a person (as it is)', () => {
    expect(basicAuthorization('my app', 'a:b+', 'client_credentials')).toBe(
      `Basic ${Buffer.from('my+app:a%3Ab%2B').toString('base64')}`,
    );
    expect(basicAuthorization('alice', 'p+w', 'login')).toBe(
      `Basic ${Buffer.from('alice:p+w').toString('base64')}`,
    );
  });
});
