/** Who a request is about, once known; every later log line of the request carries it. */
export interface RequestIdentity {
  client_id?: string;
  user?: string;
}

/**
 * How domain code says what a request did, without knowing of logs or HTTP. Each request is
 * written as **one** log line when its answer is sent, named after the event `record` gave
 * (`token_issued`, `token_introspected`, ...) with that event's fields and the request's outcome;
 * `warn` writes a line at once (a replayed code, an upstream that failed). Both count the event
 * in `events_total{event, result}`, whatever the log level, with `result` taken from the fields
 * when they have one.
 */
export interface RequestOutcome {
  identify(identity: RequestIdentity): void;
  record(event: string, fields?: EventFields, message?: string): void;
  warn(event: string, fields?: EventFields, message?: string): void;
}

/** An event's fields: never a secret, a code or a whole token. `result` labels the counter. */
export type EventFields = Record<string, unknown> & { result?: string };

export const REQUEST_OUTCOME = Symbol('REQUEST_OUTCOME');
