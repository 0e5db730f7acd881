import { formEncoded } from '@app/common';

/** Where the user agent goes back to: a registered redirect URI, and the request's `state`. */
export interface RedirectTarget {
  redirectUri: string;
  state?: string;
}

/**
 * The Location of an authorization response, success or error: the registered redirect URI
 * (its own query kept) with the response parameters, the request's `state`, and `iss`.
 * Registered URIs have no fragment (checked at start), so appending to the query is safe.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.1.2
 * @see https://www.rfc-editor.org/rfc/rfc9207#section-2
 */
export function authorizationResponse(
  target: RedirectTarget,
  issuer: string,
  parameters: Record<string, string>,
): string {
  let location = target.redirectUri;
  let separator = location.includes('?') ? '&' : '?';
  const add = (name: string, value: string): void => {
    location += `${separator}${name}=${formEncoded(value)}`;
    separator = '&';
  };
  for (const [name, value] of Object.entries(parameters)) add(name, value);
  if (target.state !== undefined) add('state', target.state);
  add('iss', issuer);
  return location;
}
