import { hasAuthScheme, parseBasicAuth } from './basic-auth';

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

  it('leaves percent signs and pluses alone unless asked to form-decode', () => {
    expect(parseBasicAuth(basic('a+b:c%20d'))).toMatchObject({
      credentials: { username: 'a+b', password: 'c%20d' },
    });
  });

  it('form-decodes client credentials when asked (RFC 6749 2.3.1)', () => {
    expect(parseBasicAuth(basic('my+app:q%3Aw%25%C3%A9'), true)).toEqual({
      kind: 'credentials',
      credentials: { username: 'my app', password: 'q:w%\u00e9' },
    });
  });

  it('refuses bad percent-encoding when form-decoding', () => {
    expect(parseBasicAuth(basic('a%zz:b'), true)).toEqual({ kind: 'malformed' });
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

describe('hasAuthScheme', () => {
  it('tells the scheme of an Authorization header, case-insensitively', () => {
    expect(hasAuthScheme('Basic abc', 'basic')).toBe(true);
    expect(hasAuthScheme('basic abc', 'Basic')).toBe(true);
    expect(hasAuthScheme('Bearer abc', 'Basic')).toBe(false);
    expect(hasAuthScheme('Basicabc', 'Basic')).toBe(false);
    expect(hasAuthScheme(undefined, 'Basic')).toBe(false);
    expect(hasAuthScheme(['Basic a'], 'Basic')).toBe(false);
  });
});
