import { Test } from '@nestjs/testing';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { configureFastify, createFastifyAdapter } from '@app/common';
import { AUTH_SERVER } from '../../src/clients/auth-server.port';
import { RESOURCE_SERVER } from '../../src/clients/resource-server.port';
import type { WebappConfig } from '../../src/webapp.config';
import { WebappModule } from '../../src/webapp.module';
import type { FakeAuthServer, FakeResourceServer } from './fakes';

/**
 * Builds the webapp as main.ts does (the same module, adapter and hooks), with logging silenced
 * and, optionally, fakes in place of the authorization and resource servers.
 */
export async function createWebappApp(
  config: WebappConfig,
  fakes: { auth?: FakeAuthServer; resource?: FakeResourceServer } = {},
): Promise<NestFastifyApplication> {
  let builder = Test.createTestingModule({ imports: [WebappModule.forRoot(config)] });
  if (fakes.auth !== undefined)
    builder = builder.overrideProvider(AUTH_SERVER).useValue(fakes.auth);
  if (fakes.resource !== undefined) {
    builder = builder.overrideProvider(RESOURCE_SERVER).useValue(fakes.resource);
  }
  const moduleRef = await builder.compile();
  const app = moduleRef.createNestApplication<NestFastifyApplication>(
    createFastifyAdapter(config),
    { bodyParser: false },
  );
  const instance = app.getHttpAdapter().getInstance();
  configureFastify(instance);
  await app.init();
  await instance.ready();
  return app;
}
