import { Controller, Header } from '@nestjs/common';
import { defineGetRoute } from '@app/common/http';
import { SCOPE_TABLE, SCOPES, type ScopeResponse } from '@app/contracts';
import type { Principal as Caller } from '../bearer/bearer.service';
import { Principal } from '../bearer/principal.decorator';
import { TimeService } from './time.service';

/**
 * The protected API: one `GET` route per row of the scope table, each opened only by a token
 * holding that row's scope. The routes are declared from the table below, so a new scope is a
 * row there and a handler in time.handlers.ts, nothing here.
 */
@Controller()
export class TimeController {
  constructor(readonly time: TimeService) {}
}

for (const scope of SCOPES) {
  defineGetRoute(TimeController, {
    name: scope,
    path: SCOPE_TABLE[scope].path,
    parameters: [Principal(scope)],
    decorators: [Header('cache-control', 'no-store')],
    handler(this: TimeController, caller: Caller): ScopeResponse<typeof scope> {
      return this.time.read(scope, caller);
    },
  });
}
