import type { FastifyInstance } from 'fastify';

const FORM = 'application/x-www-form-urlencoded';

/**
 * Parses `application/x-www-form-urlencoded` bodies with `parseForm`. Other content types get
 * 415 from Fastify.
 */
export function registerFormParser(instance: FastifyInstance, bodyLimit: number): void {
  instance.addContentTypeParser(FORM, { parseAs: 'string', bodyLimit }, (_request, body, done) => {
    done(null, parseForm(body as string));
  });
}

/**
 * Reads a form or a query string into a prototype-free object, the one place where parameters
 * are read, for bodies and queries alike:
 * - a parameter sent without a value is treated as omitted (RFC 6749 3.1 and 3.2: "Parameters
 *   sent without a value MUST be treated as if they were omitted from the request");
 * - a parameter sent twice with values becomes an array, which the DTOs then refuse (RFC 6749
 *   3.1: parameters MUST NOT be included more than once).
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-3.1
 */
export function parseForm(body: string): Record<string, string | string[]> {
  const result = Object.create(null) as Record<string, string | string[]>;
  for (const [key, value] of new URLSearchParams(body)) {
    if (value.length === 0) continue;
    const seen = result[key];
    if (seen === undefined) result[key] = value;
    else if (Array.isArray(seen)) seen.push(value);
    else result[key] = [seen, value];
  }
  return result;
}
