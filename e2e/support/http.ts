import assert from 'node:assert/strict';

/** An HTTP answer, read whole. Redirects are never followed, so a 302 is seen as it is. */
export interface Reply {
  status: number;
  headers: Headers;
  text: string;
  /** The body parsed as JSON, or undefined when it is not JSON. */
  json: unknown;
  /** How long the call took, in milliseconds. */
  ms: number;
}

export async function call(url: string, init: RequestInit = {}): Promise<Reply> {
  const started = performance.now();
  const response = await fetch(url, {
    redirect: 'manual',
    signal: AbortSignal.timeout(15_000),
    ...init,
  });
  const text = await response.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return {
    status: response.status,
    headers: response.headers,
    text,
    json,
    ms: performance.now() - started,
  };
}

/** POSTs an application/x-www-form-urlencoded body. */
export function postForm(
  url: string,
  form: Record<string, string>,
  headers: Record<string, string> = {},
): Promise<Reply> {
  return call(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams(form).toString(),
  });
}

/** An `Authorization: Basic` value for a person's login (RFC 7617, UTF-8 as it is). */
export function basic(user: string, password: string): string {
  return `Basic ${Buffer.from(`${user}:${password}`, 'utf8').toString('base64')}`;
}

/** The JSON object body of a reply; fails when the body is anything else. */
export function jsonBody(reply: Reply): Record<string, unknown> {
  assert.match(
    reply.headers.get('content-type') ?? '',
    /^application\/([\w.-]+\+)?json\b/,
    `content-type of ${reply.text}`,
  );
  assert.ok(
    typeof reply.json === 'object' && reply.json !== null && !Array.isArray(reply.json),
    `expected a JSON object, got ${reply.text}`,
  );
  return reply.json as Record<string, unknown>;
}

/** Asserts the contract's error shape: status, JSON `{"error", "error_description"}`. */
export function assertJsonError(
  reply: Reply,
  status: number,
  error: string,
): Record<string, unknown> {
  assert.equal(reply.status, status, `status of ${reply.text}`);
  const body = jsonBody(reply);
  assert.equal(body.error, error, `error of ${reply.text}`);
  assert.equal(typeof body.error_description, 'string', `error_description of ${reply.text}`);
  assert.ok((body.error_description as string).length > 0);
  assert.deepEqual(Object.keys(body).sort(), ['error', 'error_description']);
  return body;
}
