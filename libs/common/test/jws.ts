import { createHmac, type KeyObject, sign } from 'node:crypto';

/** A compact JWS split into its parts. */
export interface DecodedJws {
  header: Record<string, unknown>;
  payload: Record<string, unknown>;
  signingInput: string;
  signature: Buffer;
}

export function decodeJws(token: string): DecodedJws {
  const [header = '', payload = '', signature = ''] = token.split('.');
  return {
    header: JSON.parse(Buffer.from(header, 'base64url').toString('utf8')) as Record<
      string,
      unknown
    >,
    payload: JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<
      string,
      unknown
    >,
    signingInput: `${header}.${payload}`,
    signature: Buffer.from(signature, 'base64url'),
  };
}

/**
 * Builds a compact JWS by hand, with no JWT library, so that tests can forge exactly the token
 * they mean: any header, any payload, any signature.
 */
export function compactJws(
  header: object,
  payload: object,
  signer: (signingInput: Buffer) => Buffer,
): string {
  const encode = (part: object): string => Buffer.from(JSON.stringify(part)).toString('base64url');
  const signingInput = `${encode(header)}.${encode(payload)}`;
  return `${signingInput}.${signer(Buffer.from(signingInput)).toString('base64url')}`;
}

/** ES256 as JWS wants it: the raw r || s signature (RFC 7518 3.4). */
export function es256(privateKey: KeyObject): (signingInput: Buffer) => Buffer {
  return (signingInput) =>
    sign('sha256', signingInput, { key: privateKey, dsaEncoding: 'ieee-p1363' });
}

export function hs256(secret: string | Buffer): (signingInput: Buffer) => Buffer {
  return (signingInput) => createHmac('sha256', secret).update(signingInput).digest();
}

export const unsigned = (): Buffer => Buffer.alloc(0);
