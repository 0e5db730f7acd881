import Fastify, { type FastifyInstance } from 'fastify';
import { parseForm, registerFormParser } from './form-parser';

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

  it('drops parameters sent without a value, as if omitted (RFC 6749 3.1)', () => {
    expect({ ...parseForm('a=&b&c=1&d=') }).toStrictEqual({ c: '1' });
  });

  it('does not count an empty repetition as a second value', () => {
    expect({ ...parseForm('scope=&scope=a&state=s&state=') }).toStrictEqual({
      scope: 'a',
      state: 's',
    });
    expect({ ...parseForm('scope=a&scope=&scope=b') }).toStrictEqual({ scope: ['a', 'b'] });
  });

  it('keeps a value that is only a space (+), which is a value', () => {
    expect({ ...parseForm('a=+&b=%20') }).toStrictEqual({ a: ' ', b: ' ' });
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

describe('registerFormParser', () => {
  let app: FastifyInstance;

  beforeAll(async () => {
    app = Fastify();
    registerFormParser(app, 64);
    app.post('/echo', async (request) => ({ body: request.body }));
    await app.ready();
  });

  afterAll(() => app.close());

  it('parses a form body with parseForm, empty parameters dropped', async () => {
    const response = await app.inject({
      method: 'POST',
      url: '/echo',
      headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' },
      payload: 'grant_type=authorization_code&code=&scope=a&scope=b',
    });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({
      body: { grant_type: 'authorization_code', scope: ['a', 'b'] },
    });
  });

  it('refuses a form over its body limit with 413', async () => {
    const response = await app.inject({
      method: 'POST',
      url: '/echo',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: `a=${'x'.repeat(63)}`,
    });
    expect(response.statusCode).toBe(413);
  });

  it('leaves other content types to Fastify, which refuses them with 415', async () => {
    const response = await app.inject({
      method: 'POST',
      url: '/echo',
      headers: { 'content-type': 'text/xml' },
      payload: '<a/>',
    });
    expect(response.statusCode).toBe(415);
  });
});
