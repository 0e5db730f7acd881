/**
 * What must never leave the process in telemetry (error reports, span attributes): the configured
 * secrets, anything shaped like a JWT, and long opaque strings such as authorization codes, PKCE
 * verifiers and challenges, `state` values and refresh handles. Shared by the Sentry reporter and
 * the tracing redactor so that both fences are the same.
 */
export const REDACTED = '[redacted]';

/** A compact JWS: three base64url parts, the first a JSON header (`eyJ` is `{"`). */
const JWT = /eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*/g;
/**
 * 32 or more base64url characters in a row. Codes and verifiers are 43 characters; nothing this
 * project writes on purpose (routes, error names, host names, status texts) is that long.
 */
const LONG_OPAQUE = /[A-Za-z0-9_-]{32,}/g;

/** `text` with every secret, JWT and long opaque string replaced by `[redacted]`. */
export function scrubText(text: string, secrets: readonly string[] = []): string {
  let result = text;
  for (const secret of secrets) {
    if (secret.length > 0 && result.includes(secret)) result = result.split(secret).join(REDACTED);
  }
  return result.replace(JWT, REDACTED).replace(LONG_OPAQUE, REDACTED);
}

/** A URL or path without its query string and fragment, which can carry codes and `state`. */
export function withoutQuery(url: string): string {
  const cut = url.search(/[?#]/);
  return cut === -1 ? url : url.slice(0, cut);
}
