import type { IncomingMessage } from 'node:http';
import { isSaneRequestId, requestIdOf } from './request-id';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

function requestWith(id?: string | string[]): IncomingMessage {
  return { headers: id === undefined ? {} : { 'x-request-id': id } } as unknown as IncomingMessage;
}

describe('requestIdOf', () => {
  it.each([
    'abc',
    'req-42',
    'a.b_c:d@e/f+g=h',
    'A'.repeat(128),
    '3f2c9d1e-0000-4000-8000-000000000000',
  ])('keeps the sane inbound id %s', (id) => {
    expect(requestIdOf(requestWith(id))).toBe(id);
  });

  it.each([
    ['an empty id', ''],
    ['a space', 'a b'],
    ['a newline (log injection)', 'abc\ninjected'],
    ['markup', '<script>'],
    ['a leading dash', '-abc'],
    ['129 characters', 'A'.repeat(129)],
    ['non-ASCII', 'r\u00e9q'],
  ])('replaces %s with a UUID', (_case, id) => {
    expect(requestIdOf(requestWith(id))).toMatch(UUID);
  });

  it('replaces several inbound ids with a UUID', () => {
    expect(requestIdOf(requestWith(['a', 'b']))).toMatch(UUID);
  });

  it('makes a UUID when there is none, a new one per request', () => {
    const first = requestIdOf(requestWith());
    const second = requestIdOf(requestWith());
    expect(first).toMatch(UUID);
    expect(second).toMatch(UUID);
    expect(first).not.toBe(second);
  });

  it('answers the same id every time for the same request', () => {
    const request = requestWith('<bad>');
    const id = requestIdOf(request);
    expect(requestIdOf(request)).toBe(id);
    request.headers['x-request-id'] = 'changed';
    expect(requestIdOf(request)).toBe(id);
  });
});

describe('isSaneRequestId', () => {
  it('tells strings of sane form from anything else', () => {
    expect(isSaneRequestId('abc')).toBe(true);
    expect(isSaneRequestId('a b')).toBe(false);
    expect(isSaneRequestId(42)).toBe(false);
    expect(isSaneRequestId(undefined)).toBe(false);
  });
});
