import { loginOf } from './login';

const basic = (credentials: string): string =>
  `Basic ${Buffer.from(credentials, 'utf8').toString('base64')}`;

describe('loginOf', () => {
  it('reads HTTP Basic', () => {
    expect(loginOf(basic('alice:anything'))).toEqual({
      kind: 'credentials',
      username: 'alice',
      password: 'anything',
    });
  });

  it('keeps a Basic username as it is, without form-decoding it (RFC 7617)', () => {
    expect(loginOf(basic('j%C3%B6rg+x:pw'))).toMatchObject({ username: 'j%C3%B6rg+x' });
    expect(loginOf(basic('jörg:pw'))).toMatchObject({ username: 'jörg' });
  });

  it('keeps colons after the first in the password', () => {
    expect(loginOf(basic('bob:a:b'))).toEqual({
      kind: 'credentials',
      username: 'bob',
      password: 'a:b',
    });
  });

  it('reads the form fields when there is no Basic header', () => {
    expect(loginOf(undefined, { username: 'carol', password: 'pw' })).toEqual({
      kind: 'credentials',
      username: 'carol',
      password: 'pw',
    });
  });

  it('prefers Basic over the form', () => {
    expect(loginOf(basic('alice:pw'), { username: 'carol', password: 'pw' })).toMatchObject({
      username: 'alice',
    });
  });

  it('ignores another scheme and falls back to the form', () => {
    expect(loginOf('Bearer abc', { username: 'carol', password: 'pw' })).toMatchObject({
      username: 'carol',
    });
  });

  it('passes empty Basic parts on as they are, for the authorization service to refuse', () => {
    expect(loginOf(basic(':pw'))).toEqual({ kind: 'credentials', username: '', password: 'pw' });
    expect(loginOf(basic('alice:'))).toEqual({
      kind: 'credentials',
      username: 'alice',
      password: '',
    });
  });

  it.each([
    ['Basic without a colon', basic('alice'), undefined],
    ['Basic that is not base64', 'Basic !!!', undefined],
    ['Basic sent twice', [basic('alice:pw'), basic('alice:pw')], undefined],
    ['malformed Basic even with a good form', 'Basic !!!', { username: 'carol', password: 'pw' }],
  ])('reads %s as malformed', (_name, header, form) => {
    expect(loginOf(header, form)).toEqual({ kind: 'malformed' });
  });

  it.each([
    ['no credentials at all', undefined, undefined],
    ['a form without password', undefined, { username: 'carol' }],
    ['a form without username', undefined, { password: 'pw' }],
  ])('reads %s as no login', (_name, header, form) => {
    expect(loginOf(header, form)).toEqual({ kind: 'none' });
  });
});
