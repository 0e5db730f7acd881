import { resourceOwnerOf } from './login';

const basic = (credentials: string): string =>
  `Basic ${Buffer.from(credentials, 'utf8').toString('base64')}`;

describe('resourceOwnerOf', () => {
  it('logs in with HTTP Basic, any non-empty password', () => {
    expect(resourceOwnerOf(basic('alice:anything'))).toEqual({ username: 'alice' });
  });

  it('keeps a Basic username as it is, without form-decoding it', () => {
    expect(resourceOwnerOf(basic('j%C3%B6rg+x:pw'))).toEqual({ username: 'j%C3%B6rg+x' });
    expect(resourceOwnerOf(basic('jörg:pw'))).toEqual({ username: 'jörg' });
  });

  it('keeps colons after the first in the password', () => {
    expect(resourceOwnerOf(basic('bob:a:b'))).toEqual({ username: 'bob' });
  });

  it('logs in with the form fields when there is no Basic header', () => {
    expect(resourceOwnerOf(undefined, { username: 'carol', password: 'pw' })).toEqual({
      username: 'carol',
    });
  });

  it('prefers Basic over the form', () => {
    expect(resourceOwnerOf(basic('alice:pw'), { username: 'carol', password: 'pw' })).toEqual({
      username: 'alice',
    });
  });

  it('ignores another scheme and falls back to the form', () => {
    expect(resourceOwnerOf('Bearer abc', { username: 'carol', password: 'pw' })).toEqual({
      username: 'carol',
    });
  });

  it.each([
    ['no credentials at all', undefined, undefined],
    ['an empty Basic username', basic(':pw'), undefined],
    ['an empty Basic password', basic('alice:'), undefined],
    ['Basic without a colon', basic('alice'), undefined],
    ['Basic that is not base64', 'Basic !!!', undefined],
    ['malformed Basic even with a good form', 'Basic !!!', { username: 'carol', password: 'pw' }],
    ['a form without password', undefined, { username: 'carol' }],
    ['a form with an empty username', undefined, { username: '', password: 'pw' }],
  ])('logs nobody in for %s', (_name, header, form) => {
    expect(resourceOwnerOf(header, form)).toBeUndefined();
  });
});
