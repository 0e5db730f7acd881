import { clientCredentialsOf } from './client-credentials';

const basic = (credentials: string): string =>
  `Basic ${Buffer.from(credentials, 'utf8').toString('base64')}`;

describe('clientCredentialsOf', () => {
  it('reads client_secret_basic', () => {
    expect(clientCredentialsOf(basic('1234:qwerty'), {})).toEqual({
      basic: { clientId: '1234', secret: 'qwerty' },
      post: { clientId: undefined, secret: undefined },
    });
  });

  it('form-decodes the Basic components (RFC 6749 2.3.1)', () => {
    expect(clientCredentialsOf(basic('my%3Aclient:p%40ss+word'), {}).basic).toEqual({
      clientId: 'my:client',
      secret: 'p@ss word',
    });
  });

  it('reads client_secret_post', () => {
    expect(clientCredentialsOf(undefined, { client_id: '1234', client_secret: 'qwerty' })).toEqual({
      post: { clientId: '1234', secret: 'qwerty' },
    });
  });

  it('passes both on, for the service to refuse', () => {
    expect(
      clientCredentialsOf(basic('1234:qwerty'), { client_id: '1234', client_secret: 'qwerty' }),
    ).toEqual({
      basic: { clientId: '1234', secret: 'qwerty' },
      post: { clientId: '1234', secret: 'qwerty' },
    });
  });

  it.each([
    ['not base64', 'Basic !!!'],
    ['without a colon', basic('1234')],
    ['with a bad percent-escape', basic('12%G4:qwerty')],
    ['sent twice', [basic('1234:qwerty'), basic('1234:qwerty')]],
  ])('marks Basic %s as malformed', (_name, header) => {
    expect(clientCredentialsOf(header, {}).basic).toBe('malformed');
  });
});
