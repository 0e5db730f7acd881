import { Controller, Get, Header, Inject, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { READINESS_PROBE, type ReadinessProbe } from './readiness.port';

/** Liveness and readiness, as orchestrators expect them. */
@Controller()
export class HealthController {
  constructor(@Inject(READINESS_PROBE) private readonly probe: ReadinessProbe) {}

  /** 200 while the process serves. */
  @Get('healthz')
  @Header('cache-control', 'no-store')
  health(): { status: 'ok' } {
    return { status: 'ok' };
  }

  /** 200 only when every dependency answers; 503 otherwise. */
  @Get('readyz')
  @Header('cache-control', 'no-store')
  async ready(
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<{ status: 'ready' | 'not_ready'; checks: Record<string, 'up' | 'down'> }> {
    const results = await this.probe.check();
    const checks: Record<string, 'up' | 'down'> = {};
    let ready = true;
    for (const [name, up] of Object.entries(results)) {
      checks[name] = up ? 'up' : 'down';
      ready &&= up;
    }
    void reply.status(ready ? 200 : 503);
    return { status: ready ? 'ready' : 'not_ready', checks };
  }
}
