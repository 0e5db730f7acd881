import { SpanKind } from '@opentelemetry/api';
import {
  InMemorySpanExporter,
  SimpleSpanProcessor,
  TracerProvider,
} from '@opentelemetry/sdk-trace';
import { RedactingSpanProcessor } from './redacting-span-processor';
import { scrubText, withoutQuery } from './scrub';

const CODE = 'SplxlOBeZQQYbYS6WxSbIA-abcdefghijklmnopqrstu';
const JWT = 'eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJhIn0.c2lnbmF0dXJl';

describe('RedactingSpanProcessor', () => {
  const exporter = new InMemorySpanExporter();
  const provider = new TracerProvider({
    spanProcessors: [new RedactingSpanProcessor(new SimpleSpanProcessor({ exporter }))],
  });
  const tracer = provider.getTracer('test');

  afterEach(() => exporter.reset());
  afterAll(() => provider.shutdown());

  it('cuts query strings off URLs and drops url.query, also when set after the start', () => {
    const span = tracer.startSpan('GET', {
      kind: SpanKind.CLIENT,
      attributes: {
        'url.full': `http://auth:5001/authorize?response_type=code&state=${CODE}`,
        'url.query': `?response_type=code&state=${CODE}`,
        'http.request.method': 'GET',
      },
    });
    span.setAttribute('url.path', `/callback?code=${CODE}&state=s1`);
    span.setAttribute('http.target', '/callback#fragment');
    span.end();
    expect(exporter.getFinishedSpans()[0]?.attributes).toEqual({
      'url.full': 'http://auth:5001/authorize',
      'url.path': '/callback',
      'http.target': '/callback',
      'http.request.method': 'GET',
    });
  });

  it('replaces JWTs and code-shaped strings in any attribute and in event attributes', () => {
    const span = tracer.startSpan('POST');
    span.setAttribute('note', `token ${JWT} for code ${CODE}`);
    span.setAttribute('list', [`Bearer ${JWT}`, 'plain']);
    span.setAttribute('http.route', '/token');
    span.addEvent('exception', { 'exception.message': `bad code ${CODE}` });
    span.end();
    const [finished] = exporter.getFinishedSpans();
    expect(finished?.attributes).toEqual({
      note: 'token [redacted] for code [redacted]',
      list: ['Bearer [redacted]', 'plain'],
      'http.route': '/token',
    });
    expect(finished?.events[0]?.attributes).toEqual({ 'exception.message': 'bad code [redacted]' });
  });
});

describe('scrubText', () => {
  it('replaces configured secrets, JWTs and long opaque strings, and leaves the rest', () => {
    expect(scrubText(`qwerty ${JWT} ${CODE} /token 1234`, ['qwerty', ''])).toBe(
      '[redacted] [redacted] [redacted] /token 1234',
    );
    // 31 characters are not opaque enough to be taken for a code.
    expect(scrubText('a'.repeat(31))).toBe('a'.repeat(31));
    expect(scrubText('a'.repeat(32))).toBe('[redacted]');
  });

  it('withoutQuery cuts at the first ? or #', () => {
    expect(withoutQuery('/a?b=1#c')).toBe('/a');
    expect(withoutQuery('/a#c?b')).toBe('/a');
    expect(withoutQuery('/a')).toBe('/a');
  });
});
