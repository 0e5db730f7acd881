import { parseBasicAuth } from '@app/common';
import type { ClientCredentials } from '../clients/client-authentication.service';

/**
 * What the transport found of client authentication: HTTP Basic (with the form-decoding of
 * RFC 6749 2.3.1) and the client_id/client_secret body fields.
 */
export function clientCredentialsOf(
  authorization: string | string[] | undefined,
  body: { client_id?: string; client_secret?: string },
  address?: string,
): ClientCredentials {
  const basic = parseBasicAuth(authorization, true);
  const post = { clientId: body.client_id, secret: body.client_secret };
  switch (basic.kind) {
    case 'absent':
      return { post, address };
    case 'malformed':
      return { basic: 'malformed', post, address };
    case 'credentials':
      return {
        basic: { clientId: basic.credentials.username, secret: basic.credentials.password },
        post,
        address,
      };
  }
}
