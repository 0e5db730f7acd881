import { Controller, Get, Header } from '@nestjs/common';
import { processMetrics } from './metrics';

/** Prometheus scrapes this. */
@Controller('metrics')
export class MetricsController {
  @Get()
  @Header('content-type', 'text/plain; version=0.0.4; charset=utf-8')
  @Header('cache-control', 'no-store')
  async metrics(): Promise<string> {
    return processMetrics().render();
  }
}
