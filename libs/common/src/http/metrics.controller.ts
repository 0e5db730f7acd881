import { Controller, Get, Header, Inject } from '@nestjs/common';
import { METRICS, type Metrics } from '../metrics/metrics';

/** Prometheus scrapes this. */
@Controller('metrics')
export class MetricsController {
  constructor(@Inject(METRICS) private readonly registry: Metrics) {}

  @Get()
  @Header('content-type', 'text/plain; version=0.0.4; charset=utf-8')
  @Header('cache-control', 'no-store')
  async metrics(): Promise<string> {
    return this.registry.render();
  }
}
