import { parseBasicAuth } from '@app/common';
import type { ResourceOwner } from './authorization.service';

/**
 * The resource owner from HTTP Basic, or from the `username` and `password` form fields of a POST.
 * Any non-empty username with any non-empty password logs in; anything else is no login.
 */
export function resourceOwnerOf(
  authorization: string | string[] | undefined,
  form?: { username?: string; password?: string },
): ResourceOwner | undefined {
  const basic = parseBasicAuth(authorization);
  if (basic.kind === 'credentials')
    return ownerOf(basic.credentials.username, basic.credentials.password);
  if (basic.kind === 'malformed') return undefined;
  return ownerOf(form?.username, form?.password);
}

function ownerOf(
  username: string | undefined,
  password: string | undefined,
): ResourceOwner | undefined {
  if (username === undefined || password === undefined) return undefined;
  if (username.length === 0 || password.length === 0) return undefined;
  return { username };
}
