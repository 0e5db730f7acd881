/** Credentials from an `Authorization: Basic` header. */
export interface BasicCredentials {
  username: string;
  password: string;
}

export type BasicAuthResult =
  | { kind: 'absent' }
  | { kind: 'malformed' }
  | { kind: 'credentials'; credentials: BasicCredentials };

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/**
 * Reads HTTP Basic credentials. `decodeComponents` applies the form-decoding that RFC 6749 2.3.1
 * prescribes for client credentials; a person's login (RFC 7617) is taken as UTF-8 as it is.
 * @see https://www.rfc-editor.org/rfc/rfc7617#section-2
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-2.3.1
 */
export function parseBasicAuth(
  header: string | string[] | undefined,
  decodeComponents = false,
): BasicAuthResult {
  if (header === undefined) return { kind: 'absent' };
  if (Array.isArray(header)) return { kind: 'malformed' };
  const space = header.indexOf(' ');
  if (space === -1) return { kind: header.length === 0 ? 'absent' : 'malformed' };
  if (header.slice(0, space).toLowerCase() !== 'basic') return { kind: 'absent' };
  const encoded = header.slice(space + 1).trim();
  if (encoded.length === 0 || encoded.length > 4096 || !BASE64.test(encoded)) {
    return { kind: 'malformed' };
  }
  const decoded = Buffer.from(encoded, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  // Control characters have no place in a username or password; refuse them outright.
  // eslint-disable-next-line no-control-regex
  if (colon === -1 || decoded.includes('\uFFFD') || /[\x00-\x1f\x7f]/.test(decoded)) {
    return { kind: 'malformed' };
  }
  let username = decoded.slice(0, colon);
  let password = decoded.slice(colon + 1);
  if (decodeComponents) {
    try {
      username = decodeURIComponent(username.replace(/\+/g, ' '));
      password = decodeURIComponent(password.replace(/\+/g, ' '));
    } catch {
      return { kind: 'malformed' };
    }
  }
  return { kind: 'credentials', credentials: { username, password } };
}

/** Whether the request carries an Authorization header of the given scheme. */
export function hasAuthScheme(header: string | string[] | undefined, scheme: string): boolean {
  if (typeof header !== 'string') return false;
  return header.slice(0, scheme.length + 1).toLowerCase() === `${scheme.toLowerCase()} `;
}
