import { Controller, Get, Header, Req, UseGuards } from '@nestjs/common';
import type { CurrentTimeResponseDto, EpochTimeResponseDto } from '@app/contracts';
import { type AuthenticatedRequest, BearerGuard, RequiredScope } from '../bearer/bearer.guard';
import { TimeService } from './time.service';

/** The protected API: each endpoint opens to a token with its own scope. */
@Controller()
@UseGuards(BearerGuard)
export class TimeController {
  constructor(private readonly time: TimeService) {}

  @Get('current_time')
  @RequiredScope('current_time')
  @Header('cache-control', 'no-store')
  currentTime(@Req() request: AuthenticatedRequest): CurrentTimeResponseDto {
    return { current_time: this.time.currentTime(), user: userOf(request) };
  }

  @Get('epoch_time')
  @RequiredScope('epoch_time')
  @Header('cache-control', 'no-store')
  epochTime(@Req() request: AuthenticatedRequest): EpochTimeResponseDto {
    return { epoch_time: this.time.epochTime(), user: userOf(request) };
  }
}

function userOf(request: AuthenticatedRequest): string {
  if (request.principal === undefined) throw new Error('BearerGuard did not run');
  return request.principal.user;
}
