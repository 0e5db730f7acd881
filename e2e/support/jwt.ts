/** Reading and forging compact JWS, for the attack tests. */
import { createHmac, createSign, type KeyObject } from 'node:crypto';

export type Json = Record<string, unknown>;

export function b64url(value: Json | Buffer): string {
  return (Buffer.isBuffer(value) ? value : Buffer.from(JSON.stringify(value))).toString(
    'base64url',
  );
}

export function decodeJwt(token: string): { header: Json; payload: Json; signature: string } {
  const [header, payload, signature] = token.split('.');
  if (header === undefined || payload === undefined || signature === undefined) {
    throw new Error(`not a compact JWS: ${token.slice(0, 20)}...`);
  }
  return {
    header: JSON.parse(Buffer.from(header, 'base64url').toString('utf8')) as Json,
    payload: JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Json,
    signature,
  };
}

/** `alg: none`: no signature at all. */
export function unsigned(header: Json, payload: Json): string {
  return `${b64url(header)}.${b64url(payload)}.`;
}

export function signHs256(header: Json, payload: Json, secret: string | Buffer): string {
  const input = `${b64url(header)}.${b64url(payload)}`;
  return `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`;
}

export function signEs256(header: Json, payload: Json, privateKey: KeyObject): string {
  const input = `${b64url(header)}.${b64url(payload)}`;
  const signature = createSign('SHA256')
    .update(input)
    .sign({ key: privateKey, dsaEncoding: 'ieee-p1363' });
  return `${input}.${signature.toString('base64url')}`;
}

/** The same header and signature over a changed payload. */
export function withPayload(token: string, changes: Json): string {
  const [header, , signature] = token.split('.');
  const { payload } = decodeJwt(token);
  return `${header}.${b64url({ ...payload, ...changes })}.${signature}`;
}
