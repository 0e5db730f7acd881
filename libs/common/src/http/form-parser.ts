import type { FastifyInstance } from 'fastify';

const FORM = 'application/x-www-form-urlencoded';

/**
 * Parses `application/x-www-form-urlencoded` bodies into a prototype-free object. A parameter
 * sent twice becomes an array, which the DTOs then refuse (RFC 6749 3.1: parameters MUST NOT be
 * included more than once). Other content types get 415 from Fastify.
 */
export function registerFormParser(instance: FastifyInstance, bodyLimit: number): void {
  instance.addContentTypeParser(FORM, { parseAs: 'string', bodyLimit }, (_request, body, done) => {
    done(null, parseForm(body as string));
  });
}

export function parseForm(body: string): Record<string, string | string[]> {
  const result = Object.create(null) as Record<string, string | string[]>;
  for (const [key, value] of new URLSearchParams(body)) {
    const seen = result[key];
    if (seen === undefined) result[key] = value;
    else if (Array.isArray(seen)) seen.push(value);
    else result[key] = [seen, value];
  }
  return result;
}
