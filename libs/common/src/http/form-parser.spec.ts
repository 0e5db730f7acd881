import { parseForm } from './form-parser';

describe('parseForm (application/x-www-form-urlencoded)', () => {
  it('decodes names and values, + as space', () => {
    expect({
      ...parseForm('grant_type=authorization_code&redirect_uri=http%3A%2F%2Fx%2Fcb&a=b+c'),
    }).toEqual({
      grant_type: 'authorization_code',
      redirect_uri: 'http://x/cb',
      a: 'b c',
    });
  });

  it('turns a repeated parameter into an array, in order (RFC 6749 3.1)', () => {
    expect({ ...parseForm('scope=a&code=1&scope=b&scope=c') }).toEqual({
      scope: ['a', 'b', 'c'],
      code: '1',
    });
  });

  it('keeps empty values and names without a value', () => {
    expect({ ...parseForm('a=&b') }).toEqual({ a: '', b: '' });
  });

  it('answers an empty object for an empty body', () => {
    expect(Object.keys(parseForm(''))).toEqual([]);
  });

  it('builds an object without a prototype, so __proto__ is just a name', () => {
    const form = parseForm('__proto__=x&constructor=y&toString=z');
    expect(Object.getPrototypeOf(form)).toBeNull();
    expect(Object.keys(form)).toEqual(['__proto__', 'constructor', 'toString']);
    expect(form['__proto__']).toBe('x');
    expect(form.constructor).toBe('y');
    expect(({} as Record<string, unknown>).x).toBeUndefined();
  });

  it('does not pollute Object.prototype through a nested-looking name', () => {
    parseForm('__proto__[polluted]=yes&constructor[prototype][polluted]=yes');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
