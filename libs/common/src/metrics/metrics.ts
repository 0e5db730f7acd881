import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';

const SECONDS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

/**
 * The service's Prometheus metrics: process defaults, inbound requests by route and status,
 * outbound calls by target and outcome, and every domain event (token_issued, code_replayed,
 * token_introspected, ...) as it is logged, with its result where it has one.
 */
export class Metrics {
  readonly registry = new Registry();
  private readonly requests: Counter<'method' | 'route' | 'status'>;
  private readonly requestSeconds: Histogram<'method' | 'route' | 'status'>;
  private readonly upstreamCalls: Counter<'target' | 'outcome'>;
  private readonly upstreamSeconds: Histogram<'target' | 'outcome'>;
  private readonly events: Counter<'event' | 'result'>;

  constructor(service: string) {
    this.registry.setDefaultLabels({ service });
    collectDefaultMetrics({ register: this.registry });
    const registers = [this.registry];
    this.requests = new Counter({
      name: 'http_requests_total',
      help: 'Requests served, by method, route and status.',
      labelNames: ['method', 'route', 'status'],
      registers,
    });
    this.requestSeconds = new Histogram({
      name: 'http_request_duration_seconds',
      help: 'Time to answer a request, by method, route and status.',
      labelNames: ['method', 'route', 'status'],
      buckets: SECONDS,
      registers,
    });
    this.upstreamCalls = new Counter({
      name: 'upstream_requests_total',
      help: 'Calls to other services, by target and outcome (HTTP status or failure).',
      labelNames: ['target', 'outcome'],
      registers,
    });
    this.upstreamSeconds = new Histogram({
      name: 'upstream_request_duration_seconds',
      help: 'Time of calls to other services, by target and outcome.',
      labelNames: ['target', 'outcome'],
      buckets: SECONDS,
      registers,
    });
    this.events = new Counter({
      name: 'events_total',
      help: 'Domain events (token_issued, code_replayed, token_introspected, ...), by result.',
      labelNames: ['event', 'result'],
      registers,
    });
  }

  observeRequest(method: string, route: string, status: number, seconds: number): void {
    const labels = { method, route, status: String(status) };
    this.requests.inc(labels);
    this.requestSeconds.observe(labels, seconds);
  }

  observeUpstream(target: string, outcome: string, seconds: number): void {
    this.upstreamCalls.inc({ target, outcome });
    this.upstreamSeconds.observe({ target, outcome }, seconds);
  }

  countEvent(event: string, result: string): void {
    this.events.inc({ event, result });
  }

  async render(): Promise<string> {
    return this.registry.metrics();
  }
}

let metrics: Metrics | undefined;

/** The process's one Metrics; the service name is fixed by the first call. */
export function processMetrics(service = 'unknown'): Metrics {
  metrics ??= new Metrics(service);
  return metrics;
}
