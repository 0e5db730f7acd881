import { formDecoded, parseBasicAuth } from '@app/common';

/** One reading of a client's id and secret. */
export interface PresentedSecret {
  clientId: string;
  secret: string;
}

/**
 * What the transport found of client authentication. A Basic header is read two ways: RFC 6749
 * 2.3.1 has clients form-encode the id and secret first, which many popular clients
 * (requests-oauthlib, authlib, arctic) skip, so both the decoded and the raw reading are offered,
 * and the service accepts either (each compared in constant time).
 */
export interface ClientCredentials {
  basic?: { readings: PresentedSecret[] } | 'malformed';
  post?: { clientId?: string; secret?: string };
  /** The caller's address key, for the failure limits. */
  address: string;
}

/** Reads HTTP Basic and the client_id/client_secret body fields (already schema-checked). */
export function clientCredentialsOf(
  authorization: string | string[] | undefined,
  body: { client_id?: string; client_secret?: string },
  address: string,
): ClientCredentials {
  const post = { clientId: body.client_id, secret: body.client_secret };
  const basic = parseBasicAuth(authorization);
  switch (basic.kind) {
    case 'absent':
      return { post, address };
    case 'malformed':
      return { basic: 'malformed', post, address };
    case 'credentials': {
      const { username, password } = basic.credentials;
      const raw = { clientId: username, secret: password };
      const clientId = formDecoded(username);
      const secret = formDecoded(password);
      const decoded =
        clientId !== undefined && secret !== undefined ? { clientId, secret } : undefined;
      const same = decoded?.clientId === raw.clientId && decoded.secret === raw.secret;
      return {
        basic: { readings: decoded === undefined ? [raw] : same ? [decoded] : [decoded, raw] },
        post,
        address,
      };
    }
  }
}
