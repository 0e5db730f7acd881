import { parseBasicAuth } from '@app/common';

/** What the resource owner sent to log in: HTTP Basic, or the form fields of a POST. */
export type Login =
  | { kind: 'none' }
  | { kind: 'malformed' }
  | { kind: 'credentials'; username: string; password: string };

/**
 * The resource owner's login from HTTP Basic (taken as UTF-8, RFC 7617), or else from the
 * `username` and `password` form fields of a POST. Whether it is good enough is the
 * authorization service's call.
 */
export function loginOf(
  authorization: string | string[] | undefined,
  form?: { username?: string; password?: string },
): Login {
  const basic = parseBasicAuth(authorization);
  if (basic.kind === 'credentials') return { kind: 'credentials', ...basic.credentials };
  if (basic.kind === 'malformed') return { kind: 'malformed' };
  if (form?.username === undefined || form.password === undefined) return { kind: 'none' };
  return { kind: 'credentials', username: form.username, password: form.password };
}
