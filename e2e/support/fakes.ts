/** Stand-ins for an upstream that misbehaves: one that never answers, one that answers nonsense. */
import {
  createServer as createHttpServer,
  type IncomingMessage,
  type ServerResponse,
} from 'node:http';
import { createServer as createNetServer, type Socket } from 'node:net';

export interface FakeServer {
  url: string;
  /** Connections accepted so far. */
  connections: number;
  /** Requests seen so far (HTTP fakes only): method, path with query, headers. */
  requests: { method: string; url: string; headers: IncomingMessage['headers'] }[];
  close(): Promise<void>;
}

/** Accepts connections and reads them, but never writes a byte. */
export async function startHangingServer(): Promise<FakeServer> {
  const sockets = new Set<Socket>();
  const fake: FakeServer = { url: '', connections: 0, requests: [], close: async () => undefined };
  const server = createNetServer((socket) => {
    fake.connections++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    socket.resume();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no address');
  fake.url = `http://127.0.0.1:${address.port}`;
  fake.close = () =>
    new Promise<void>((resolve) => {
      for (const socket of sockets) socket.destroy();
      server.close(() => resolve());
    });
  return fake;
}

export type FakeHandler = (request: IncomingMessage, response: ServerResponse) => void;

/** An HTTP server whose answers the test decides; `handler` may be swapped between calls. */
export async function startFakeHttp(
  initial: FakeHandler,
): Promise<FakeServer & { handler: FakeHandler }> {
  const fake: FakeServer & { handler: FakeHandler } = {
    url: '',
    connections: 0,
    requests: [],
    handler: initial,
    close: async () => undefined,
  };
  const server = createHttpServer((request, response) => {
    fake.requests.push({
      method: request.method ?? '',
      url: request.url ?? '',
      headers: request.headers,
    });
    request.resume();
    request.on('end', () => fake.handler(request, response));
  });
  server.on('connection', () => fake.connections++);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no address');
  fake.url = `http://127.0.0.1:${address.port}`;
  fake.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return fake;
}

/** A handler that always sends the same answer. */
export function answer(
  status: number,
  body: string,
  contentType = 'application/json',
): FakeHandler {
  return (_request, response) => {
    response.writeHead(status, {
      'content-type': contentType,
      'content-length': Buffer.byteLength(body),
    });
    response.end(body);
  };
}
