import { Controller, Get, Header, Inject, type OnModuleInit, Res, type Type } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import type { FastifyReply } from 'fastify';
import type { ReadinessProbe } from '../health/readiness.port';

/** The class the app provides for GET /readyz; PlatformModule names it with this token. */
export const READINESS_PROBE_TYPE = Symbol('READINESS_PROBE_TYPE');

/** Liveness and readiness, as orchestrators expect them. */
@Controller()
export class HealthController implements OnModuleInit {
  private probe!: ReadinessProbe;

  constructor(
    private readonly moduleRef: ModuleRef,
    @Inject(READINESS_PROBE_TYPE) private readonly probeType: Type<ReadinessProbe>,
  ) {}

  /** The probe is a provider of the app's own module, which this global module cannot inject. */
  onModuleInit(): void {
    this.probe = this.moduleRef.get(this.probeType, { strict: false });
  }

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
