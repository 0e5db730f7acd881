import { Controller, Get, Header, Headers, Req } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { parseBasicAuth } from '@app/common';
import type { CurrentTimeResponseDto, EpochTimeResponseDto } from '@app/contracts';
import type { CallContext } from '../clients/call-context';
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
    const reading = await this.time.read(
      'current_time',
      this.caller(authorization),
      this.context(request),
    );
    if (reading.scope !== 'current_time') throw new Error('reading of the wrong endpoint');
    return { current_time: reading.currentTime, user: reading.user };
  }

  @Get('epoch_time')
  @Header('cache-control', 'no-store')
  async epochTime(
    @Req() request: FastifyRequest,
    @Headers('authorization') authorization?: string,
  ): Promise<EpochTimeResponseDto> {
    const reading = await this.time.read(
      'epoch_time',
      this.caller(authorization),
      this.context(request),
    );
    if (reading.scope !== 'epoch_time') throw new Error('reading of the wrong endpoint');
    return { epoch_time: reading.epochTime, user: reading.user };
  }

  private caller(authorization: string | undefined): Caller {
    const basic = parseBasicAuth(authorization);
    if (basic.kind === 'malformed')
      throw new LoginRequiredError('the Basic credentials cannot be read');
    return this.time.callerOf(basic.kind === 'credentials' ? basic.credentials : undefined);
  }

  private context(request: FastifyRequest): CallContext {
    return { requestId: request.id, signal: AbortSignal.timeout(this.config.upstreamTimeoutMs) };
  }
}
