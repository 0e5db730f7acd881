import { AsyncLocalStorage } from 'node:async_hooks';
import type { Logger } from 'pino';
import type { EventFields, RequestIdentity, RequestOutcome } from '../outcome/request-outcome.port';

/** The fields every line of a request carries. */
export interface RequestFields extends RequestIdentity {
  request_id: string;
  trace_id?: string;
  span_id?: string;
}

/** What one request has told of itself so far. */
export interface RequestState {
  readonly fields: RequestFields;
  /** The event the request's one line is named after; the first one recorded wins. */
  event?: { name: string; fields: EventFields; message: string };
  /** Set once the request's line is written: later events are written at once. */
  written: boolean;
}

/** Counts domain events; the Metrics of the service. */
export interface EventCounter {
  countEvent(event: string, result: string): void;
}

/**
 * The request being served, carried through its async work by AsyncLocalStorage (the mechanism
 * nestjs-pino uses too, NP FAQ), and the RequestOutcome port over it: domain code names what the
 * request did; the response hook writes it as the request's one line.
 */
export class RequestScope implements RequestOutcome {
  private readonly storage = new AsyncLocalStorage<RequestState>();
  private logger?: Logger;
  private events?: EventCounter;

  /** Connects the scope to the logger it writes through and the counter of events. */
  attach(logger: Logger, events: EventCounter): void {
    this.logger = logger;
    this.events = events;
  }

  /** Runs `work` (the rest of the request's handling) inside the request's state. */
  run<T>(state: RequestState, work: () => T): T {
    return this.storage.run(state, work);
  }

  /** The fields of the request being served; undefined outside any request. */
  currentFields(): RequestFields | undefined {
    return this.storage.getStore()?.fields;
  }

  identify(identity: RequestIdentity): void {
    const state = this.storage.getStore();
    if (state === undefined) return;
    if (identity.client_id !== undefined) state.fields.client_id = identity.client_id;
    if (identity.user !== undefined) state.fields.user = identity.user;
  }

  record(event: string, fields: EventFields = {}, message = event.replace(/_/g, ' ')): void {
    this.events?.countEvent(event, fields.result ?? '');
    const state = this.storage.getStore();
    if (state !== undefined && !state.written && state.event === undefined) {
      state.event = { name: event, fields, message };
      return;
    }
    this.logger?.info({ event, ...fields }, message);
  }

  warn(event: string, fields: EventFields = {}, message = event.replace(/_/g, ' ')): void {
    this.events?.countEvent(event, fields.result ?? '');
    this.logger?.warn({ event, ...fields }, message);
  }
}
