import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { type Override, testApp } from '../../../../libs/common/test/app';
import { AUTH_SERVER } from '../../src/clients/auth-server.port';
import { RESOURCE_SERVER } from '../../src/clients/resource-server.port';
import { WEBAPP_APP } from '../../src/webapp.app';
import type { WebappConfig } from '../../src/webapp.config';
import type { FakeAuthServer, FakeResourceServer } from './fakes';

/** The webapp as main.ts builds it, optionally with fake authorization and resource servers. */
export function createWebappApp(
  config: WebappConfig,
  fakes: { auth?: FakeAuthServer; resource?: FakeResourceServer } = {},
): Promise<NestFastifyApplication> {
  const overrides: Override[] = [];
  if (fakes.auth !== undefined) overrides.push({ token: AUTH_SERVER, value: fakes.auth });
  if (fakes.resource !== undefined)
    overrides.push({ token: RESOURCE_SERVER, value: fakes.resource });
  return testApp(WEBAPP_APP, config, overrides);
}
