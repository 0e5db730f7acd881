import { Controller, Header, Headers, Req } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { parseBasicAuth } from '@app/common';
import { defineGetRoute } from '@app/common/http';
import { SCOPE_TABLE, SCOPES, type ScopeResponse } from '@app/contracts';
import { TimeService } from './time.service';

/**
 * What users curl: one `GET` route per row of the scope table, each running one whole
 * authorization-code flow for its scope and answering with the resource server's JSON.
 */
@Controller()
export class TimeController {
  constructor(readonly time: TimeService) {}
}

for (const scope of SCOPES) {
  defineGetRoute(TimeController, {
    name: scope,
    path: SCOPE_TABLE[scope].path,
    parameters: [Req(), Headers('authorization')],
    decorators: [Header('cache-control', 'no-store')],
    handler(
      this: TimeController,
      request: FastifyRequest,
      authorization: string | undefined,
    ): Promise<ScopeResponse<typeof scope>> {
      return this.time.read(scope, parseBasicAuth(authorization), request.id);
    },
  });
}
