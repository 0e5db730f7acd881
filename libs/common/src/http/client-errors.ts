import { randomUUID } from 'node:crypto';
import type { Socket } from 'node:net';
import type { ErrorCode, ErrorResponse } from '@app/contracts';

/** What the HTTP parser refused, as the contract's status and error code. */
function replyOf(code: string | undefined): {
  status: number;
  reason: string;
  body: ErrorResponse;
} {
  switch (code) {
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return answer(
        408,
        'Request Timeout',
        'request_timeout',
        'the request took too long to arrive',
      );
    case 'HPE_HEADER_OVERFLOW':
      return answer(
        431,
        'Request Header Fields Too Large',
        'request_header_fields_too_large',
        'the request headers are too large',
      );
    default:
      return answer(400, 'Bad Request', 'invalid_request', 'the request is not valid HTTP');
  }
}

function answer(status: number, reason: string, error: ErrorCode, description: string) {
  return { status, reason, body: { error, error_description: description } };
}

/**
 * Fastify's `clientErrorHandler`: what Node's HTTP parser refuses before any route, hook or
 * filter runs (a bad Content-Length or Transfer-Encoding, an obs-folded header, oversized headers,
 * a request that never finishes arriving) is answered in the contract's JSON shape with a fresh
 * request id and the service's answer headers, like every other answer, then the connection is
 * closed, as Node itself does. Written to the socket because no request object exists yet.
 * @see https://nodejs.org/api/http.html#event-clienterror
 */
export function clientErrorHandler(
  headers: Readonly<Record<string, string>>,
): (err: NodeJS.ErrnoException, socket: Socket) => void {
  const fixed = Object.entries(headers)
    .map(([name, value]) => `${name}: ${value}\r\n`)
    .join('');
  return (err, socket) => {
    if (err.code === 'ECONNRESET' || socket.destroyed) return;
    if (socket.writable) {
      const { status, reason, body } = replyOf(err.code);
      const json = JSON.stringify(body);
      socket.write(
        `HTTP/1.1 ${status} ${reason}\r\n` +
          'content-type: application/json; charset=utf-8\r\n' +
          `content-length: ${Buffer.byteLength(json)}\r\n` +
          `x-request-id: ${randomUUID()}\r\n` +
          fixed +
          'cache-control: no-store\r\n' +
          'connection: close\r\n\r\n' +
          json,
      );
    }
    socket.destroy(err);
  };
}
