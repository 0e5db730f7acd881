/**
 * Probes and scrapes: neither logged, so that a log line stands for a user's request, nor traced,
 * since each would make a trace of its own. Imports nothing: tracing loads it before Fastify.
 */
export const PROBE_PATHS: ReadonlySet<string> = new Set(['/healthz', '/readyz', '/metrics']);
