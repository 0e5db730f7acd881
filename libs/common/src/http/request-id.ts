import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

const SANE_REQUEST_ID = /^[A-Za-z0-9][A-Za-z0-9._:@/+=-]{0,127}$/;
const REQUEST_ID = Symbol('requestId');

type WithRequestId = IncomingMessage & { [REQUEST_ID]?: string };

/** True for an inbound X-Request-ID that is safe to keep, log and forward. */
export function isSaneRequestId(value: unknown): value is string {
  return typeof value === 'string' && SANE_REQUEST_ID.test(value);
}

/**
 * The request's id: the inbound X-Request-ID when it is of sane form, else a new UUID. Fastify
 * asks for it (genReqId); it is kept on the request, so asking again gives the same value.
 */
export function requestIdOf(req: IncomingMessage): string {
  const carrier = req as WithRequestId;
  const known = carrier[REQUEST_ID];
  if (known !== undefined) return known;
  const inbound = req.headers['x-request-id'];
  const id = isSaneRequestId(inbound) ? inbound : randomUUID();
  carrier[REQUEST_ID] = id;
  return id;
}
