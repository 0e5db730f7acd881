import type { Attributes, Context } from '@opentelemetry/api';
import type { ReadableSpan, Span, SpanProcessor } from '@opentelemetry/sdk-trace';
import { scrubText, withoutQuery } from './scrub';

/** Attributes that hold a URL or a path: their query string and fragment are cut off. */
const URL_ATTRIBUTES = ['url.full', 'url.path', 'url.original', 'http.url', 'http.target'];
/** Attributes that hold nothing but a query string: dropped. */
const QUERY_ATTRIBUTES = ['url.query'];

/**
 * Removes from every ended span what must not leave the process, before the batch processor
 * queues it: query strings (the authorization request carries `state` and `code_challenge`, the
 * callback the `code`), and anything shaped like a JWT or a code in any string attribute of the
 * span or of its events. The instrumentations record URLs with their queries (`url.full`,
 * `url.query`) and offer no switch to stop it; their hooks could only add attributes, not remove
 * them, and each would need its own. Here one rule covers every instrumentation, and it runs
 * after the last attribute was written (the response hooks write at the end).
 *
 * It edits the ended span's attribute maps in place: a copy per span would cost an allocation
 * per attribute on every sampled request, and nothing reads the span after its processors.
 */
export class RedactingSpanProcessor implements SpanProcessor {
  constructor(private readonly next: SpanProcessor) {}

  onStart(span: Span, parentContext: Context): void {
    this.next.onStart(span, parentContext);
  }

  onEnd(span: ReadableSpan): void {
    redactAttributes(span.attributes);
    for (const event of span.events) {
      if (event.attributes !== undefined) redactAttributes(event.attributes);
    }
    this.next.onEnd(span);
  }

  forceFlush(): Promise<void> {
    return this.next.forceFlush();
  }

  shutdown(): Promise<void> {
    return this.next.shutdown();
  }
}

/** Edits `attributes` so that no query string, JWT or code-shaped string is left in it. */
export function redactAttributes(attributes: Attributes): void {
  for (const key of QUERY_ATTRIBUTES) delete attributes[key];
  for (const key of URL_ATTRIBUTES) {
    const url = attributes[key];
    if (typeof url === 'string') attributes[key] = withoutQuery(url);
  }
  for (const [key, value] of Object.entries(attributes)) {
    if (typeof value === 'string') {
      const scrubbed = scrubText(value);
      if (scrubbed !== value) attributes[key] = scrubbed;
    } else if (Array.isArray(value)) {
      attributes[key] = value.map((item: unknown) =>
        typeof item === 'string' ? scrubText(item) : item,
      );
    }
  }
}
