import { createHmac } from 'node:crypto';
import { LoginBindingSeal, type LoginBinding } from './login-binding';

const KEY = 'a-login-binding-key-of-32-characters';
const BINDING: LoginBinding = {
  scope: 'current_time',
  state: 'uFVlJbpQmG5iMgL55WmNGw',
  codeVerifier: 'IJ51DhCB0w4LfY8gGP6Yfbomm6zx74tT0xzs3UoGbhU',
  expiresAt: 1_800_000_060,
};

/** A sealed binding with its payload replaced, the MAC kept. */
function withPayload(sealed: string, payload: unknown): string {
  const mac = sealed.split('.')[1] ?? '';
  return `${Buffer.from(JSON.stringify(payload)).toString('base64url')}.${mac}`;
}

describe('LoginBindingSeal (HMAC-SHA256, RFC 2104)', () => {
  const seal = new LoginBindingSeal(KEY);

  it('opens what it sealed', () => {
    expect(seal.open(seal.seal(BINDING))).toEqual(BINDING);
  });

  it('seals as base64url JSON and a 256-bit MAC, in about 200 characters', () => {
    const sealed = seal.seal(BINDING);
    expect(sealed).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43}$/);
    expect(sealed.length).toBeLessThan(260);
    const payload = JSON.parse(Buffer.from(sealed.split('.')[0] ?? '', 'base64url').toString());
    expect(payload).toEqual({
      v: 1,
      sc: 'current_time',
      st: BINDING.state,
      cv: BINDING.codeVerifier,
      exp: BINDING.expiresAt,
    });
  });

  it('opens nothing another key sealed', () => {
    const other = new LoginBindingSeal('another-binding-key-of-32-characters');
    expect(seal.open(other.seal(BINDING))).toBeUndefined();
  });

  it('opens nothing whose payload was changed', () => {
    const sealed = seal.seal(BINDING);
    expect(
      seal.open(
        withPayload(sealed, {
          v: 1,
          sc: 'epoch_time',
          st: BINDING.state,
          cv: BINDING.codeVerifier,
          exp: BINDING.expiresAt,
        }),
      ),
    ).toBeUndefined();
    expect(
      seal.open(
        withPayload(sealed, {
          v: 1,
          sc: 'current_time',
          st: BINDING.state,
          cv: BINDING.codeVerifier,
          exp: BINDING.expiresAt + 3600,
        }),
      ),
    ).toBeUndefined();
  });

  it('opens nothing whose MAC was changed or cut', () => {
    const sealed = seal.seal(BINDING);
    const last = sealed.at(-1) === 'A' ? 'B' : 'A';
    expect(seal.open(`${sealed.slice(0, -1)}${last}`)).toBeUndefined();
    expect(seal.open(sealed.slice(0, -2))).toBeUndefined();
    expect(seal.open(sealed.split('.')[0] ?? '')).toBeUndefined();
  });

  it.each([[''], ['.'], ['a.b.c'], ['not base64!.x'], ['x'.repeat(1025)]])(
    'opens nothing for %j',
    (value) => {
      expect(seal.open(value)).toBeUndefined();
    },
  );

  describe('a payload under a genuine MAC but of another shape (a key shared across versions)', () => {
    /** Any payload under KEY's MAC, in the format the class documents. */
    const sealRaw = (payload: unknown): string => {
      const encoded = Buffer.from(JSON.stringify(payload)).toString('base64url');
      const mac = createHmac('sha256', KEY)
        .update('webapp-login-binding.v1.')
        .update(encoded)
        .digest('base64url');
      return `${encoded}.${mac}`;
    };
    const good = {
      v: 1,
      sc: 'current_time',
      st: BINDING.state,
      cv: BINDING.codeVerifier,
      exp: BINDING.expiresAt,
    };

    it('opens a well-formed one', () => {
      expect(seal.open(sealRaw(good))).toEqual(BINDING);
    });

    it.each([
      ['another version', { ...good, v: 2 }],
      ['a scope not in the table', { ...good, sc: 'admin' }],
      ['a state that is not base64url', { ...good, st: 'a b' }],
      ['a verifier too short for RFC 7636', { ...good, cv: 'short' }],
      ['an expiry that is not an integer', { ...good, exp: 1.5 }],
      ['an expiry that is a string', { ...good, exp: '1800000060' }],
      ['no object at all', [1, 2]],
    ])('opens nothing with %s', (_case, payload) => {
      expect(seal.open(sealRaw(payload))).toBeUndefined();
    });
  });

  it('refuses a key shorter than 32 bytes', () => {
    expect(() => new LoginBindingSeal('short')).toThrow(RangeError);
  });
});
