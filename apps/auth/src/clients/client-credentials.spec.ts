import { clientCredentialsOf } from './client-credentials';

const basic = (credentials: string): string =>
  `Basic ${Buffer.from(credentials, 'utf8').toString('base64')}`;
const ADDRESS = '192.0.2.1';

describe('clientCredentialsOf', () => {
  it('reads client_secret_basic, with the caller’s address', () => {
    expect(clientCredentialsOf(basic('1234:qwerty'), {}, ADDRESS)).toEqual({
      basic: { readings: [{ clientId: '1234', secret: 'qwerty' }] },
      post: { clientId: undefined, secret: undefined },
      address: ADDRESS,
    });
  });

  it('offers the form-decoded reading first, then the raw one (RFC 6749 2.3.1)', () => {
    expect(clientCredentialsOf(basic('my%3Aclient:p%40ss+word'), {}, ADDRESS).basic).toEqual({
      readings: [
        { clientId: 'my:client', secret: 'p@ss word' },
        { clientId: 'my%3Aclient', secret: 'p%40ss+word' },
      ],
    });
  });

  it('offers a raw secret with + and / as sent, and its form-decoding', () => {
    expect(clientCredentialsOf(basic('1234:Ab+cd/ef=='), {}, ADDRESS).basic).toEqual({
      readings: [
        { clientId: '1234', secret: 'Ab cd/ef==' },
        { clientId: '1234', secret: 'Ab+cd/ef==' },
      ],
    });
  });

  it('offers only the raw reading when it does not form-decode (a stray %)', () => {
    expect(clientCredentialsOf(basic('1234:50%off'), {}, ADDRESS).basic).toEqual({
      readings: [{ clientId: '1234', secret: '50%off' }],
    });
    expect(clientCredentialsOf(basic('12%G4:qwerty'), {}, ADDRESS).basic).toEqual({
      readings: [{ clientId: '12%G4', secret: 'qwerty' }],
    });
  });

  it('reads client_secret_post', () => {
    expect(
      clientCredentialsOf(undefined, { client_id: '1234', client_secret: 'qwerty' }, ADDRESS),
    ).toEqual({ post: { clientId: '1234', secret: 'qwerty' }, address: ADDRESS });
  });

  it('passes both on, for the service to refuse', () => {
    expect(
      clientCredentialsOf(
        basic('1234:qwerty'),
        { client_id: '1234', client_secret: 'qwerty' },
        ADDRESS,
      ),
    ).toEqual({
      basic: { readings: [{ clientId: '1234', secret: 'qwerty' }] },
      post: { clientId: '1234', secret: 'qwerty' },
      address: ADDRESS,
    });
  });

  it.each([
    ['not base64', 'Basic !!!'],
    ['without a colon', basic('1234')],
    ['with a control character', basic('1234:qwe\u0000rty')],
    ['sent twice', [basic('1234:qwerty'), basic('1234:qwerty')]],
  ])('marks Basic %s as malformed', (_name, header) => {
    expect(clientCredentialsOf(header, {}, ADDRESS).basic).toBe('malformed');
  });

  it('ignores another scheme: that is no client authentication', () => {
    expect(clientCredentialsOf('Bearer abc', {}, ADDRESS).basic).toBeUndefined();
  });
});
