import { LoginCookie } from './login-cookie';

describe('LoginCookie (RFC 6265)', () => {
  const cookie = new LoginCookie('http://localhost:5003/callback');

  it('sets the binding HttpOnly, SameSite=Lax, for the redirect URI path, with Max-Age', () => {
    expect(cookie.set('abc.def', 60)).toBe(
      'webapp_login=abc.def; Max-Age=60; Path=/callback; HttpOnly; SameSite=Lax',
    );
  });

  it('clears it with the same attributes and Max-Age=0', () => {
    expect(cookie.clear()).toBe('webapp_login=; Max-Age=0; Path=/callback; HttpOnly; SameSite=Lax');
  });

  it('adds Secure for an https redirect URI', () => {
    expect(new LoginCookie('https://app.example/cb').set('v', 60)).toBe(
      'webapp_login=v; Max-Age=60; Path=/cb; HttpOnly; Secure; SameSite=Lax',
    );
  });

  it('reads the binding among other cookies, the first one when sent twice', () => {
    expect(cookie.read('a=1; webapp_login=abc.def; b=2')).toBe('abc.def');
    expect(cookie.read('webapp_login=first; webapp_login=second')).toBe('first');
  });

  it('reads nothing from no header, an empty value or other cookies only', () => {
    expect(cookie.read(undefined)).toBeUndefined();
    expect(cookie.read('webapp_login=')).toBeUndefined();
    expect(cookie.read('other=1')).toBeUndefined();
  });

  it('reads the value as sent, without percent-decoding it', () => {
    expect(cookie.read('webapp_login=a%2Eb')).toBe('a%2Eb');
  });
});
