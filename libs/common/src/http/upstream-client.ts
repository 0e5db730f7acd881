import { Pool } from 'undici';
import { Deadline } from '../upstream/deadline';
import { UpstreamError } from '../upstream/upstream.errors';
import { compiledValidator } from '../validation/compiled-validator';

export interface UpstreamOptions {
  /** Short name for logs and errors: `auth`, `resource`. */
  name: string;
  baseUrl: string;
  timeoutMs: number;
  connections?: number;
  maxResponseBytes?: number;
  /** Where each call's outcome and duration are counted. */
  metrics: { observeUpstream(target: string, outcome: string, seconds: number): void };
}

export interface UpstreamRequest {
  method: 'GET' | 'POST';
  path: string;
  headers?: Record<string, string>;
  /** Sent as application/x-www-form-urlencoded. */
  form?: Record<string, string>;
  requestId?: string;
  /** Aborts the call; its reason decides between timeout and unavailable. */
  signal?: AbortSignal;
}

export interface UpstreamResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  /** The parsed JSON body, or undefined when the body is empty or not JSON. */
  json: unknown;
}

const UNAVAILABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
  'UND_ERR_DESTROYED',
]);
const TIMEOUT_CODES = new Set([
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'ETIMEDOUT',
]);

/**
 * An HTTP client for one upstream service: a keep-alive undici pool with connect, header and body
 * timeouts, a cap on answer size, and failures turned into typed UpstreamErrors.
 */
export class UpstreamClient {
  readonly name: string;
  private readonly pool: Pool;
  private readonly timeoutMs: number;
  private readonly metrics: UpstreamOptions['metrics'];

  constructor(options: UpstreamOptions) {
    this.name = options.name;
    this.timeoutMs = options.timeoutMs;
    this.metrics = options.metrics;
    const url = new URL(options.baseUrl);
    this.pool = new Pool(url.origin, {
      connections: options.connections ?? 128,
      keepAliveTimeout: 4_000,
      connect: { timeout: options.timeoutMs },
      headersTimeout: options.timeoutMs,
      bodyTimeout: options.timeoutMs,
      maxResponseSize: options.maxResponseBytes ?? 65_536,
    });
  }

  async send(request: UpstreamRequest): Promise<UpstreamResponse> {
    const headers: Record<string, string> = { accept: 'application/json', ...request.headers };
    if (request.requestId !== undefined) headers['x-request-id'] = request.requestId;
    let body: string | undefined;
    if (request.form !== undefined) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      body = new URLSearchParams(request.form).toString();
    }
    // A caller with a deadline for several calls passes its signal; otherwise the call gets its
    // own, cleared when it ends (the pool's timers alone fire up to a second late).
    const own = request.signal === undefined ? new Deadline(this.timeoutMs) : undefined;
    const signal = request.signal ?? own?.signal;
    const started = performance.now();
    try {
      const answer = await this.pool.request({
        method: request.method,
        path: request.path,
        headers,
        body,
        signal,
      });
      const text = await answer.body.text();
      this.observe(String(answer.statusCode), started);
      return { status: answer.statusCode, headers: answer.headers, json: parseJson(text) };
    } catch (err) {
      const failure = this.classify(err, signal);
      this.observe(failure.failure, started);
      throw failure;
    } finally {
      own?.clear();
    }
  }

  private observe(outcome: string, started: number): void {
    this.metrics.observeUpstream(this.name, outcome, (performance.now() - started) / 1000);
  }

  /** Whether the upstream answers 200 on `path` now; for readiness checks. */
  async answers(path: string): Promise<boolean> {
    try {
      return (await this.send({ method: 'GET', path })).status === 200;
    } catch {
      return false;
    }
  }

  async close(): Promise<void> {
    await this.pool.close();
  }

  /**
   * Nest calls this for a client it holds as a provider, after the HTTP server has closed and
   * the requests in flight have been answered (onModuleDestroy would come before that, and cut
   * their upstream calls off).
   */
  async onApplicationShutdown(): Promise<void> {
    await this.pool.destroy();
  }

  private classify(err: unknown, signal: AbortSignal | undefined): UpstreamError {
    const code = errorCode(err);
    if (signal?.aborted === true) {
      const reason = signal.reason as { name?: string } | undefined;
      const failure = reason?.name === 'TimeoutError' ? 'timeout' : 'unavailable';
      return new UpstreamError(this.name, failure, 'call aborted', { cause: err });
    }
    if (code !== undefined && TIMEOUT_CODES.has(code)) {
      return new UpstreamError(this.name, 'timeout', code, { cause: err });
    }
    if (code !== undefined && UNAVAILABLE_CODES.has(code)) {
      return new UpstreamError(this.name, 'unavailable', code, { cause: err });
    }
    return new UpstreamError(this.name, 'bad_response', code ?? 'unreadable answer', {
      cause: err,
    });
  }
}

function parseJson(text: string): unknown {
  if (text.length === 0) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function errorCode(err: unknown): string | undefined {
  let current: unknown = err;
  for (let depth = 0; depth < 4 && typeof current === 'object' && current !== null; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    const inner = (current as { errors?: unknown[] }).errors?.[0];
    current = inner ?? (current as { cause?: unknown }).cause;
  }
  return undefined;
}

/**
 * Validates an upstream's JSON answer against a contracts DTO before anything reads it, with the
 * DTO's compiled validator. Returns a plain object with the DTO's properties only; throws an
 * UpstreamError (bad_response) that names the first offending field.
 */
export function parseReply<T extends object>(upstream: string, dto: new () => T, json: unknown): T {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new UpstreamError(upstream, 'bad_response', 'answer is not a JSON object');
  }
  const outcome = compiledValidator(dto).validate(json);
  if (!outcome.valid) {
    throw new UpstreamError(upstream, 'bad_response', `field ${outcome.property} is not valid`);
  }
  return outcome.value;
}
