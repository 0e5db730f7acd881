import { Controller, Get, Header, Headers, Req } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { Deadline, parseBasicAuth } from '@app/common';
import type { CurrentTimeResponseDto, EpochTimeResponseDto, TimeScope } from '@app/contracts';
import type { TimeReading } from '../clients/resource-server.port';
import { LoginRequiredError } from '../errors/webapp.errors';
import type { Caller } from '../flow/authorization-code.flow';
import { WebappConfig } from '../webapp.config';
import { TimeService } from './time.service';

/** What users curl. Each call runs one whole authorization-code flow. */
@Controller()
export class TimeController {
  constructor(
    private readonly time: TimeService,
    private readonly config: WebappConfig,
  ) {}

  @Get('current_time')
  @Header('cache-control', 'no-store')
  async currentTime(
    @Req() request: FastifyRequest,
    @Headers('authorization') authorization?: string,
  ): Promise<CurrentTimeResponseDto> {
    const reading = await this.read('current_time', request, authorization);
    if (reading.scope !== 'current_time') throw new Error('reading of the wrong endpoint');
    return { current_time: reading.currentTime, user: reading.user };
  }

  @Get('epoch_time')
  @Header('cache-control', 'no-store')
  async epochTime(
    @Req() request: FastifyRequest,
    @Headers('authorization') authorization?: string,
  ): Promise<EpochTimeResponseDto> {
    const reading = await this.read('epoch_time', request, authorization);
    if (reading.scope !== 'epoch_time') throw new Error('reading of the wrong endpoint');
    return { epoch_time: reading.epochTime, user: reading.user };
  }

  private caller(authorization: string | undefined): Caller {
    const basic = parseBasicAuth(authorization);
    if (basic.kind === 'malformed')
      throw new LoginRequiredError('the Basic credentials cannot be read');
    return this.time.callerOf(basic.kind === 'credentials' ? basic.credentials : undefined);
  }

  /** One flow under one deadline: every upstream call of it shares UPSTREAM_TIMEOUT_MS. */
  private async read(
    scope: TimeScope,
    request: FastifyRequest,
    authorization: string | undefined,
  ): Promise<TimeReading> {
    const caller = this.caller(authorization);
    const deadline = new Deadline(this.config.upstreamTimeoutMs);
    try {
      return await this.time.read(scope, caller, {
        requestId: request.id,
        signal: deadline.signal,
      });
    } finally {
      deadline.clear();
    }
  }
}
