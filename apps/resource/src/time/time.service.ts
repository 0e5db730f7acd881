import { Inject, Injectable } from '@nestjs/common';
import { CLOCK, type Clock } from '@app/common';
import type { Scope, ScopeResponse } from '@app/contracts';
import type { Principal } from '../bearer/bearer.service';
import { TIME_HANDLERS } from './time.handlers';

/** The protected API: what each scope's endpoint answers to the caller its token names. */
@Injectable()
export class TimeService {
  constructor(@Inject(CLOCK) private readonly clock: Clock) {}

  read<S extends Scope>(scope: S, caller: Principal): ScopeResponse<S> {
    return TIME_HANDLERS[scope](caller.user, this.clock);
  }
}
