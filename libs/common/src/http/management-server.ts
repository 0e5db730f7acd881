import { createServer, type Server } from 'node:http';
import type { Metrics } from '../metrics/metrics';
import { pathOf } from './transport-errors';

/**
 * The management port: GET /metrics for Prometheus, apart from the service's public port, and
 * nothing else (404 JSON). Plain node:http, since it serves one scrape every few seconds.
 */
export async function startManagementServer(
  port: number,
  host: string,
  metrics: Metrics,
): Promise<Server> {
  const server = createServer((request, response) => {
    const path = pathOf(request.url ?? '');
    if (request.method === 'GET' && path === '/metrics') {
      metrics.render().then(
        (text) => {
          response.writeHead(200, {
            'content-type': 'text/plain; version=0.0.4; charset=utf-8',
            'cache-control': 'no-store',
          });
          response.end(text);
        },
        () => {
          response.writeHead(500, { 'content-type': 'application/json; charset=utf-8' });
          response.end('{"error":"server_error","error_description":"metrics unavailable"}');
        },
      );
      return;
    }
    response.writeHead(404, { 'content-type': 'application/json; charset=utf-8' });
    response.end('{"error":"not_found","error_description":"no such resource"}');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  return server;
}
