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
 * Reads HTTP Basic credentials as they were sent (UTF-8, RFC 7617). Client credentials are also
 * form-encoded by RFC 6749 2.3.1, which many clients skip: `formDecoded` gives the decoded
 * reading, and the caller decides which readings to accept.
 * @see https://www.rfc-editor.org/rfc/rfc7617#section-2
 */
export function parseBasicAuth(header: string | string[] | undefined): BasicAuthResult {
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
  return {
    kind: 'credentials',
    credentials: { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) },
  };
}

/**
 * The application/x-www-form-urlencoded decoding of one component; undefined when it does not
 * decode (a stray `%`). @see https://www.rfc-editor.org/rfc/rfc6749#appendix-B
 */
export function formDecoded(value: string): string | undefined {
  try {
    return decodeURIComponent(value.replace(/\+/g, ' '));
  } catch {
    return undefined;
  }
}

/** The application/x-www-form-urlencoded encoding of one component. */
export function formEncoded(value: string): string {
  return encodeURIComponent(value).replace(/%20/g, '+');
}

/**
 * An `Authorization: Basic` value. Client credentials are form-encoded first (RFC 6749 2.3.1);
 * a person's login is sent as it is (RFC 7617).
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-2.3.1
 */
export function basicAuthorization(
  username: string,
  password: string,
  encoding: 'client_credentials' | 'login',
): string {
  const pair =
    encoding === 'client_credentials'
      ? `${formEncoded(username)}:${formEncoded(password)}`
      : `${username}:${password}`;
  return `Basic ${Buffer.from(pair, 'utf8').toString('base64')}`;
}
