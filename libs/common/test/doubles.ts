import type {
  EventFields,
  RequestIdentity,
  RequestOutcome,
} from '../src/outcome/request-outcome.port';

/** One event a RecordedOutcome took. */
export interface RecordedEvent {
  kind: 'record' | 'warn';
  event: string;
  fields: EventFields;
}

/** A RequestOutcome that keeps what domain code told it, for assertions. */
export class RecordedOutcome implements RequestOutcome {
  readonly events: RecordedEvent[] = [];
  identity: RequestIdentity = {};

  identify(identity: RequestIdentity): void {
    this.identity = { ...this.identity, ...identity };
  }

  record(event: string, fields: EventFields = {}): void {
    this.events.push({ kind: 'record', event, fields });
  }

  warn(event: string, fields: EventFields = {}): void {
    this.events.push({ kind: 'warn', event, fields });
  }

  /** The names of the events, in order. */
  get names(): string[] {
    return this.events.map((e) => e.event);
  }
}

/** What `action` throws; fails the test when it throws nothing. */
export function thrown(action: () => unknown): unknown {
  try {
    action();
  } catch (err) {
    return err;
  }
  throw new Error('expected an error, but none was thrown');
}

/** What `promise` rejects with; fails the test when it resolves. */
export async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (err) {
    return err;
  }
  throw new Error('expected a rejection, but the promise resolved');
}

/** What `action`'s promise rejects with; fails the test when it resolves. */
export function rejected(action: () => Promise<unknown>): Promise<unknown> {
  return rejection(action());
}
